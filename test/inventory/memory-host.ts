/** An in-memory LoadHost: files by absolute path; directories are implied by the files under them. */
import { posix } from "node:path";
import type { LoadHost } from "../../src/files/load-host.js";

export function memoryHost(files: Readonly<Record<string, string>>, cwd = "/site"): LoadHost & { readonly reads: string[] } {
  const reads: string[] = [];
  const absolute = new Map(Object.entries(files).map(([p, text]) => [posix.resolve(cwd, p), text]));
  return {
    cwd,
    reads,
    readFile(path, maxBytes) {
      reads.push(path);
      const text = absolute.get(path) ?? null;
      return text !== null && Buffer.byteLength(text) > maxBytes ? { refused: `is larger than ${maxBytes} bytes` } : text;
    },
    readDir(path) {
      const prefix = path.endsWith("/") ? path : `${path}/`;
      const names = new Set<string>();
      for (const p of absolute.keys()) if (p.startsWith(prefix)) names.add(p.slice(prefix.length).split("/")[0] ?? "");
      return names.size > 0 ? [...names].sort() : null;
    },
  };
}
