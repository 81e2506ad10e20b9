import type { FileText } from "./file-text.js";

/** File access for the loader, so tests can compile from memory. */
export interface LoadHost {
  /**
   * The text of a file; null when it does not exist or cannot be read; a refusal when it is
   * not a regular file, is larger than maxBytes, or is not UTF-8 (compiler/file-text.ts).
   */
  readFile(path: string, maxBytes: number): FileText;
  /** The names in a directory, or null when it does not exist. */
  readDir(path: string): readonly string[] | null;
  /** The working directory paths are shown relative to. */
  readonly cwd: string;
}
