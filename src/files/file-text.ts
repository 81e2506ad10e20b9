/**
 * Reading a source, inventory or vars file as untrusted input: only a regular file (a FIFO
 * would block, /dev/zero never end), at most a given size, and valid UTF-8 (a stray byte
 * would otherwise become U+FFFD inside a command or a host name).
 */
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { type Diagnostic, type Span, diag } from "../diagnostics/diagnostic.js";

/** Why a file that exists gives no text to compile. */
export interface FileRefusal {
  /** For people, after the file's name: "is not a regular file", "is larger than 8 MiB", ... */
  readonly refused: string;
  /** When the encoding is at fault: the text decoded with U+FFFD, and the UTF-16 offset of the first bad byte. */
  readonly lossy?: { readonly text: string; readonly offset: number };
}

/** A file's text; null when it does not exist or cannot be opened; a refusal when it is no file to read. */
export type FileText = string | null | FileRefusal;

export function isText(read: FileText): read is string {
  return typeof read === "string";
}

export function isRefusal(read: FileText): read is FileRefusal {
  return read !== null && typeof read !== "string";
}

/** Reads a file from disk. Never throws; never blocks on a FIFO; never reads more than maxBytes + 1 bytes. */
export function readFileText(path: string, maxBytes: number): FileText {
  let fd: number;
  try {
    // Non-blocking: opening a FIFO for reading would otherwise wait for a writer.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { refused: `is not a regular file (${kindOf(stat)})` };
    if (stat.size > maxBytes) return { refused: `is ${sizeText(stat.size)}, more than the ${sizeText(maxBytes)} the compiler reads` };
    const bytes = readAtMost(fd, maxBytes);
    if (bytes === null) return { refused: `is larger than the ${sizeText(maxBytes)} the compiler reads` };
    return decodeUtf8(bytes);
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** The bytes of an open file, or null past maxBytes (a file in /proc says its size is 0). */
function readAtMost(fd: number, maxBytes: number): Buffer | null {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(Math.min(1 << 20, maxBytes + 1 - total));
    const n = readSync(fd, chunk, 0, chunk.length, null);
    if (n === 0) break;
    chunks.push(chunk.subarray(0, n));
    total += n;
    if (total > maxBytes) return null;
  }
  return Buffer.concat(chunks, total);
}

/** UTF-8 to text, keeping a byte order mark (the lexer skips it, and offsets stay those of the file). */
export function decodeUtf8(bytes: Uint8Array): FileText {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    const bad = firstInvalidByte(bytes);
    const lossy = new TextDecoder("utf-8", { ignoreBOM: true });
    const byte = (bytes[bad] ?? 0).toString(16).padStart(2, "0");
    return {
      refused: `is not valid UTF-8 (byte 0x${byte} at byte offset ${bad})`,
      lossy: { text: lossy.decode(bytes), offset: lossy.decode(bytes.subarray(0, bad)).length },
    };
  }
}

/** The index of the first byte that does not belong to a well-formed UTF-8 sequence. */
export function firstInvalidByte(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i] as number;
    if (c < 0x80) {
      i++;
      continue;
    }
    // Lead byte: length and the range its first continuation byte may take (no overlongs, no surrogates, ≤ U+10FFFF).
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      if (c === 0xe0) lo = 0xa0;
      if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      if (c === 0xf0) lo = 0x90;
      if (c === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined || d < (k === 1 ? lo : 0x80) || d > (k === 1 ? hi : 0xbf)) return i;
    }
    i += n + 1;
  }
  return b.length;
}

function kindOf(stat: ReturnType<typeof fstatSync>): string {
  if (stat.isDirectory()) return "a directory";
  if (stat.isFIFO()) return "a FIFO";
  if (stat.isCharacterDevice()) return "a character device";
  if (stat.isBlockDevice()) return "a block device";
  if (stat.isSocket()) return "a socket";
  return "not a file";
}

function sizeText(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MiB`;
  if (bytes >= 1024) return `${Math.round((bytes / 1024) * 10) / 10} KiB`;
  return `${bytes} bytes`;
}

/**
 * The diagnostic for a refused file: at the bad byte when the encoding is at fault (the
 * lossy text is then shown), else at `at` (where the file was named), if any.
 */
export function refusalDiagnostic(read: FileRefusal, file: string, at: Span | undefined): Diagnostic {
  if (read.lossy) {
    return diag("UPG0003", {
      message: `'${file}' ${read.refused}`,
      span: { file, start: read.lossy.offset, end: Math.min(read.lossy.offset + 1, read.lossy.text.length) },
      ...(at ? { labels: [{ span: at, message: "the file is named here" }] } : {}),
      help: "save the file as UTF-8 (e.g. iconv -f latin1 -t utf-8); the compiler never guesses an encoding, so a host name or command is never changed behind your back",
    });
  }
  return diag("UPG0003", {
    message: `cannot read '${file}': it ${read.refused}`,
    ...(at ? { span: at } : {}),
    help: "name a regular file of text: sources, inventories and vars files are read whole, up to a size limit",
  });
}
