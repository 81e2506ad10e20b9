/**
 * Test helpers for the parser, Langium style: parse a source that must be clean, or one with
 * expected diagnostics, and locate spans by markers written in the source itself.
 *
 * Markers: `⟦` and `⟧` around a piece of source mark a range; they are removed before
 * parsing, and `ranges[i]` is the i-th marked range in the cleaned text (in order of `⟦`).
 */
import { expect } from "vitest";
import type { Diagnostic, Span } from "../../src/diagnostics/diagnostic.js";
import type { Declaration, Node, SourceFile } from "../../src/parser/ast.js";
import { parse } from "../../src/parser/parse.js";

export const FILE = "test.upg";

export interface Marked {
  readonly text: string;
  readonly ranges: readonly { readonly start: number; readonly end: number }[];
}

export function mark(source: string): Marked {
  let text = "";
  const opens: number[] = [];
  const ranges: { start: number; end: number; order: number }[] = [];
  let order = 0;
  for (const ch of source) {
    if (ch === "⟦") opens.push(order++, text.length);
    else if (ch === "⟧") {
      const start = opens.pop();
      const o = opens.pop();
      if (start === undefined || o === undefined) throw new Error("unbalanced markers");
      ranges.push({ start, end: text.length, order: o });
    } else text += ch;
  }
  if (opens.length > 0) throw new Error("unbalanced markers");
  ranges.sort((a, b) => a.order - b.order);
  return { text, ranges: ranges.map(({ start, end }) => ({ start, end })) };
}

/** Parses a source that must have no diagnostics; returns the AST and the marked ranges. */
export function parseOk(source: string): { file: SourceFile; ranges: Marked["ranges"]; text: string } {
  const { text, ranges } = mark(source);
  const result = parse(text, FILE);
  expect(result.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
  return { file: result.value, ranges, text };
}

/** Parses a source expected to have diagnostics. */
export function parseWithErrors(source: string): { file: SourceFile; diagnostics: readonly Diagnostic[]; ranges: Marked["ranges"]; text: string } {
  const { text, ranges } = mark(source);
  const result = parse(text, FILE);
  return { file: result.value, diagnostics: result.diagnostics, ranges, text };
}

/** The only declaration of a file, of the given type. */
export function only<T extends Declaration["type"]>(file: SourceFile, type: T): Extract<Declaration, { type: T }> {
  expect(file.declarations).toHaveLength(1);
  const decl = file.declarations[0];
  expect(decl?.type).toBe(type);
  return decl as Extract<Declaration, { type: T }>;
}

export function spanOf(range: { start: number; end: number } | undefined): Span {
  if (!range) throw new Error("no such marked range");
  return { file: FILE, start: range.start, end: range.end };
}

/** Asserts a node (or span) covers exactly the marked range. */
export function expectAt(node: Node | Span | undefined, range: { start: number; end: number } | undefined): void {
  expect(node, "node is missing").toBeDefined();
  const span = node && "span" in node ? node.span : (node as Span);
  expect({ start: span.start, end: span.end }).toEqual({ start: range?.start, end: range?.end });
}

/** Every span in a value, recursively (nodes, labels, diagnostics). */
export function allSpans(value: unknown, into: Span[] = []): Span[] {
  if (Array.isArray(value)) {
    for (const v of value) allSpans(v, into);
  } else if (value !== null && typeof value === "object") {
    const o = value as Record<string, unknown>;
    if (typeof o["start"] === "number" && typeof o["end"] === "number" && typeof o["file"] === "string") into.push(o as unknown as Span);
    for (const v of Object.values(o)) allSpans(v, into);
  }
  return into;
}

/** Asserts every node has a span, recursively: an object with a `kind`, `type`, `text` or `value` field is a node. */
export function expectSpansEverywhere(value: unknown, path = "file"): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => expectSpansEverywhere(v, `${path}[${i}]`));
    return;
  }
  if (value === null || typeof value !== "object") return;
  const o = value as Record<string, unknown>;
  if ("file" in o && "start" in o) return;
  const looksLikeNode = "kind" in o || "type" in o || "text" in o || "value" in o;
  // Wrappers the AST contract gives no span of their own: their parts have one.
  const wrapper = [".options", ".target", ".source"].some((w) => path.endsWith(w));
  if (looksLikeNode && !wrapper) expect(o["span"], `${path} has no span`).toBeDefined();
  for (const [k, v] of Object.entries(o)) expectSpansEverywhere(v, `${path}.${k}`);
}

/**
 * Asserts a source has exactly one diagnostic, with this code, at the one marked range
 * (Langium's expectError): `expectError("service s { ⟦rollling⟧ {} }", "UPG0102")`.
 */
export function expectError(source: string, code: string, message?: string | RegExp): Diagnostic {
  const { diagnostics, ranges } = parseWithErrors(source);
  expect(diagnostics.map((d) => `${d.code} ${d.message}`)).toHaveLength(1);
  const diagnostic = diagnostics[0] as Diagnostic;
  expect(diagnostic.code).toBe(code);
  if (message !== undefined) expect(diagnostic.message).toMatch(message);
  expect(ranges.length, "mark where the diagnostic belongs with ⟦ ⟧").toBe(1);
  expectAt(diagnostic.span, ranges[0]);
  return diagnostic;
}
