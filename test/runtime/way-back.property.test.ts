/**
 * The way back, as a class: over generated plans (a random DAG with irreversible steps and
 * checkpoints with or without a restore) and generated runs (a completed prefix of the
 * graph), the answer holds to its rule, checked by brute force, and everyone who says it
 * (rollback's undo plan, verify's advice) says the same.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { PlanFile, PlanStep } from "../../src/plan/plan.js";
import { irreversibleSteps, restoreOf, wayBack } from "../../src/plan/way-back.js";
import { planUndo } from "../../src/runtime/rollback.js";
import { EMPTY_STATE, type RunState, type StepState } from "../../src/runtime/run-state.js";
import { rollbackAdvice } from "../../src/verify/verify.js";
import { makePlan, shell, step } from "../support/plan-builder.js";

interface Shape {
  /** Per step: its dependencies (indices below it), irreversible, checkpoint with restore / marker / none. */
  readonly steps: readonly { readonly deps: readonly number[]; readonly irreversible: boolean; readonly checkpoint: "restore" | "marker" | "none" }[];
  /** How many steps (in index order, which is topological) have completed. */
  readonly done: number;
}

const shapes = fc
  .integer({ min: 1, max: 9 })
  .chain((n) =>
    fc.record({
      steps: fc.tuple(
        ...Array.from({ length: n }, (_, i) =>
          fc.record({
            deps: fc.uniqueArray(fc.integer({ min: 0, max: Math.max(0, i - 1) }), { maxLength: i === 0 ? 0 : Math.min(3, i) }),
            irreversible: fc.boolean(),
            checkpoint: fc.constantFrom("restore" as const, "marker" as const, "none" as const),
          }),
        ),
      ),
      done: fc.integer({ min: 0, max: n }),
    }),
  );

function planOf(shape: Shape): PlanFile {
  const id = (i: number) => `s${i}`;
  const steps: PlanStep[] = shape.steps.map((s, i) =>
    step(id(i), {
      after: s.deps.map(id),
      command: shell("true"),
      estimate: { start: i * 10, duration: 10 },
      checkpoint: s.checkpoint === "none" ? null : `cp${i}`,
      undo: s.checkpoint === "restore" ? shell("restore") : s.irreversible && s.checkpoint === "none" ? "irreversible" : null,
    }),
  );
  const checkpoints = shape.steps.flatMap((s, i) => (s.checkpoint === "none" ? [] : [{ name: `cp${i}`, step: id(i), restore: s.checkpoint === "restore" ? shell("restore") : null, note: null }]));
  return makePlan({ dir: "/tmp", hosts: [], services: [], steps, checkpoints });
}

function runOf(plan: PlanFile, done: number): RunState {
  const steps = new Map<string, StepState>();
  plan.steps.slice(0, done).forEach((s, i) => steps.set(s.id, { status: "succeeded", attempts: 1, message: null, host: null, succeededSeq: i + 1 }));
  return { ...EMPTY_STATE, phase: "stopped", steps };
}

function ancestors(plan: PlanFile, id: string): Set<string> {
  const byId = new Map(plan.steps.map((s) => [s.id, s]));
  const seen = new Set<string>();
  const stack = [...(byId.get(id)?.after ?? [])];
  while (stack.length > 0) {
    const next = stack.pop() as string;
    if (seen.has(next)) continue;
    seen.add(next);
    stack.push(...(byId.get(next)?.after ?? []));
  }
  return seen;
}

/** The rule, by brute force: some target (a checkpoint taken, or the start) crosses no uncovered irreversible step. */
function possibleByHand(plan: PlanFile, run: RunState): boolean {
  const done = (id: string) => run.steps.get(id)?.status === "succeeded";
  const targets: (PlanStep | null)[] = [null, ...plan.steps.filter((s) => s.checkpoint !== null && done(s.id))];
  return targets.some((t) => {
    const keep = t === null ? new Set<string>() : ancestors(plan, t.id);
    const restores = t !== null && restoreOf(plan, t) !== null;
    return plan.steps.every((s) => s.undo !== "irreversible" || !done(s.id) || keep.has(s.id) || s.id === t?.id || (restores && t !== null && ancestors(plan, s.id).has(t.id)));
  });
}

describe("the way back over generated plans", () => {
  it("follows its rule, and rollback and verify give the same answer", () => {
    fc.assert(
      fc.property(shapes, (shape) => {
        const plan = planOf(shape);
        const run = runOf(plan, shape.done);
        const way = wayBack(plan, run);
        expect(way.possible).toBe(possibleByHand(plan, run));
        expect(planUndo(plan, run, undefined, "plan.json").ok).toBe(way.possible);
        expect(rollbackAdvice(plan, run, "plan.json", (...a) => a.join(" ")).possible).toBe(way.possible);
        // The plan-level cover is the same rule: covered iff a restorable checkpoint is an ancestor.
        for (const { step: s, coveredBy } of irreversibleSteps(plan)) {
          const byHand = [...ancestors(plan, s.id)].some((a) => {
            const st = plan.steps.find((x) => x.id === a);
            return st !== undefined && restoreOf(plan, st) !== null;
          });
          expect(coveredBy !== null).toBe(byHand);
        }
      }),
      { numRuns: 300 },
    );
  });
});
