import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { keywordDocs, keywordMarkdown } from "../../src/parser/keyword-docs.js";
import { keywords } from "../../src/parser/tokens.js";

const guide = readFileSync(join(import.meta.dirname, "..", "..", "docs", "language.md"), "utf8");
const headings = new Set(
  guide
    .split("\n")
    .filter((line) => /^#{2,4} /.test(line))
    .map((line) => line.replace(/^#+ /, "")),
);

describe("keyword documentation (hover and completion)", () => {
  it.each([...keywords])("`%s` is documented, in a section docs/language.md has, and the guide mentions it", (keyword) => {
    const doc = keywordDocs[keyword];
    expect(doc, `no entry for \`${keyword}\` in src/parser/keyword-docs.ts`).toBeDefined();
    expect(headings.has(doc?.section ?? ""), `docs/language.md has no section "${doc?.section}"`).toBe(true);
    expect(guide.includes(`\`${keyword}\``) || new RegExp(`(^|[\\s{\\[(])${keyword.replace(/-/g, "\\-")}($|[\\s}\\]),])`, "m").test(guide)).toBe(true);
    expect(keywordMarkdown(keyword)).toContain(doc?.summary ?? "?");
  });

  it("documents no word that is not a keyword", () => {
    const known = new Set<string>(keywords);
    expect(Object.keys(keywordDocs).filter((k) => !known.has(k))).toEqual([]);
  });
});
