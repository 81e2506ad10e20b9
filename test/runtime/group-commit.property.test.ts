/**
 * The journal's guarantee under group commit, whatever the graph, the parallelism, the
 * commands' lengths and the fsyncs' latencies (which may end out of order): no item starts
 * before its own start record is durable, nor before the end records of the items it depends
 * on are; and when the loop returns, every record it was given is durable.
 *
 * The model of durability is the file's: a commit writes what is buffered, and its fsync,
 * when it ends, makes durable everything written before it was issued.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { PlanStep } from "../../src/plan/plan.js";
import { CapTracker } from "../../src/runtime/caps.js";
import { systemClock } from "../../src/runtime/effects.js";
import { type Outcome, type WorkItem, runEngine } from "../../src/runtime/engine.js";
import { makePlan, step } from "../support/plan-builder.js";
import { tempDir } from "../support/temp-dir.js";

interface Case {
  /** Per item: the earlier items it depends on, how many ticks it runs, whether it fails. */
  readonly items: readonly { readonly deps: readonly number[]; readonly ticks: number; readonly fails: boolean }[];
  readonly parallelism: number;
  /** The latency of each commit in ticks, in turn (repeating). */
  readonly fsyncTicks: readonly number[];
}

const caseArb: fc.Arbitrary<Case> = fc
  .integer({ min: 1, max: 14 })
  .chain((n) =>
    fc.record({
      items: fc.tuple(
        ...Array.from({ length: n }, (_, i) =>
          fc.record({
            deps: i === 0 ? fc.constant([]) : fc.uniqueArray(fc.integer({ min: 0, max: i - 1 }), { maxLength: 3 }),
            ticks: fc.integer({ min: 0, max: 4 }),
            fails: fc.boolean().map((b) => b && Math.random() < 0.3),
          }),
        ),
      ),
      parallelism: fc.integer({ min: 1, max: 5 }),
      fsyncTicks: fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 8 }),
    }),
  );

/** Resolves after `n` turns of the event loop. */
async function ticks(n: number): Promise<void> {
  for (let k = 0; k < n; k++) await new Promise<void>((resolve) => setImmediate(resolve));
}

async function check(c: Case, plan: ReturnType<typeof makePlan>): Promise<void> {
  const id = (i: number): string => `s${i}`;
  const items: WorkItem[] = c.items.map((it, i) => ({ step: step(id(i)), deps: it.deps.map(id) }));
  const byId = new Map(c.items.map((it, i) => [id(i), it]));
  const buffered: string[] = [];
  const written: string[] = [];
  const durable = new Set<string>();
  const violations: string[] = [];
  let commits = 0;

  const outcomeOf = async (s: PlanStep): Promise<Outcome> => {
    const it = byId.get(s.id);
    const deps = items.find((w) => w.step.id === s.id)?.deps ?? [];
    if (!durable.has(`start ${s.id}`)) violations.push(`${s.id} started before its start record was durable`);
    for (const d of deps) if (!durable.has(`end ${d}`)) violations.push(`${s.id} started before the end of ${d}, its dependency, was durable`);
    await ticks(it?.ticks ?? 0);
    return it?.fails === true ? { ok: false, message: "failed", rollback: false } : { ok: true };
  };

  await runEngine({
    items,
    parallelism: c.parallelism,
    clock: systemClock,
    caps: new CapTracker(plan),
    chainsOf: () => [],
    initiallyActive: new Set(),
    hooks: {
      gate: () => ({ kind: "go" }),
      onStart: (s) => void buffered.push(`start ${s.id}`),
      execute: (s) => outcomeOf(s),
      onEnd: (s) => {
        buffered.push(`end ${s.id}`);
        return {};
      },
      commit: async () => {
        written.push(...buffered.splice(0));
        const upTo = written.length;
        const latency = c.fsyncTicks[commits % c.fsyncTicks.length] ?? 0;
        commits += 1;
        await ticks(latency);
        for (const r of written.slice(0, upTo)) durable.add(r);
      },
    },
  });
  expect(violations).toEqual([]);
  expect(buffered).toEqual([]);
  expect(written.filter((r) => !durable.has(r))).toEqual([]);
}

describe("group commit (property)", () => {
  it("starts nothing before its start and its dependencies' ends are durable, and returns with every record durable", async () => {
    const plan = makePlan({ dir: tempDir(), hosts: [], services: [], steps: [] });
    await fc.assert(
      fc.asyncProperty(caseArb, (c) => check(c, plan)),
      { numRuns: 300 },
    );
  });
});
