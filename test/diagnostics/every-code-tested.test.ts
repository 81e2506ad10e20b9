/**
 * Every code of the registry is met by a test or a golden fixture: a code nobody tests is a
 * message nobody has seen. A code counts as tested when test/ names it outside this file.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { codes } from "../../src/diagnostics/codes.js";

const TEST = resolve(import.meta.dirname, "..");
const SELF = resolve(import.meta.filename);

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "node_modules" ? [] : filesUnder(path);
    return /\.(ts|upg|txt|json|ini|ya?ml)$/.test(name) ? [path] : [];
  });
}

/** The codes no text names. */
function untested(all: readonly string[], texts: readonly string[]): string[] {
  const named = new Set<string>();
  for (const text of texts) for (const m of text.matchAll(/UPG\d{4}/g)) named.add(m[0]);
  return all.filter((code) => !named.has(code));
}

describe("the registry's codes", () => {
  it("each is named by a test or a golden fixture", () => {
    const texts = filesUnder(TEST)
      .filter((path) => path !== SELF)
      .map((path) => readFileSync(path, "utf8"));
    expect(untested(Object.keys(codes), texts)).toEqual([]);
  });

  it("a code named nowhere is reported", () => {
    expect(untested(["UPG0001", "UPG0002"], ["error UPG0001: internal"])).toEqual(["UPG0002"]);
  });
});
