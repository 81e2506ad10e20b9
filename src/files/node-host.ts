import { readdirSync } from "node:fs";
import { readFileText } from "./file-text.js";
import type { LoadHost } from "./load-host.js";

/** The loader's view of the real file system. */
export function nodeLoadHost(cwd: string): LoadHost {
  return {
    cwd,
    readFile: readFileText,
    readDir(path) {
      try {
        return readdirSync(path).sort();
      } catch {
        return null;
      }
    },
  };
}
