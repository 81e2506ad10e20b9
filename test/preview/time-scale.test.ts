import { describe, expect, it } from "vitest";
import { FOLDED_WIDTH, timeScale } from "../../src/preview/time-scale.js";

describe("the timeline's scale", () => {
  it("is linear when work never stops for long", () => {
    const s = timeScale([[0, 600], [700, 1000]], 1000, 100, 1000);
    expect(s.segments).toHaveLength(1);
    expect(s.x(0)).toBe(100);
    expect(s.x(500)).toBe(600);
    expect(s.x(1000)).toBe(1100);
    expect(s.x(5000)).toBe(1100);
  });

  it("folds a long idle stretch and keeps time monotonic", () => {
    const hour = 3600;
    const s = timeScale([[0, 2 * hour], [24 * hour, 26 * hour]], 26 * hour, 0, 1000);
    expect(s.segments.map((g) => g.folded)).toEqual([false, true, false]);
    const fold = s.segments[1];
    expect((fold?.x1 ?? 0) - (fold?.x0 ?? 0)).toBe(FOLDED_WIDTH);
    // The busy hours share the width equally; the 22 idle hours take only the fold.
    expect(s.x(2 * hour)).toBeCloseTo((1000 - FOLDED_WIDTH) / 2);
    expect(s.x(26 * hour)).toBeCloseTo(1000);
    let last = -1;
    for (let t = 0; t <= 26 * hour; t += 600) {
      expect(s.x(t)).toBeGreaterThanOrEqual(last);
      last = s.x(t);
    }
  });

  it("handles an empty plan", () => {
    const s = timeScale([], 0, 10, 100);
    expect(s.x(0)).toBe(10);
  });
});
