/**
 * The grammar's documentation and the CST types are generated from the parser; this fails
 * when a checked-in copy is stale. Regenerate with: npx tsx grammar/generate.ts
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generatedGrammarFiles, grammarEbnf } from "../../src/parser/grammar-docs.js";
import { statementKeywords } from "../../src/parser/grammar.js";
import { allTokens, keywords } from "../../src/parser/tokens.js";

const root = join(import.meta.dirname, "..", "..");

describe("generated grammar files", () => {
  it.each(generatedGrammarFiles().map((f) => [f.path, f.text] as const))("%s is up to date (npx tsx grammar/generate.ts)", (path, text) => {
    expect(readFileSync(join(root, path), "utf8") === text, `${path} is stale: run npx tsx grammar/generate.ts`).toBe(true);
  });

  it("defines every rule it refers to", () => {
    const ebnf = grammarEbnf();
    const defined = new Set([...ebnf.matchAll(/^(\w+) ::=/gm)].map((m) => m[1]));
    const syntactic = ebnf.slice(0, ebnf.indexOf("/* ---- lexical rules"));
    const bodies = syntactic.replace(/\/\*[\s\S]*?\*\//g, "").replace(/'[^']*'/g, "");
    const used = new Set([...bodies.matchAll(/\b([A-Za-z_]\w*)\b/g)].map((m) => m[1]).filter((w) => w !== undefined && /^[a-z]/.test(w)));
    for (const name of used) expect(defined, `rule ${name} is used but not defined`).toContain(name);
  });
});

describe("keywords", () => {
  it("has a token for every keyword and every statement keyword is a keyword", () => {
    const tokenPatterns = new Set(allTokens.map((t) => (typeof t.PATTERN === "string" ? t.PATTERN : "")));
    for (const k of keywords) expect(tokenPatterns).toContain(k);
    for (const list of Object.values(statementKeywords)) for (const k of list) expect(keywords).toContain(k);
  });
});
