/**
 * "Can I still go back?": the one answer, for the compiler's point of no return, the
 * preview, the runtime's stop message, `status`, `verify` and `rollback`.
 *
 * The rule. A step whose undo is `irreversible` cannot be undone by itself. It is *covered*
 * when a checkpoint with a restore comes before it (is among its ancestors): restoring that
 * checkpoint undoes it. The plan's point of no return is the first irreversible step (by
 * planned start) that no such checkpoint covers.
 *
 * For a run: a rollback goes back to a target, the start or a checkpoint taken in the run;
 * it undoes every completed step that the target does not depend on. It is possible when
 * each irreversible step among those is covered by the target's own restore. With no
 * target asked for, the target is the latest checkpoint taken from which it is possible,
 * else the start; when none is possible, rollback is refused, naming the step in the way.
 *
 * A leaf: it knows plan files and a journal's replayed step states by shape only, so the
 * compiler, the preview and the runtime can all import it.
 */
import type { PlanCommandSpec, PlanFile, PlanStep } from "./plan.js";

/** What the run's journal says of a step (the runtime's StepState fits it). */
export interface StepProgress {
  readonly status: string;
  /** Journal seq of its last success: which checkpoint was taken last. */
  readonly succeededSeq: number | null;
}

/** Where a run stands (the runtime's RunState fits it). */
export interface RunProgress {
  readonly phase: string;
  readonly steps: ReadonlyMap<string, StepProgress>;
  /** The target of a rollback in progress (null: the start). */
  readonly rollbackTo: string | null;
}

export type WayBack =
  | {
      readonly possible: true;
      /** The checkpoint a rollback goes back to; null for the start of the run. */
      readonly target: string | null;
      /** The target checkpoint's step, whose restore runs last; null when nothing is restored. */
      readonly restoreStep: string | null;
      /** Completed irreversible steps the target's restore undoes. */
      readonly covered: readonly string[];
      /** One line: where to, and what that means. */
      readonly summary: string;
    }
  | {
      readonly possible: false;
      /** Why not, in one line. */
      readonly reason: string;
      /** The completed irreversible step in the way, if that is the reason. */
      readonly blockedBy: string | null;
      /** A checkpoint from which rollback would be possible (when another target was asked for). */
      readonly insteadTo: string | null;
    };

/** The checkpoint's restore: its step's undo command, or the checkpoint's `restore`. */
export function restoreOf(plan: PlanFile, step: PlanStep): PlanCommandSpec | null {
  if (step.checkpoint === null) return null;
  if (step.undo !== null && step.undo !== "irreversible") return step.undo;
  return plan.checkpoints.find((c) => c.step === step.id)?.restore ?? null;
}

/**
 * For each of n steps, the first restorable checkpoint among its ancestors (index), or -1.
 * `before(i)` lists the steps i waits for; `restorable(i)` says whether i is a checkpoint
 * with a restore. One pass, depth-first with memory: linear in the graph.
 */
export function restoreCover(n: number, before: (i: number) => Iterable<number>, restorable: (i: number) => boolean): Int32Array {
  const UNKNOWN = -2;
  const cover = new Int32Array(n).fill(UNKNOWN);
  const stack: number[] = [];
  for (let root = 0; root < n; root++) {
    if (cover[root] !== UNKNOWN) continue;
    stack.push(root);
    while (stack.length > 0) {
      const i = stack[stack.length - 1] as number;
      let pending = false;
      let found = -1;
      for (const p of before(i)) {
        const c = cover[p];
        if (c === undefined) continue;
        if (c === UNKNOWN) {
          stack.push(p);
          pending = true;
          continue;
        }
        if (found < 0) found = restorable(p) ? p : c;
      }
      if (pending) {
        // A cycle would loop here; plans are checked acyclic, but never hang on a bad one.
        if (stack.length > n + 1) return cover.fill(-1);
        continue;
      }
      stack.pop();
      cover[i] = found;
    }
  }
  return cover;
}

