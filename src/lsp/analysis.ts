/**
 * What the language server knows of one entry file: the compiler's own result (load,
 * resolve, build: the diagnostics `upgradec compile` prints), with the editor's unsaved
 * texts read in place of the files on disk. No second parser: every answer of the server
 * (hovers, definitions, completions, symbols) is read from this.
 */
import { dirname, join, resolve as resolvePath } from "node:path";
import { compileFile, type CompileResult } from "../compiler/compile.js";
import { nodeLoadHost } from "../files/node-host.js";
import type { LoadHost } from "../files/load-host.js";
import type { Result } from "../diagnostics/diagnostic.js";
import type { SourceFile } from "../parser/ast.js";
import { parse } from "../parser/parse.js";
import { buildTables, type Tables } from "../compiler/resolve/scope.js";
import { PACKAGE_ROOT, VERSION } from "../version.js";
import { buildIndex, type SymbolIndex } from "./symbol-index.js";

/** The texts an editor has open, by absolute path: they win over the files on disk. */
export type Overlay = (absolutePath: string) => string | undefined;

export interface Analysis {
  /** The entry file, absolute. */
  readonly entry: string;
  /** The directory paths in diagnostics are shown relative to (the entry's). */
  readonly cwd: string;
  readonly result: CompileResult;
  /** Every declaration of the program under its qualified name; null when nothing loaded. */
  readonly tables: Tables | null;
  readonly index: SymbolIndex;
  /** The absolute path of a path as diagnostics show it (`<stdlib>/openstack.upg` too). */
  readonly absolute: (shown: string) => string;
}

const STDLIB_PREFIX = "<stdlib>/";

/** Compile an entry file as `upgradec compile` would (run from its directory), unsaved texts included. */
export function analyze(entry: string, overlay: Overlay, now: Date = new Date(), cache?: ParseCache): Analysis {
  const cwd = dirname(entry);
  const host = overlayHost(nodeLoadHost(cwd), overlay);
  const result = compileFile(entry, host, { now, compilerVersion: VERSION, diagnosticsOnly: true, ...(cache ? { load: { parse: cache.parse } } : {}) });
  const absolute = (shown: string): string =>
    shown.startsWith(STDLIB_PREFIX) ? join(PACKAGE_ROOT, "src", "stdlib", shown.slice(STDLIB_PREFIX.length)) : resolvePath(cwd, shown);
  // The tables are resolve's own; they are built again here because resolve keeps them to
  // itself (and returns no model when it found errors, when they are needed most).
  const tables = result.program ? buildTables(result.program, []) : null;
  const index = buildIndex(result.program, tables);
  return { entry, cwd, result, tables, index, absolute };
}

/**
 * Each file's parse as last read, reused while its text is the same: a keystroke reparses
 * the file typed in, not the standard library. A parse depends only on the text and the
 * path it is shown with, both compared.
 */
export class ParseCache {
  private readonly byPath = new Map<string, { readonly text: string; readonly result: Result<SourceFile> }>();

  readonly parse = (text: string, path: string): Result<SourceFile> => {
    const hit = this.byPath.get(path);
    if (hit && hit.text === text) return hit.result;
    const result = parse(text, path);
    this.byPath.set(path, { text, result });
    return result;
  };
}

/** The loader's host, reading an open document's text instead of its file. */
function overlayHost(base: LoadHost, overlay: Overlay): LoadHost {
  return {
    cwd: base.cwd,
    readDir: (path) => base.readDir(path),
    readFile(path, maxBytes) {
      const open = overlay(resolvePath(base.cwd, path));
      if (open === undefined) return base.readFile(path, maxBytes);
      return open.length > maxBytes ? { refused: `is larger than the ${maxBytes} bytes the compiler reads` } : open;
    },
  };
}
