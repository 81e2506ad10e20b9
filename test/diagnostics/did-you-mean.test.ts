import { describe, expect, it } from "vitest";
import { editDistance, suggest } from "../../src/diagnostics/did-you-mean.js";

describe("editDistance", () => {
  it.each([
    ["", "", 0],
    ["abc", "", 3],
    ["rolling", "rollling", 1],
    ["rolling", "rolilng", 1],
    ["kitten", "sitting", 3],
  ])("%s → %s is %i", (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });
});

describe("suggest", () => {
  const keywords = ["rolling", "reboot", "after", "on", "takes", "timeout"];

  it("finds typos, transpositions and case slips", () => {
    expect(suggest("rollling", keywords)).toBe("rolling");
    expect(suggest("rolilng", keywords)).toBe("rolling");
    expect(suggest("Takes", keywords)).toBe("takes");
    expect(suggest("tmeout", keywords)).toBe("timeout");
  });

  it("stays quiet when nothing is near", () => {
    expect(suggest("frobnicate", keywords)).toBeUndefined();
    expect(suggest("ab", keywords)).toBeUndefined();
    expect(suggest("rolling", keywords)).toBeUndefined();
  });

  it("allows more edits for longer words, at most three", () => {
    expect(suggest("nova-condutcor", ["nova-conductor", "nova-compute"])).toBe("nova-conductor");
    expect(suggest("xxxxxxxxxxxxxxxx", ["yyyyyyyyyyyyyyyy"])).toBeUndefined();
  });

  it("prefers the first of equally near candidates", () => {
    expect(suggest("cat", ["bat", "hat"])).toBe("bat");
  });
});