/** Per step id of the plan, the restorable checkpoint step that comes before it, if any. */
export function planRestoreCover(plan: PlanFile): Map<string, string> {
  const index = new Map(plan.steps.map((s, i) => [s.id, i]));
  const cover = restoreCover(
    plan.steps.length,
    (i) => (plan.steps[i]?.after ?? []).flatMap((id) => (index.has(id) ? [index.get(id) as number] : [])),
    (i) => {
      const step = plan.steps[i];
      return step !== undefined && restoreOf(plan, step) !== null;
    },
  );
  const out = new Map<string, string>();
  plan.steps.forEach((s, i) => {
    const c = cover[i] ?? -1;
    if (c >= 0) out.set(s.id, plan.steps[c]?.id ?? "");
  });
  return out;
}

/** The plan's irreversible steps, each with the checkpoint whose restore covers it (null: none). */
export function irreversibleSteps(plan: PlanFile): { readonly step: PlanStep; readonly coveredBy: string | null }[] {
  const irreversible = plan.steps.filter((s) => s.undo === "irreversible");
  if (irreversible.length === 0) return [];
  const cover = planRestoreCover(plan);
  const checkpoints = new Map(plan.steps.filter((s) => s.checkpoint !== null).map((s) => [s.id, s.checkpoint]));
  return irreversible.map((step) => ({ step, coveredBy: checkpoints.get(cover.get(step.id) ?? "") ?? null }));
}

const DONE = new Set(["succeeded", "skipped"]);

/** A step a rollback still has to undo: completed, or its undo begun or failed in an earlier rollback. */
export function toUndo(status: string | undefined): boolean {
  return status !== undefined && (DONE.has(status) || status === "undoing" || status === "undo-failed");
}

/** The steps `id` waits for, directly or through others: what a rollback to it keeps. */
export function ancestorsOf(byId: ReadonlyMap<string, PlanStep>, id: string): Set<string> {
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

/**
 * Whether a rollback of this run is possible, to which target, and if not, why. `asked`:
 * undefined for the default target, null (or "start") for the start, else a checkpoint name.
 */
export function wayBack(plan: PlanFile, run: RunProgress | null, asked?: string | null): WayBack {
  const refuse = (reason: string, blockedBy: string | null = null, insteadTo: string | null = null): WayBack => ({ possible: false, reason, blockedBy, insteadTo });
  if (run === null || run.phase === "none") return refuse("there is no run of this plan to roll back");
  const requested = asked === "start" ? null : asked;
  const continuing = run.phase === "rolling-back" || run.phase === "rollback-stopped";
  if (run.phase === "rolled-back" && requested === undefined) return refuse("the run is already rolled back");
  const byId = new Map(plan.steps.map((s) => [s.id, s]));
  const status = (id: string): string | undefined => run.steps.get(id)?.status;
  const checkpointStep = (name: string): string | null => plan.checkpoints.find((c) => c.name === name)?.step ?? plan.steps.find((s) => s.checkpoint === name)?.id ?? null;
  const taken = plan.steps
    .filter((s) => s.checkpoint !== null && toUndo(status(s.id)))
    .sort((a, b) => (run.steps.get(a.id)?.succeededSeq ?? 0) - (run.steps.get(b.id)?.succeededSeq ?? 0));

  const attempt = (target: string | null): WayBack => {
    const targetStep = target === null ? null : checkpointStep(target);
    const keep = targetStep === null ? new Set<string>() : ancestorsOf(byId, targetStep);
    const restore = targetStep === null ? null : (byId.get(targetStep) ?? null);
    const restores = restore !== null && restoreOf(plan, restore) !== null;
    const covered: string[] = [];
    for (const step of plan.steps) {
      if (step.undo !== "irreversible" || !toUndo(status(step.id)) || keep.has(step.id) || step.id === targetStep) continue;
      if (restores && restore !== null && ancestorsOf(byId, step.id).has(restore.id)) {
        covered.push(step.id);
        continue;
      }
      const where = target === null ? "no checkpoint taken before it restores the state" : `checkpoint \`${target}\` (taken before it) does not restore the state`;
      return refuse(`step ${step.id} is a point of no return (its undo is irreversible) and has run: ${where}`, step.id);
    }
    const to = target === null ? "the start of the run" : `checkpoint \`${target}\``;
    const through = covered.length > 0 ? `; its restore undoes ${covered.join(", ")}` : restores ? "; its restore runs last" : "";
    return { possible: true, target, restoreStep: restores ? targetStep : null, covered, summary: `rollback is possible, to ${to}${through}` };
  };

  if (continuing) {
    if (requested !== undefined && requested !== run.rollbackTo) {
      return refuse(`a rollback to ${run.rollbackTo === null ? "the start" : `checkpoint \`${run.rollbackTo}\``} is in progress; finish it first`);
    }
    return attempt(run.rollbackTo);
  }
  if (requested === null) return withInstead(attempt(null), taken, attempt);
  if (requested !== undefined) {
    const stepId = checkpointStep(requested);
    if (stepId === null) {
      const names = plan.checkpoints.map((c) => c.name);
      return refuse(`the plan has no checkpoint \`${requested}\`${names.length > 0 ? ` (its checkpoints: ${names.join(", ")})` : ""}`);
    }
    if (!toUndo(status(stepId))) return refuse(`checkpoint \`${requested}\` was not taken in this run (step ${stepId} has not run)`);
    return withInstead(attempt(requested), taken, attempt);
  }
  // The default: the latest checkpoint taken from which it is possible, else the start.
  let first: WayBack | null = null;
  for (const target of [...taken.map((s) => s.checkpoint as string).reverse(), null]) {
    const tried = attempt(target);
    if (tried.possible) return tried;
    first ??= tried;
  }
  return first ?? refuse("nothing can be rolled back");
}

