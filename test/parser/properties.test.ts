/**
 * Properties of the parser over inputs nobody wrote: it never throws, and every span it
 * returns (of every AST node, recursively, of every diagnostic and label) lies inside the
 * source. Inputs: arbitrary strings, strings over the language's own alphabet, and random
 * mutations (deleting, inserting, duplicating, swapping token-like slices) of real sources:
 * test/parser/corpus, and examples/ and src/stdlib/ when they exist.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse } from "../../src/parser/parse.js";
import { allSpans, FILE } from "./helpers.js";

const root = join(import.meta.dirname, "..", "..");

function upgFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return upgFiles(path);
    return name.endsWith(".upg") ? [path] : [];
  });
}

const sources = [join(root, "test", "parser", "corpus"), join(root, "examples"), join(root, "src", "stdlib")]
  .flatMap(upgFiles)
  .map((path) => readFileSync(path, "utf8"));

/** Token-like slices: words, numbers, strings, punctuation, whitespace runs. */
function slices(text: string): string[] {
  return text.match(/"(?:[^"\\\n]|\\.)*"?|[A-Za-z_][\w.-]*(?:\[[^\]\n]*\])?|\d[\w:%-]*|\s+|#[^\n]*|\.\.|./g) ?? [];
}

const pieces = [...new Set(sources.flatMap(slices))];

function checkSpans(text: string): void {
  const result = parse(text, FILE);
  const spans = allSpans(result);
  for (const span of spans) {
    expect(span.file).toBe(FILE);
    expect(span.start).toBeGreaterThanOrEqual(0);
    expect(span.end).toBeGreaterThanOrEqual(span.start);
    expect(span.end).toBeLessThanOrEqual(text.length);
  }
  expect(result.value.span).toEqual({ file: FILE, start: 0, end: text.length });
}

type Mutation =
  | { readonly op: "delete"; readonly at: number; readonly count: number }
  | { readonly op: "insert"; readonly at: number; readonly piece: number }
  | { readonly op: "duplicate"; readonly at: number; readonly count: number }
  | { readonly op: "swap"; readonly at: number; readonly other: number };

function mutate(text: string, mutations: readonly Mutation[]): string {
  const parts = slices(text);
  for (const m of mutations) {
    if (parts.length === 0) break;
    const at = m.at % parts.length;
    if (m.op === "delete") parts.splice(at, m.count);
    else if (m.op === "insert") parts.splice(at, 0, pieces[m.piece % pieces.length] ?? "");
    else if (m.op === "duplicate") parts.splice(at, 0, ...parts.slice(at, at + m.count));
    else {
      const other = m.other % parts.length;
      const a = parts[at] ?? "";
      parts[at] = parts[other] ?? "";
      parts[other] = a;
    }
  }
  return parts.join("");
}

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant("delete" as const), at: fc.nat(), count: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ op: fc.constant("insert" as const), at: fc.nat(), piece: fc.nat() }),
  fc.record({ op: fc.constant("duplicate" as const), at: fc.nat(), count: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ op: fc.constant("swap" as const), at: fc.nat(), other: fc.nat() }),
);

describe("the parser never throws and keeps spans inside the source", () => {
  it("has sources to mutate", () => {
    expect(sources.length).toBeGreaterThanOrEqual(3);
  });

  it("over arbitrary strings", () => {
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 300 }), checkSpans), { numRuns: 300 });
  });

  it("over strings of the language's own pieces", () => {
    const alphabet = fc.constantFrom(...pieces, "{", "}", "[", "]", ",", "=", ";", "..", "\n", " ", '"', "\\", "#", "5x", "24:00", "cmp[1-", "\u{1F600}");
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 80 }), (parts) => checkSpans(parts.join(""))),
      { numRuns: 400 },
    );
  });

  it("over random mutations of real sources", () => {
    fc.assert(
      fc.property(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 6 }), (which, mutations) => {
        const source = sources[which % sources.length] ?? "";
        checkSpans(mutate(source, mutations));
      }),
      { numRuns: 600 },
    );
  });
});
