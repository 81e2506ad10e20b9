/**
 * The class behind "damage read as less work done": whatever happens to a journal's bytes
 * (a flipped byte, a cut anywhere, lines deleted, repeated, swapped, garbage inserted), the
 * reader either reports damage or returns records that are the journal's own, in order,
 * reaching at least the record its mark vouches for. Never a shorter or altered history.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkJournal, type JournalRecord, recordChecksum } from "../../src/runtime/journal.js";

interface Written {
  readonly text: string;
  readonly records: readonly JournalRecord[];
}

/** A chained journal of `n` records, as the writer makes them. */
function written(n: number): Written {
  const records: JournalRecord[] = [];
  let prev = "";
  for (let seq = 1; seq <= n; seq++) {
    const base = { type: seq === 1 ? ("run-started" as const) : ("step-succeeded" as const), step: `s${seq}`, seq, time: "2026-12-05T22:00:00.000Z", run: "r", prev };
    const record: JournalRecord = { ...base, sum: recordChecksum(base) };
    records.push(record);
    prev = record.sum;
  }
  return { text: records.map((r) => JSON.stringify(r)).join("\n") + "\n", records };
}

type Mutation =
  | { readonly kind: "flip"; readonly at: number; readonly by: number }
  | { readonly kind: "truncate"; readonly at: number }
  | { readonly kind: "cut"; readonly from: number; readonly length: number }
  | { readonly kind: "drop-lines"; readonly from: number; readonly count: number }
  | { readonly kind: "repeat-line"; readonly line: number }
  | { readonly kind: "swap-lines"; readonly a: number; readonly b: number }
  | { readonly kind: "insert"; readonly at: number; readonly text: string };

const fraction = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fraction, by: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant("truncate" as const), at: fraction }),
  fc.record({ kind: fc.constant("cut" as const), from: fraction, length: fc.integer({ min: 1, max: 400 }) }),
  fc.record({ kind: fc.constant("drop-lines" as const), from: fraction, count: fc.integer({ min: 1, max: 10 }) }),
  fc.record({ kind: fc.constant("repeat-line" as const), line: fraction }),
  fc.record({ kind: fc.constant("swap-lines" as const), a: fraction, b: fraction }),
  fc.record({ kind: fc.constant("insert" as const), at: fraction, text: fc.string({ minLength: 1, maxLength: 20 }) }),
) as fc.Arbitrary<Mutation>;

function mutate(text: string, m: Mutation): string {
  const pos = (f: number, size: number) => Math.floor(f * size);
  const lines = text.split("\n").slice(0, -1);
  const joined = (ls: readonly string[]) => ls.join("\n") + "\n";
  switch (m.kind) {
    case "flip": {
      const at = pos(m.at, text.length);
      return text.slice(0, at) + String.fromCharCode((text.charCodeAt(at) + m.by) % 256) + text.slice(at + 1);
    }
    case "truncate":
      return text.slice(0, pos(m.at, text.length));
    case "cut": {
      const from = pos(m.from, text.length);
      return text.slice(0, from) + text.slice(from + m.length);
    }
    case "drop-lines": {
      const from = pos(m.from, lines.length);
      return joined([...lines.slice(0, from), ...lines.slice(from + m.count)]);
    }
    case "repeat-line": {
      const at = pos(m.line, lines.length);
      return joined([...lines.slice(0, at + 1), lines[at] ?? "", ...lines.slice(at + 1)]);
    }
    case "swap-lines": {
      const a = pos(m.a, lines.length);
      const b = pos(m.b, lines.length);
      const out = [...lines];
      out[a] = lines[b] ?? "";
      out[b] = lines[a] ?? "";
      return joined(out);
    }
    case "insert": {
      const at = pos(m.at, text.length + 1);
      return text.slice(0, at) + m.text + text.slice(at);
    }
  }
}

describe("the journal reader over damaged bytes", () => {
  it("reports damage, or reads the journal's own records up to at least its mark", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fraction, mutation, (n, markAt, m) => {
        const journal = written(n);
        const markSeq = 1 + Math.floor(markAt * n);
        const mark = JSON.stringify({ seq: markSeq, sum: journal.records[markSeq - 1]?.sum });
        const text = mutate(journal.text, m);
        const read = checkJournal(text, mark, "r");
        if (text === journal.text) {
          expect(read.damage).toBeNull();
          expect(read.records).toEqual(journal.records);
          return;
        }
        if (read.damage !== null) return;
        expect(read.records.length).toBeGreaterThanOrEqual(markSeq);
        expect(read.records).toEqual(journal.records.slice(0, read.records.length));
      }),
      { numRuns: 2000 },
    );
  });

  it("without a mark, a chained journal is damaged; with a garbled mark too", () => {
    const journal = written(5);
    expect(checkJournal(journal.text, null, "r").damage).toMatchObject({ file: "mark" });
    expect(checkJournal(journal.text, "{", "r").damage).toMatchObject({ file: "mark" });
    expect(checkJournal(journal.text, JSON.stringify({ seq: 5, sum: journal.records[4]?.sum }), "r").damage).toBeNull();
  });
});
