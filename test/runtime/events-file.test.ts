/**
 * `--events FILE`: `run` writes each line at once (tools follow the file as it grows);
 * `simulate` buffers. Both must leave the same bytes: every line, in order, after whatever
 * the file held before, whatever the records hold (text of any width in UTF-8).
 */
import fc from "fast-check";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EventsFile, RecordChain } from "../../src/runtime/events.js";
import type { JournalRecordInput } from "../../src/runtime/journal.js";

const dir = mkdtempSync(join(tmpdir(), "upgradec-events-file-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
/** The bytes `records` leave in a file that held `before`, written buffered or not. */
function written(records: readonly JournalRecordInput[], before: string, buffered: boolean): Buffer {
  const path = join(dir, `events-${++files}.jsonl`);
  writeFileSync(path, before);
  const file = new EventsFile(path, { buffered });
  const chain = new RecordChain("simulate", (t) => t);
  records.forEach((input, i) => file.write(chain.next(input, new Date(Date.UTC(2026, 11, 5, 22, 0, i)).toISOString())));
  file.close();
  return readFileSync(path);
}

const failure = (i: number, message: string): JournalRecordInput => ({ type: "step-failed", step: `svc/b1/h${i}/upgrade`, host: `h${i}`, message, exitCode: 1 });

describe("EventsFile", () => {
  it("buffered, writes the same bytes as line by line, for any records and any earlier content", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: "grapheme", maxLength: 40 }), { maxLength: 30 }), fc.string({ maxLength: 20 }), (messages, before) => {
        const records = messages.map((m, i) => failure(i, m));
        expect(written(records, before, true)).toEqual(written(records, before, false));
      }),
      { numRuns: 60 },
    );
  });

  it("buffered, loses nothing across its flushes: several megabytes of multi-byte text arrive whole and in order", () => {
    const records = Array.from({ length: 6000 }, (_, i) => failure(i, `évacuation échouée ✗ ${"ü".repeat(300)} #${i}`));
    const buffered = written(records, "earlier line\n", true);
    expect(buffered.length).toBeGreaterThan(3 * 2 ** 20);
    expect(buffered.equals(written(records, "earlier line\n", false))).toBe(true);
    const lines = buffered.toString("utf8").split("\n");
    expect(lines[0]).toBe("earlier line");
    expect(lines.slice(1, -1).map((l) => (JSON.parse(l) as { seq: number }).seq)).toEqual(records.map((_, i) => i + 1));
  });
});
