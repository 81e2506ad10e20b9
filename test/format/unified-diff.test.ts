/**
 * The unified diff `fmt --diff` prints: applied to the old text (as `patch` would, hunk by
 * hunk, checking every context and removed line) it gives the new text; its edits are as
 * few as the longest common subsequence allows; and it reads as `diff -u` prints it.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { unifiedDiff } from "../../src/format/unified-diff.js";

/** The lines of a text with their newlines. */
function linesOf(text: string): string[] {
  return text === "" ? [] : text.split(/(?<=\n)/);
}

/** Applies a unified diff; throws when a context or removed line does not match. */
function applyPatch(before: string, diff: string): string {
  if (diff === "") return before;
  const old = linesOf(before);
  const out: string[] = [];
  const lines = diff.split("\n");
  expect(lines[0]?.startsWith("--- ")).toBe(true);
  expect(lines[1]?.startsWith("+++ ")).toBe(true);
  let at = 0;
  let i = 2;
  while (i < lines.length && lines[i] !== "") {
    const header = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@$/.exec(lines[i] ?? "");
    if (header === null) throw new Error(`bad hunk header: ${lines[i]}`);
    const start = Number(header[1]);
    const count = header[2] === undefined ? 1 : Number(header[2]);
    const begin = count === 0 ? start : start - 1;
    while (at < begin) out.push(old[at++] ?? "");
    i++;
    while (i < lines.length && /^[ +-]/.test(lines[i] ?? "")) {
      const line = lines[i] ?? "";
      const noNewline = lines[i + 1] === "\\ No newline at end of file";
      const text = line.slice(1) + (noNewline ? "" : "\n");
      if (line[0] === "+") out.push(text);
      else {
        if (old[at] !== text) throw new Error(`line ${at + 1} does not match: ${JSON.stringify(old[at])} vs ${JSON.stringify(text)}`);
        if (line[0] === " ") out.push(text);
        at++;
      }
      i += noNewline ? 2 : 1;
    }
  }
  while (at < old.length) out.push(old[at++] ?? "");
  return out.join("");
}

function lcs(a: readonly string[], b: readonly string[]): number {
  let previous = new Array<number>(b.length + 1).fill(0);
  for (const x of a) {
    const row = [0];
    b.forEach((y, j) => row.push(x === y ? (previous[j] ?? 0) + 1 : Math.max(previous[j + 1] ?? 0, row[j] ?? 0)));
    previous = row;
  }
  return previous[b.length] ?? 0;
}

const text = fc.array(fc.constantFrom("a\n", "b\n", "c\n", "d\n", "e\n", "f\n"), { maxLength: 40 }).chain((lines) =>
  fc.constantFrom(lines.join(""), lines.join("").replace(/\n$/, "")),
);

describe("unifiedDiff", () => {
  it("prints a hunk with three lines of context as diff -u does", () => {
    const before = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
    const after = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n";
    expect(unifiedDiff(before, after, "x.upg", "x.upg")).toBe("--- x.upg\n+++ x.upg\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n");
  });

  it("says when the last line has no newline", () => {
    expect(unifiedDiff("a", "a\n", "f", "f")).toBe("--- f\n+++ f\n@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+a\n");
  });

  it("is empty for equal texts", () => {
    expect(unifiedDiff("a\nb\n", "a\nb\n", "f", "f")).toBe("");
  });

  it("applied to the old text gives the new one, with the fewest edits", () => {
    fc.assert(
      fc.property(text, text, (before, after) => {
        const diff = unifiedDiff(before, after, "f", "f");
        expect(applyPatch(before, diff)).toBe(after);
        const edits = diff.split("\n").filter((l) => /^[+-](?![+-]{2} )/.test(l)).length;
        const a = linesOf(before);
        const b = linesOf(after);
        expect(edits).toBe(a.length + b.length - 2 * lcs(a, b));
      }),
      { numRuns: 500 },
    );
  });
});
