/**
 * `rollback`: undo completed steps in reverse dependency order, back to a checkpoint (whose
 * restore runs last) or to the start, under the same caps as the run.
 *
 * What is undone: every completed step (succeeded, or skipped by the operator) that the
 * target checkpoint does not depend on. Steps that failed or were interrupted are not
 * undone: their effect is unknown, and an undo written for a completed step may not fit a
 * half-done one. A step whose undo is null has nothing to undo and is marked undone. A step
 * whose undo is `irreversible` is a point of no return: the rollback refuses to cross it
 * unless the target checkpoint was taken before it and has a restore (restoring that
 * checkpoint undoes it).
 */
import type { PlanCommandSpec, PlanFile, PlanStep } from "../plan/plan.js";
import { CapTracker } from "./caps.js";
import { chainsOfStep, servicesByHost } from "../plan/chains.js";
import type { StateSink } from "./effects.js";
import { type EngineResult, type Outcome, type WorkItem, runEngine } from "./engine.js";
import { ancestorsOf, restoreOf, toUndo, wayBack, wayBackCommands } from "../plan/way-back.js";
import { isDone, type RunState } from "./run-state.js";
import { halted, runSpec, type StepExecContext } from "./step-exec.js";

export interface UndoPlan {
  /** The checkpoint it goes back to, or null for the start of the run. */
  readonly target: string | null;
  /** The steps to undo, each after its undone dependents; the checkpoint's step (its restore) last. */
  readonly items: readonly WorkItem[];
  /** Irreversible steps the checkpoint's restore covers: marked undone without running anything. */
  readonly covered: ReadonlySet<string>;
  /** The step whose restore runs last, or null. */
  readonly restoreStep: string | null;
}

export type UndoPlanResult = { readonly ok: true; readonly plan: UndoPlan } | { readonly ok: false; readonly reason: string; readonly instead: readonly string[] };

/**
 * The undo plan for a rollback: whether it may happen and to which target is wayBack's to
 * say (the same answer the preview, the stop message, status and verify give); this orders
 * the undos.
 */
export function planUndo(plan: PlanFile, state: RunState, asked: string | null | undefined, planPath: string): UndoPlanResult {
  const way = wayBack(plan, state, asked);
  if (!way.possible) return { ok: false, reason: way.reason, instead: wayBackCommands(way, planPath) };
  const status = (id: string) => state.steps.get(id)?.status;
  const target = way.target;
  const targetStep = target === null ? null : (plan.checkpoints.find((c) => c.name === target)?.step ?? plan.steps.find((s) => s.checkpoint === target)?.id ?? null);
  const keep = targetStep === null ? new Set<string>() : ancestorsOf(new Map(plan.steps.map((s) => [s.id, s])), targetStep);
  const undo = plan.steps.filter((s) => toUndo(status(s.id)) && !keep.has(s.id) && s.id !== targetStep);
  const restore = targetStep === null ? null : (plan.steps.find((s) => s.id === targetStep) ?? null);
  const covered = new Set(way.covered);

  const undoIds = new Set(undo.map((s) => s.id));
  const nearest = nearestUndone(plan, undoIds);
  const dependents = new Map<string, string[]>();
  for (const step of undo) {
    for (const dep of nearest(step)) {
      const list = dependents.get(dep) ?? [];
      list.push(step.id);
      dependents.set(dep, list);
    }
  }
  // Latest first, so the work that ran last is undone first where the graph leaves a choice.
  const byRecency = [...undo].sort((a, b) => (state.steps.get(b.id)?.succeededSeq ?? 0) - (state.steps.get(a.id)?.succeededSeq ?? 0));
  const items: WorkItem[] = byRecency.map((step) => ({ step, deps: dependents.get(step.id) ?? [] }));
  if (restore !== null && status(restore.id) !== "undone") items.push({ step: restore, deps: undo.map((s) => s.id) });
  return { ok: true, plan: { target, items, covered, restoreStep: restore?.id ?? null } };
}

/**
 * For a step to undo, the steps to undo that it depends on, directly or through steps that
 * are not undone: a host left out by a tolerated failure leaves a gap in the graph (a batch
 * marker completed after a chain that did not), and the order must hold across it.
 */
