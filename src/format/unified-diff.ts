/**
 * A unified diff of two texts, line by line, as `diff -u` and `git diff` print it (three
 * lines of context, hunks closer than twice that merged, `\ No newline at end of file`).
 * The edit script is Myers' shortest one ("An O(ND) Difference Algorithm", 1986), after the
 * common head and tail are set aside: a formatter's diffs are small, and this keeps their
 * cost to the lines that changed. Small enough to keep here rather than add a dependency.
 */

type Op = { readonly kind: " " | "-" | "+"; readonly line: string };

const NO_NEWLINE = "\\ No newline at end of file";

/** The diff from `before` to `after`; "" when they are equal. */
export function unifiedDiff(before: string, after: string, beforeLabel: string, afterLabel: string, context = 3): string {
  if (before === after) return "";
  const ops = editScript(linesOf(before), linesOf(after));
  const hunks = hunksOf(ops, context);
  if (hunks.length === 0) return "";
  return `--- ${beforeLabel}\n+++ ${afterLabel}\n` + hunks.map((h) => renderHunk(ops, h)).join("");
}

/** The lines of a text, each with its newline; the last one without it when the text does not end in one. */
function linesOf(text: string): string[] {
  const lines = text.split(/(?<=\n)/);
  return lines.length === 1 && lines[0] === "" ? [] : lines;
}

/** A shortest edit script from a to b (Myers), common head and tail included as equal lines. */
export function editScript(a: readonly string[], b: readonly string[]): Op[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const middle = myers(a.slice(head, a.length - tail), b.slice(head, b.length - tail));
  return [...a.slice(0, head).map(equal), ...middle, ...a.slice(a.length - tail).map(equal)];
}

function equal(line: string): Op {
  return { kind: " ", line };
}

function myers(a: readonly string[], b: readonly string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  // v[k + max]: the furthest x reached on diagonal k; trace[d] is v before step d.
  const v = new Int32Array(2 * max + 2);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    trace.push(v.slice(max - d, max + d + 2));
    for (let k = -d; k <= d; k += 2) {
      const down = k === -d || (k !== d && (v[k - 1 + max] ?? 0) < (v[k + 1 + max] ?? 0));
      let x = down ? (v[k + 1 + max] ?? 0) : (v[k - 1 + max] ?? 0) + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[k + max] = x;
      if (x >= n && y >= m) return backtrack(a, b, trace, d);
    }
  }
  return [];
}

function backtrack(a: readonly string[], b: readonly string[], trace: readonly Int32Array[], steps: number): Op[] {
  const ops: Op[] = [];
  let x = a.length;
  let y = b.length;
  for (let d = steps; d >= 0; d--) {
    const saved = trace[d] ?? new Int32Array(0);
    // saved holds diagonals -d … d+1 of v before step d, diagonal k at index k + d.
    const at = (k: number): number => saved[k + d] ?? 0;
    const k = x - y;
    const down = k === -d || (k !== d && at(k - 1) < at(k + 1));
    const previousK = down ? k + 1 : k - 1;
    const previousX = d === 0 ? 0 : at(previousK);
    const previousY = previousX - previousK;
    while (x > previousX && y > previousY) {
      ops.push(equal(a[--x] ?? ""));
      y--;
    }
    if (d === 0) break;
    if (down) ops.push({ kind: "+", line: b[--y] ?? "" });
    else ops.push({ kind: "-", line: a[--x] ?? "" });
  }
  return ops.reverse();
}

interface Hunk {
  readonly from: number;
  readonly to: number;
}

/** Ranges of ops to print: each change with its context, ranges that touch merged. */
function hunksOf(ops: readonly Op[], context: number): Hunk[] {
  const hunks: { from: number; to: number }[] = [];
  ops.forEach((op, i) => {
    if (op.kind === " ") return;
    const from = Math.max(0, i - context);
    const to = Math.min(ops.length, i + context + 1);
    const last = hunks[hunks.length - 1];
    if (last !== undefined && from <= last.to) last.to = Math.max(last.to, to);
    else hunks.push({ from, to });
  });
  return hunks;
}

function renderHunk(ops: readonly Op[], hunk: Hunk): string {
  let oldStart = 1;
  let newStart = 1;
  for (const op of ops.slice(0, hunk.from)) {
    if (op.kind !== "+") oldStart++;
    if (op.kind !== "-") newStart++;
  }
  const body = ops.slice(hunk.from, hunk.to);
  const oldCount = body.filter((op) => op.kind !== "+").length;
  const newCount = body.filter((op) => op.kind !== "-").length;
  const lines = body.map((op) => op.kind + (op.line.endsWith("\n") ? op.line : `${op.line}\n${NO_NEWLINE}\n`));
  return `@@ -${range(oldStart, oldCount)} +${range(newStart, newCount)} @@\n${lines.join("")}`;
}

/** `start,count`, `start` alone for one line, and the line before for none (as diff -u). */
function range(start: number, count: number): string {
  if (count === 1) return `${start}`;
  return `${count === 0 ? start - 1 : start},${count}`;
}
