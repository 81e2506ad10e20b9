/**
 * batch-finished, over every order of records and every split of a run into sessions: a
 * batch is told finished exactly once, at the record that completed it (every step of it
 * in the run's scope done), never before, and never again in a later session.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { JournalRecord, JournalType } from "../../src/runtime/journal.js";
import { RunEvents } from "../../src/runtime/notify-events.js";
import { argv, host, makePlan, rollingSteps } from "../support/plan-builder.js";
import { tempDir } from "../support/temp-dir.js";

const dir = tempDir("upgradec-notify-events-");
const { steps, services } = rollingSteps(
  [
    { name: "api", hosts: ["a1", "a2", "a3"], batches: [1, 2], maxUnavailable: 2 },
    { name: "cmp", hosts: ["c1", "c2", "c3", "c4"], batches: [1, 1, 2], maxUnavailable: 2 },
  ],
  (id) => argv(["true", id]),
);
const plan = makePlan({ dir, hosts: ["a1", "a2", "a3", "c1", "c2", "c3", "c4"].map((h) => host(h)), services, steps });
const batchKey = (id: string): string | null => {
  const s = plan.steps.find((x) => x.id === id);
  return s === undefined || s.batch === null || s.service === null ? null : `${s.service}#${s.batch + 1}`;
};

function record(type: JournalType, seq: number, extra: Partial<JournalRecord> = {}): JournalRecord {
  return { type, seq, time: new Date(seq * 1000).toISOString(), run: "r", sum: "", ...extra };
}

// Half the records on one batch's steps, so batches complete, break and complete again.
const busy = plan.steps.filter((s) => batchKey(s.id) === "api#1").map((s) => s.id);
const op = fc.record({ step: fc.oneof(fc.constantFrom(...busy), fc.constantFrom(...plan.steps.map((s) => s.id))), type: fc.constantFrom<JournalType>("step-started", "step-succeeded", "step-succeeded", "step-failed", "step-skipped") });

describe("RunEvents: batch-finished", () => {
  it("fires once per batch, at the record that completes it, across sessions", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), fc.nat(), fc.option(fc.subarray(plan.steps.map((s) => s.id), { minLength: 1 })), (ops, cut, only) => {
        const records = [record("run-started", 1, only !== null ? { only } : {}), ...ops.map((o, i) => record(o.type, i + 2, { step: o.step }))];
        const split = 1 + (cut % records.length);
        const inScope = (id: string): boolean => only === null || only.includes(id);
        // The model: done steps after each record, and the batch each record completes.
        const done = new Set<string>();
        const complete = (key: string): boolean => {
          const members = plan.steps.filter((s) => batchKey(s.id) === key && inScope(s.id));
          return members.length > 0 && members.every((s) => done.has(s.id));
        };
        const told = new Set<string>();
        const expected: string[] = [];
        records.forEach((r, i) => {
          if (r.step === undefined) return;
          if (r.type === "step-succeeded" || r.type === "step-skipped") done.add(r.step);
          else done.delete(r.step);
          const key = batchKey(r.step);
          if (key === null || !done.has(r.step) || told.has(key) || !complete(key)) return;
          told.add(key);
          // Finished before the split: the earlier session told it; the later one must not again.
          if (i >= split) expected.push(key);
        });
        // The batches already complete when the later session starts count as told.
        const events = new RunEvents(plan, records.slice(0, split));
        const got = records.slice(split).flatMap((r) => events.onRecord(r).filter((d) => d.event === "batch-finished").map((d) => `${d.service}#${d.batch}`));
        expect(got).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it("does not tell again, in a later session, a batch told finished earlier and undone since", () => {
    const batch = plan.steps.filter((s) => batchKey(s.id) === "api#1").map((s) => s.id);
    const records = [record("run-started", 1), ...batch.map((id, i) => record("step-succeeded", i + 2, { step: id }))];
    const undone = record("step-failed", records.length + 1, { step: batch[0] ?? "" });
    const earlier = [...records, undone];
    const events = new RunEvents(plan, earlier);
    expect(events.onRecord(record("step-succeeded", earlier.length + 1, { step: batch[0] ?? "" }))).toEqual([]);
  });
});
