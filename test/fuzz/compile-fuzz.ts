/**
 * Fuzzing the compile pipeline with mutated real inputs (the examples, the error fixtures,
 * their inventories): shared by the fuzz test in CI (test/fuzz/compile.fuzz.test.ts, a
 * bounded time) and the long run (bench/fuzz.ts). An input is an entry .upg file and one
 * file of its project (itself or its inventory) with a few byte-level mutations; every other
 * file is read from the repository as it is. What must hold for every input:
 *   - no exception escapes, and no internal-error diagnostic (UPG0001) is made;
 *   - every diagnostic's span, and every label's, lies inside a text the renderer has;
 *   - the rendered text is bounded and holds no control character but newline and tab.
 */
import { readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve as resolvePath } from "node:path";
import fc from "fast-check";
import { compileFile } from "../../src/compiler/compile.js";
import { decodeUtf8, readFileText } from "../../src/files/file-text.js";
import { nodeLoadHost } from "../../src/files/node-host.js";
import type { LoadHost } from "../../src/files/load-host.js";
import type { Diagnostic, Span } from "../../src/diagnostics/diagnostic.js";
import { diagnosticsToJson, renderDiagnostics } from "../../src/diagnostics/render.js";

export const ROOT = resolvePath(import.meta.dirname, "..", "..");

/** The rendered diagnostics of one input may not be longer than this. */
export const MAX_RENDERED = 2 * 1024 * 1024;

export interface FuzzInput {
  /** Relative to ROOT. */
  readonly entry: string;
  /** The mutated file, relative to ROOT, and its new bytes. */
  readonly target: string;
  readonly bytes: Uint8Array;
}

interface Project {
  readonly entry: string;
  /** The entry and the files beside it that it may read (inventories, vars). */
  readonly files: readonly string[];
}

/** Each .upg of examples/ and test/fixtures/errors/ with the files of its directory. */
export function corpus(): Project[] {
  const projects: Project[] = [];
  for (const dir of ["examples", "test/fixtures/errors"]) {
    for (const path of walk(join(ROOT, dir))) {
      if (!path.endsWith(".upg")) continue;
      const siblings = walk(dirname(path)).filter((p) => !/\.(txt|md|js|ts)$/.test(p) && !p.includes("/actions/"));
      projects.push({ entry: relative(ROOT, path), files: siblings.map((p) => relative(ROOT, p)) });
    }
  }
  return projects;
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...walk(full));
    else out.push(full);
  }
  return out;
}

/** Pieces of the language and of hostile text, inserted by the mutations. */
const PIECES = [
  "service x {", "}", "{", "after ", "on ", "window ", "rolling {", "batch 1", "max-unavailable 1 per az", "takes 5m",
  "cmp[0-99999999]", "cmp[001-999]", "h[1:10]", '"', "'", "..", "%", ":", "-", "#", "\n", "\r", "\t", ",", "=",
  "{host}", "{service}", "use openstack", 'use "./x.upg"', 'inventory "/dev/zero"', 'zone "Mars/Olympus"', "extends openstack.nova-compute",
  "\u001b[31m", "\u0007", "\u202e", "\u0000", "\ufeff", "😀", "é",
];

const number = fc.oneof(
  fc.integer({ min: 0, max: 999 }).map(String),
  fc.bigInt({ min: 10_000_000n, max: 10n ** 30n }).map(String),
);

