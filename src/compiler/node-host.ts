import { readdirSync, readFileSync } from "node:fs";
import type { LoadHost } from "./program.js";

/** The loader's view of the real file system. */
export function nodeLoadHost(cwd: string): LoadHost {
  return {
    cwd,
    readFile(path) {
      try {
        return readFileSync(path, "utf8");
      } catch {
        return null;
      }
    },
    readDir(path) {
      try {
        return readdirSync(path).sort();
      } catch {
        return null;
      }
    },
  };
}
