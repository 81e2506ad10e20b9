/**
 * Where a command's output goes instead of a pipe: a scratch file, given to the command as its
 * stdout and its stderr (one open file, appended to, so the two interleave in the order they
 * were written), read by the runner while the command runs and after it has exited.
 *
 * Why not pipes: two pipes per command, their streams and their end-of-file events cost the
 * runner more than a short command costs the machine (bench/runtime.ts), and a file needs no
 * reader while the command runs: a command that writes more than a pipe holds never waits.
 *
 * Nothing unredacted stays on disk: a file is removed from its directory as soon as it is
 * opened (only the open descriptors keep it, so it goes when the runner and the command have
 * ended, even after a kill -9 of either), it is readable by its owner only, and opened with
 * O_EXCL and O_NOFOLLOW (a shared /tmp). What is read from it is redacted line by line before
 * it reaches a step's log (step-exec.ts).
 *
 * A file is used by one command at a time and emptied for the next; a file that a command's
 * left-behind process may still write to is closed instead of reused (process-executor.ts).
 */
import { randomBytes } from "node:crypto";
import { closeSync, constants, fstatSync, ftruncateSync, openSync, readSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StringDecoder } from "node:string_decoder";

/** Bytes read at once: a large output is handed on in pieces of this size. */
const CHUNK = 64 * 1024;

const SCRATCH_FLAGS = constants.O_RDWR | constants.O_CREAT | constants.O_EXCL | constants.O_APPEND | constants.O_NOFOLLOW;

/** One command's output file while it runs, and what of it has been read. */
export class ScratchFile {
  private readBytes = 0;
  private decoder = new StringDecoder("utf8");

  constructor(
    /** The runner's descriptor (read and write, appending). */
    readonly fd: number,
    /** Its number in its pool: a spawner process names the file by it (spawner.ts). */
    readonly id: number,
  ) {}

  /** The bytes written since the last read, as text (a character cut in two waits for its end). */
  readNew(onText: (text: string) => void): void {
    const size = fstatSync(this.fd).size;
    if (size <= this.readBytes) return;
    const buffer = Buffer.allocUnsafe(Math.min(CHUNK, size - this.readBytes));
    while (this.readBytes < size) {
      const n = readSync(this.fd, buffer, 0, Math.min(buffer.length, size - this.readBytes), this.readBytes);
      if (n === 0) break;
      this.readBytes += n;
      const text = this.decoder.write(n === buffer.length ? buffer : buffer.subarray(0, n));
      if (text !== "") onText(text);
    }
  }

  /** After its command has exited: the rest of the output, and the file emptied for the next command. */
  finish(onText: (text: string) => void): void {
    this.readNew(onText);
    const rest = this.decoder.end();
    if (rest !== "") onText(rest);
    if (this.readBytes > 0) ftruncateSync(this.fd, 0);
    this.readBytes = 0;
    this.decoder = new StringDecoder("utf8");
  }
}

/** Scratch files, one per command running at once, opened when first needed and reused. */
export class ScratchPool {
  private readonly free: ScratchFile[] = [];
  private readonly all = new Set<ScratchFile>();
  private opened = 0;

  constructor(
    private readonly dir: string = tmpdir(),
    /** Told when a file is closed, so a process that holds its own descriptor of it drops that too. */
    private readonly onClosed: (file: ScratchFile) => void = () => undefined,
  ) {}

  take(): ScratchFile {
    return this.free.pop() ?? this.open();
  }

  /** Back to the pool, emptied (ScratchFile.finish). */
  give(file: ScratchFile): void {
    this.free.push(file);
  }

  /** Not to be used again: a process left behind by its command may still write to it. */
  retire(file: ScratchFile): void {
    this.closeFile(file);
  }

  /** Every file closed (the runner's descriptors: a command still running keeps its own). */
  close(): void {
    for (const file of [...this.all]) this.closeFile(file);
    this.free.length = 0;
  }

  private open(): ScratchFile {
    const path = join(this.dir, `upgradec-output-${process.pid}-${randomBytes(8).toString("hex")}`);
    const fd = openSync(path, SCRATCH_FLAGS, 0o600);
    try {
      unlinkSync(path);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    this.opened += 1;
    const file = new ScratchFile(fd, this.opened);
    this.all.add(file);
    return file;
  }

  private closeFile(file: ScratchFile): void {
    if (!this.all.delete(file)) return;
    closeSync(file.fd);
    this.onClosed(file);
  }
}
