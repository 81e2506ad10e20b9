/**
 * The Gantt chart's horizontal scale: seconds from the plan's start to pixels, linear while
 * work runs, with long idle stretches (a plan waiting two days for the next window) folded
 * to a narrow break so the work itself stays readable.
 */

export interface ScaleSegment {
  readonly from: number;
  readonly to: number;
  readonly x0: number;
  readonly x1: number;
  /** An idle stretch drawn narrower than its length. */
  readonly folded: boolean;
}

export interface TimeScale {
  readonly segments: readonly ScaleSegment[];
  x(t: number): number;
}

/** Pixels a folded gap takes. */
export const FOLDED_WIDTH = 40;

/**
 * @param busy intervals [start, end] in seconds during which something runs
 * @param total the plan's length in seconds
 * Idle gaps longer than two hours and a fiftieth of the plan are folded.
 */
export function timeScale(busy: readonly (readonly [number, number])[], total: number, x0: number, width: number): TimeScale {
  const sorted = [...busy].filter(([a, b]) => b >= a).sort((p, q) => p[0] - q[0]);
  const merged: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = merged.at(-1);
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else merged.push([a, b]);
  }
  const threshold = Math.max(7200, total * 0.02);
  const gaps: [number, number][] = [];
  let cursor = 0;
  for (const [a, b] of merged) {
    if (a - cursor > threshold) gaps.push([cursor, a]);
    cursor = Math.max(cursor, b);
  }
  if (total - cursor > threshold) gaps.push([cursor, total]);
  const folded = gaps.reduce((sum, [a, b]) => sum + (b - a), 0);
  const linear = Math.max(1, total - folded);
  const perSecond = Math.max(0, width - gaps.length * FOLDED_WIDTH) / linear;

  const segments: ScaleSegment[] = [];
  let t = 0;
  let x = x0;
  const push = (from: number, to: number, isFolded: boolean): void => {
    if (to <= from && !(from === 0 && to === 0)) return;
    const w = isFolded ? FOLDED_WIDTH : (to - from) * perSecond;
    segments.push({ from, to, x0: x, x1: x + w, folded: isFolded });
    x += w;
  };
  for (const [a, b] of gaps) {
    push(t, a, false);
    push(a, b, true);
    t = b;
  }
  push(t, Math.max(t, total), false);

  return {
    segments,
    x(time: number): number {
      const c = Math.max(0, Math.min(time, total));
      let lo = 0;
      let hi = segments.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if ((segments[mid]?.from ?? 0) <= c) lo = mid;
        else hi = mid - 1;
      }
      const s = segments[lo];
      if (!s) return x0;
      return s.to === s.from ? s.x0 : s.x0 + ((c - s.from) / (s.to - s.from)) * (s.x1 - s.x0);
    },
  };
}
