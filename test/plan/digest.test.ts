import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../src/plan/digest.js";

/** The reference definition: JSON.stringify of a copy with keys sorted. */
function reference(value: unknown): string {
  const sortKeys = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sortKeys);
    if (v !== null && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(v).sort()) {
        const x = (v as Record<string, unknown>)[key];
        if (x !== undefined) out[key] = sortKeys(x);
      }
      return out;
    }
    return v;
  };
  return JSON.stringify(sortKeys(value));
}

describe("canonicalJson", () => {
  it("writes what JSON.stringify of a key-sorted copy writes", () => {
    const key = fc.oneof(fc.string(), fc.constantFrom("10", "2", "0", "01", "-1", "4294967295", "4294967294", "a", "B", "é"));
    const value = fc.letrec((tie) => ({
      leaf: fc.oneof(fc.string(), fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined)),
      node: fc.oneof({ depthSize: "small" }, tie("leaf"), fc.array(tie("node")), fc.dictionary(key, tie("node"))),
    })).node;
    fc.assert(
      fc.property(value, (v) => {
        expect(canonicalJson(v)).toBe(reference(v));
      }),
      { numRuns: 500 },
    );
    const parsed = JSON.parse('{"__proto__": {"x": 1}, "b": [1, {"__proto__": 2}], "a": 2}') as unknown;
    expect(canonicalJson(parsed)).toBe(reference(parsed));
    expect(canonicalJson({ b: 1, a: [undefined, () => 1, { d: undefined, c: -0 }], 10: "x", 9: "y" })).toBe(reference({ b: 1, a: [undefined, () => 1, { d: undefined, c: -0 }], 10: "x", 9: "y" }));
    // An object whose toJSON is inherited and which has no keys of its own is written as its (empty) copy.
    const dated = { at: new Date(0), z: { toJSON: () => "t", y: 1 } };
    expect(canonicalJson(dated)).toBe(reference(dated));
  });
});