/** A refused target, with the checkpoint from which a rollback would be possible, if one was taken. */
function withInstead(result: WayBack, taken: readonly PlanStep[], attempt: (target: string | null) => WayBack): WayBack {
  if (result.possible) return result;
  for (const step of [...taken].reverse()) {
    const name = step.checkpoint as string;
    if (attempt(name).possible) return { ...result, insteadTo: name };
  }
  return result;
}

/** What to type, given the answer: the rollback command, or the ways forward when there is none. */
export function wayBackCommands(way: WayBack, planArg: string): string[] {
  if (way.possible) return [`upgradec rollback ${planArg}`];
  const out: string[] = [];
  if (way.insteadTo !== null) out.push(`roll back to a checkpoint from which it is possible: upgradec rollback ${planArg} --to ${way.insteadTo}`);
  out.push(`fix what failed and go on: upgradec resume ${planArg}`);
  return out;
}

/**
 * The plan's point of no return: the first irreversible step (by planned start) that no
 * checkpoint with a restore covers. `why(step)` says why the step cannot be undone.
 */
export function pointOfNoReturn(plan: PlanFile, why: (step: PlanStep) => string = (s) => stepWhy(plan, s)): { readonly step: string; readonly reason: string } | null {
  const open = irreversibleSteps(plan).filter((x) => x.coveredBy === null);
  const first = open.sort((a, b) => a.step.estimate.start - b.step.estimate.start)[0];
  return first === undefined ? null : { step: first.step.id, reason: why(first.step) };
}

/** Why a step cannot be undone: the compiler's words when it named this step, else plain ones. */
function stepWhy(plan: PlanFile, step: PlanStep): string {
  const named = plan.impact.pointOfNoReturn;
  return named !== null && named.step === step.id ? named.reason : `${step.id} cannot be undone (its undo is irreversible)`;
}

/**
 * The plan with its point of no return as this module decides it (once), for the previews:
 * a plan file written by hand, or by an older compiler, may say otherwise in `impact`.
 */
export function withWayBack(plan: PlanFile): PlanFile {
  const decided = pointOfNoReturn(plan);
  const stored = plan.impact.pointOfNoReturn;
  if (decided?.step === stored?.step && decided?.reason === stored?.reason) return plan;
  return { ...plan, impact: { ...plan.impact, pointOfNoReturn: decided } };
}
