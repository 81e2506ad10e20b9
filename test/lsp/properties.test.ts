/**
 * The language server's answers never throw, whatever the text: on the examples and the
 * standard library, cut, spliced and sprinkled with tokens (as a file is while it is typed),
 * hover, completion, the outline and the name index answer at any offset, and every span
 * they give lies inside its file.
 */
import fc from "fast-check";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { analyze } from "../../src/lsp/analysis.js";
import { completionsAt } from "../../src/lsp/completion.js";
import { hoverAt } from "../../src/lsp/hover.js";
import { SourceMap } from "../../src/lsp/locations.js";
import { outlineOf } from "../../src/lsp/outline.js";

const root = join(import.meta.dirname, "..", "..");
const sources = [
  ...readdirSync(join(root, "examples")).flatMap((d) =>
    readdirSync(join(root, "examples", d))
      .filter((f) => f.endsWith(".upg"))
      .map((f) => join(root, "examples", d, f)),
  ),
];
const texts = new Map(sources.map((f) => [f, readFileSync(f, "utf8")]));
const snippets = ["{", "}", "window ", "on ", "after ", '"{', "service x extends ", "rolling { batch ", ",", "\n", "#", "openstack.", "cmp[1-", "takes 5"];

describe("the language server never throws", () => {
  it("answers hover, completion, outline and definitions at any offset of an edited example", () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.nat(), fc.constantFrom(...snippets), fc.nat(), (which, cut, splice, snippet, at) => {
        const file = sources[which % sources.length] as string;
        const original = texts.get(file) ?? "";
        const from = cut % (original.length + 1);
        const edited = original.slice(0, from) + snippet + original.slice(Math.min(original.length, from + (splice % 40)));
        const analysis = analyze(file, (path) => (path === file ? edited : undefined), new Date("2026-12-01T00:00:00Z"));
        const shown = analysis.result.program?.files[0]?.path;
        if (shown === undefined) return;
        const offset = at % (edited.length + 1);
        const map = new SourceMap(analysis);
        const hover = hoverAt(analysis, shown, offset, new Date("2026-12-01T00:00:00Z"));
        if (hover) {
          const text = analysis.result.texts.get(hover.span.file) ?? "";
          expect(hover.span.start).toBeGreaterThanOrEqual(0);
          expect(hover.span.end).toBeLessThanOrEqual(text.length);
        }
        completionsAt(analysis, edited, offset);
        const occurrence = analysis.index.at(shown, offset);
        if (occurrence) analysis.index.uses(occurrence.kind, occurrence.name).forEach((o) => map.location(o.span));
        const ast = analysis.result.program?.files[0]?.ast;
        if (ast) outlineOf(ast, map);
      }),
      { numRuns: 60 },
    );
  }, 120_000);
});
