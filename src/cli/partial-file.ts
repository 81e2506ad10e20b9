/**
 * A plan file as `compile -o` writes it: beside its target (`<target>.<pid>.partial`), opened
 * at the first piece of text, and renamed over the target once complete, so a crash never
 * leaves half a plan file. The writing thread (plan-file-worker.ts) and the CLI's fallback
 * without that thread write through it. Failures throw; `discard` leaves nothing behind.
 */
import { closeSync, openSync, renameSync, rmSync, writeSync } from "node:fs";

export class PartialFile {
  private readonly partial: string;
  private fd: number | null = null;
  /** Bytes written so far. */
  private length = 0;

  /** `mode`: the permissions of the new file (a rewritten file keeps those of the old one). */
  constructor(
    private readonly target: string,
    private readonly mode = 0o644,
  ) {
    this.partial = `${target}.${process.pid}.partial`;
  }

  /** The text at the end of the file; where it starts. */
  append(text: string): number {
    const at = this.length;
    this.length += this.writeAt(text, at);
    return at;
  }

  /** The text's bytes at `at` (over what is there); their count. */
  writeAt(text: string, at: number): number {
    const fd = this.open();
    const bytes = Buffer.from(text, "utf8");
    for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done, at + done);
    return bytes.length;
  }

  /** The file closed and renamed over the target. */
  commit(): void {
    closeSync(this.open());
    this.fd = null;
    renameSync(this.partial, this.target);
  }

  /** The partial file closed and removed, if there is one. */
  discard(): void {
    if (this.fd !== null) {
      try {
        closeSync(this.fd);
      } catch {
        // Closing a file that failed to write can fail too; it is removed either way.
      }
      this.fd = null;
    }
    rmSync(this.partial, { force: true });
  }

  private open(): number {
    this.fd ??= openSync(this.partial, "w", this.mode);
    return this.fd;
  }
}