function nearestUndone(plan: PlanFile, undoIds: ReadonlySet<string>): (step: PlanStep) => readonly string[] {
  const byId = new Map(plan.steps.map((s) => [s.id, s]));
  // For a step not undone: the undone steps it reaches through steps not undone.
  const memo = new Map<string, readonly string[]>();
  const through = (start: string): readonly string[] => {
    const stack = [start];
    while (stack.length > 0) {
      const id = stack[stack.length - 1] as string;
      if (memo.has(id)) {
        stack.pop();
        continue;
      }
      const deps = byId.get(id)?.after ?? [];
      const waiting = deps.filter((d) => !undoIds.has(d) && !memo.has(d));
      if (waiting.length > 0 && stack.length <= byId.size) {
        stack.push(...waiting);
        continue;
      }
      const found = new Set<string>();
      for (const d of deps) {
        if (undoIds.has(d)) found.add(d);
        else for (const f of memo.get(d) ?? []) found.add(f);
      }
      memo.set(id, [...found]);
      stack.pop();
    }
    return memo.get(start) ?? [];
  };
  return (step) => {
    const out = new Set<string>();
    for (const d of step.after) {
      if (undoIds.has(d)) out.add(d);
      else for (const f of through(d)) out.add(f);
    }
    return [...out];
  };
}

export interface RollbackInput {
  readonly exec: StepExecContext;
  readonly sink: StateSink;
  readonly state: RunState;
  readonly undo: UndoPlan;
  readonly stop?: AbortSignal;
}

export async function runRollback(input: RollbackInput): Promise<EngineResult> {
  const { exec, sink, state, undo } = input;
  const plan = exec.plan;
  const onHost = servicesByHost(plan);
  const status = (id: string) => state.steps.get(id)?.status;
  const chainsOf = (step: PlanStep) => chainsOfStep(step, onHost);

  // A host left half-way through its chain by the run is out of service from the start.
  const members = new Map<string, PlanStep[]>();
  for (const step of plan.steps) for (const c of chainsOf(step)) members.set(c.id, [...(members.get(c.id) ?? []), step]);
  const initiallyActive = new Set<string>();
  for (const [id, steps] of members) {
    const touched = steps.some((s) => status(s.id) !== undefined && status(s.id) !== "pending" && status(s.id) !== "undone");
    const whole = steps.every((s) => isDone(status(s.id)));
    if (touched && !whole) initiallyActive.add(id);
  }

  const execute = async (step: PlanStep, signal: AbortSignal): Promise<Outcome> => {
    let spec: PlanCommandSpec | null;
    if (step.id === undo.restoreStep) spec = restoreOf(plan, step);
    else if (undo.covered.has(step.id) || step.undo === "irreversible") spec = null;
    else spec = step.undo;
    if (spec === null) return { ok: true };
    const result = await runSpec(exec, step, spec, step.id === undo.restoreStep ? "restore" : "undo", signal);
    return result.ok
      ? { ok: true }
      : { ok: false, message: result.message + (result.host !== null ? ` on ${result.host}` : ""), rollback: false, exitCode: result.exitCode, signal: result.signal, timedOut: result.timedOut };
  };

  return runEngine({
    items: undo.items,
    parallelism: plan.plan.parallelism,
    clock: exec.clock,
    caps: new CapTracker(plan),
    chainsOf,
    initiallyActive,
    ...(input.stop ? { stop: input.stop } : {}),
    hooks: {
      gate: () => ({ kind: "go" }),
      onStart: (step) => sink.record({ type: "step-undo-started", step: step.id, host: step.hosts[0] ?? null }),
      execute,
      // A failed undo stops the rollback; it cancels nothing.
      cancellable: () => false,
      onEnd: (step, outcome) => {
        if (outcome.ok) {
          const message = undo.covered.has(step.id) ? `covered by checkpoint ${undo.target ?? ""}'s restore` : step.undo === null ? "nothing to undo" : undefined;
          sink.record({ type: "step-undone", step: step.id, host: step.hosts[0] ?? null, ...(message !== undefined ? { message } : {}) });
          return {};
        }
        // Stopped by a second stop signal: not a failed undo; it stays begun, and the next rollback runs it again.
        if (halted(exec)) return { stop: "stopped by the operator: the running undos were interrupted" };
        sink.record({ type: "undo-failed", step: step.id, host: step.hosts[0] ?? null, message: outcome.message, exitCode: outcome.exitCode ?? null });
        return { stop: `the undo of ${step.id} failed` };
      },
      commit: () => sink.commit(),
    },
  });
}
