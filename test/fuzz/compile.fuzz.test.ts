/**
 * The compile pipeline on mutated examples, fixtures and inventories (test/fuzz/compile-fuzz.ts
 * says what must hold). Bounded in time for CI; `npx tsx bench/fuzz.ts N` runs N inputs.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { corpus, describeInput, failureOf, inputs } from "./compile-fuzz.js";

describe("the compiler on mutated sources", () => {
  it("never throws, keeps every span inside its text, and bounds what it prints", () => {
    const projects = corpus();
    expect(projects.length).toBeGreaterThan(20);
    let tried = 0;
    fc.assert(
      fc.property(inputs(projects), (input) => {
        tried++;
        const failure = failureOf(input);
        if (failure) throw new Error(`${describeInput(input)}: ${failure}`);
      }),
      { numRuns: 10_000, interruptAfterTimeLimit: 40_000, markInterruptAsFailure: false },
    );
    expect(tried).toBeGreaterThan(50);
  }, 90_000);
});
