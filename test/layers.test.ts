/**
 * The layers of src/: which folder may import which. A lower layer never imports a higher
 * one (the parser knows only diagnostics; the compiler never imports the runtime, a preview
 * or the CLI; the runtime never imports the CLI or the compiler). A new folder must be
 * placed here before it can be imported from anywhere.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = resolve(import.meta.dirname, "../src");

/** Folder → the folders it may import. `(root)` is src/*.ts (limits, version): leaves like base. */
const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  "(root)": [],
  base: [],
  diagnostics: ["(root)", "base"],
  parser: ["(root)", "base", "diagnostics"],
  files: ["(root)", "base", "diagnostics"],
  plan: ["(root)", "base"],
  windows: ["(root)", "base"],
  inventory: ["(root)", "base", "diagnostics", "files", "plan"],
  facts: ["(root)", "base", "diagnostics", "inventory", "plan"],
  format: ["(root)", "base", "diagnostics", "parser"],
  compiler: ["(root)", "base", "diagnostics", "facts", "files", "inventory", "parser", "plan", "windows"],
  preview: ["(root)", "base", "plan", "windows"],
  runtime: ["(root)", "base", "diagnostics", "plan", "windows"],
  probe: ["(root)", "base", "plan", "runtime"],
  simulate: ["(root)", "base", "inventory", "plan", "runtime", "windows"],
  lsp: ["(root)", "base", "compiler", "diagnostics", "files", "format", "inventory", "parser", "plan", "windows"],
  preflight: ["(root)", "base", "compiler", "diagnostics", "facts", "files", "plan", "probe", "runtime", "windows"],
  verify: ["(root)", "base", "preflight", "diagnostics", "plan", "probe", "runtime"],
  cli: ["(root)", "base", "preflight", "compiler", "diagnostics", "facts", "files", "format", "lsp", "parser", "plan", "preview", "probe", "runtime", "simulate", "verify", "windows"],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith(".ts") ? [path] : [];
  });
}

/** The folder of src/ a file belongs to: its first path segment, or `(root)`. */
function layerOf(file: string): string {
  const parts = relative(SRC, file).split(sep);
  return parts.length === 1 ? "(root)" : (parts[0] ?? "(root)");
}

/** Relative imports, static and dynamic, type-only included (a type import is a dependency too). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const found: string[] = [];
  for (const m of text.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)) {
    const spec = m[1] ?? "";
    found.push(resolve(dirname(file), spec).replace(/\.js$/, ".ts"));
  }
  return found;
}

const show = (file: string): string => relative(resolve(SRC, ".."), file).split(sep).join("/");

/** Each import that leaves its folder for one it may not import, as `from -> to (rule)`. */
function violations(edges: readonly (readonly [string, string])[]): string[] {
  const broken: string[] = [];
  for (const [file, target] of edges) {
    if (!target.startsWith(SRC + sep)) continue;
    const from = layerOf(file);
    const to = layerOf(target);
    const allowed = MAY_IMPORT[from] ?? [];
    const edge = `${show(file)} -> ${show(target)}`;
    if (to !== from && !allowed.includes(to)) broken.push(`${edge} (${from} may import ${allowed.join(", ") || "nothing"})`);
  }
  return broken;
}

describe("layers of src/", () => {
  const files = sourceFiles(SRC);
  const edges = files.flatMap((file) => importsOf(file).map((target) => [file, target] as const));

  it("every folder of src/ has its place in the table", () => {
    const unplaced = [...new Set(files.map(layerOf))].filter((layer) => MAY_IMPORT[layer] === undefined);
    expect(unplaced).toEqual([]);
  });

  it("no folder imports a layer above it", () => {
    expect(violations(edges)).toEqual([]);
  });


  it("names an import of a higher layer, and lets a lower one through", () => {
    const compiler = join(SRC, "compiler", "compile.ts");
    expect(violations([[compiler, join(SRC, "runtime", "session.ts")]])).toEqual([
      "src/compiler/compile.ts -> src/runtime/session.ts (compiler may import (root), base, diagnostics, facts, files, inventory, parser, plan, windows)",
    ]);
    expect(violations([[compiler, join(SRC, "parser", "parse.ts")]])).toEqual([]);
    expect(importsOf(join(SRC, "compiler", "compile.ts")).length).toBeGreaterThan(0);
  });
});
