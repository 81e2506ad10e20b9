/**
 * "did you mean" by edit distance (HCL's didyoumean.go): the nearest candidate, if it is
 * near enough to be a plausible typo.
 */

/** Optimal string alignment distance: Levenshtein plus transposition of neighbours (`rolilng`). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  const at = (i: number, j: number): number => d[i * cols + j] ?? 0;
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      d[i * cols + j] = best;
    }
  }
  return at(a.length, b.length);
}

const MAX_SUGGESTED_LENGTH = 100;

/**
 * The candidate nearest to `word`, or undefined when none is close: at most a third of the
 * word's length in edits (at least 1, at most 3). Ties go to the earlier candidate, so pass
 * candidates in a stable order.
 */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  // A typo is short: past this length no word is a typo of another, and the distance
  // (quadratic in the lengths) would take seconds on hostile input.
  if (word.length > MAX_SUGGESTED_LENGTH) return undefined;
  const limit = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (candidate === word) continue;
    // Lengths further apart than the limit cannot be within it.
    if (Math.abs(candidate.length - word.length) > limit) continue;
    const distance = candidate.toLowerCase() === lower ? 0.5 : editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= limit ? best : undefined;
}