type Mutation = (b: Uint8Array) => Uint8Array;

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const at = (b: Uint8Array, position: number): number => (b.length === 0 ? 0 : position % (b.length + 1));
const splice = (b: Uint8Array, start: number, end: number, insert: Uint8Array): Uint8Array => {
  const out = new Uint8Array(start + insert.length + (b.length - end));
  out.set(b.subarray(0, start), 0);
  out.set(insert, start);
  out.set(b.subarray(end), start + insert.length);
  return out;
};

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  // Insert a piece, a random string, or raw bytes.
  fc.tuple(fc.nat(), fc.constantFrom(...PIECES)).map(([p, s]): Mutation => (b) => splice(b, at(b, p), at(b, p), text(s))),
  fc.tuple(fc.nat(), fc.string({ maxLength: 20, unit: "binary" })).map(([p, s]): Mutation => (b) => splice(b, at(b, p), at(b, p), text(s))),
  fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 8 })).map(([p, bytes]): Mutation => (b) => splice(b, at(b, p), at(b, p), bytes)),
  // Delete a range, or cut the file.
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 200 })).map(([p, n]): Mutation => (b) => splice(b, at(b, p), Math.min(b.length, at(b, p) + n), new Uint8Array())),
  fc.nat().map((p): Mutation => (b) => b.subarray(0, at(b, p))),
  // Repeat a slice many times (huge files, many errors, deep nesting).
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 80 }), fc.integer({ min: 2, max: 3000 })).map(
    ([p, n, times]): Mutation =>
      (b) => {
        const start = at(b, p);
        const slice = b.subarray(start, Math.min(b.length, start + n));
        const repeated = new Uint8Array(slice.length * times);
        for (let i = 0; i < times; i++) repeated.set(slice, i * slice.length);
        return splice(b, start, start, repeated);
      },
  ),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 600 })).map(([p, n]): Mutation => (b) => splice(b, at(b, p), at(b, p), text("{".repeat(n)))),
  // Replace the digits at or after a position with another number, small or huge.
  fc.tuple(fc.nat(), number).map(
    ([p, digits]): Mutation =>
      (b) => {
        let start = at(b, p);
        while (start < b.length && !((b[start] as number) >= 48 && (b[start] as number) <= 57)) start++;
        let end = start;
        while (end < b.length && (b[end] as number) >= 48 && (b[end] as number) <= 57) end++;
        return start < b.length ? splice(b, start, end, text(digits)) : b;
      },
  ),
);

/** Inputs: a project of the corpus, one of its files, one to four mutations. */
export function inputs(projects: readonly Project[]): fc.Arbitrary<FuzzInput> {
  return fc
    .tuple(fc.constantFrom(...projects), fc.nat(), fc.boolean(), fc.array(mutation, { minLength: 1, maxLength: 4 }))
    .map(([project, pick, entryItself, mutations]) => {
      const target = entryItself ? project.entry : (project.files[pick % project.files.length] ?? project.entry);
      const original = readFileText(join(ROOT, target), 1 << 30);
      let bytes: Uint8Array = text(typeof original === "string" ? original : "");
      for (const m of mutations) bytes = m(bytes);
      return { entry: project.entry, target, bytes };
    });
}

/** The repository as it is, but for the mutated file. */
function overlayHost(input: FuzzInput): LoadHost {
  const disk = nodeLoadHost(ROOT);
  const target = join(ROOT, input.target);
  return {
    cwd: ROOT,
    readDir: (path) => disk.readDir(path),
    readFile(path, maxBytes) {
      if (path !== target) return disk.readFile(path, maxBytes);
      return input.bytes.length > maxBytes ? { refused: "is too large" } : decodeUtf8(input.bytes);
    },
  };
}

/** What went wrong with an input, or null when everything held. */
export function failureOf(input: FuzzInput): string | null {
  try {
    const result = compileFile(input.entry, overlayHost(input), {
      now: new Date("2026-12-01T12:00:00Z"),
      compilerVersion: "0.0.0-fuzz",
      start: "2026-12-05T22:00",
    });
    const internal = result.diagnostics.find((d) => d.code === "UPG0001");
    if (internal) return `internal error: ${internal.message.slice(0, 300)}`;
    for (const d of result.diagnostics) {
      const outside = spansOf(d).find((s) => !inside(s, result.texts));
      if (outside) return `${d.code} has a span outside its text: ${outside.file} ${outside.start}..${outside.end}`;
    }
    const rendered = renderDiagnostics(result.diagnostics, result.texts, { color: false });
    if (rendered.length > MAX_RENDERED) return `${rendered.length} characters of diagnostics for ${result.diagnostics.length} diagnostics`;
    // eslint-disable-next-line no-control-regex
    const control = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.exec(rendered);
    if (control) return `a control character U+${control[0].charCodeAt(0).toString(16).padStart(4, "0")} in the rendered diagnostics`;
    JSON.stringify(diagnosticsToJson(result.diagnostics, result.texts));
    return null;
  } catch (error) {
    return `threw: ${error instanceof Error ? (error.stack ?? error.message).split("\n").slice(0, 4).join(" | ") : String(error)}`;
  }
}

function spansOf(d: Diagnostic): Span[] {
  return [...(d.span ? [d.span] : []), ...(d.labels ?? []).map((l) => l.span)];
}

function inside(span: Span, texts: ReadonlyMap<string, string>): boolean {
  const text = texts.get(span.file);
  return text !== undefined && span.start >= 0 && span.start <= span.end && span.end <= text.length;
}

/** An input as a reader can reproduce it: the files, the size, and the start of what changed. */
export function describeInput(input: FuzzInput): string {
  return `${input.entry} with ${input.target} mutated (${input.bytes.length} bytes)`;
}
