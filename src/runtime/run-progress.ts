/**
 * Progress and ETA of a run, from its journal's state and the plan's estimates: one function
 * for `status --json`, the events stream and the notifiers, so a dashboard, a chat message
 * and the terminal never disagree.
 */
import type { PlanFile, PlanStep } from "../plan/plan.js";
import { inScope, type Scope } from "./forward.js";
import { isDone, type RunState } from "./run-state.js";

export interface RunProgress {
  /** Steps of the run (all, or those --only and --host chose). */
  readonly total: number;
  readonly done: number;
  /** Started and not finished (or being undone). */
  readonly running: number;
  /** Failed (or whose undo failed), not done since. */
  readonly failed: number;
  /** Not done: total - done. */
  readonly left: number;
  /** Seconds of planned work left, by the plan's estimates. */
  readonly remaining: number;
  /** The plan's length in seconds. */
  readonly planned: number;
  /** When the run started (ISO), or null before it has. */
  readonly startedAt: string | null;
  /** The run's start plus the plan's length (ISO), or null. */
  readonly plannedEnd: string | null;
  /** Now plus the planned work left (ISO). */
  readonly estimatedEnd: string;
  /** Seconds the estimate lies after the planned end (negative: ahead), or null. */
  readonly behind: number | null;
}

/** The run's --only / --host restriction, or null when it runs the whole plan. */
export function runScope(state: RunState): Scope | null {
  if (state.only === null && state.hostFilter === null) return null;
  return { only: state.only ? new Set(state.only) : null, hosts: state.hostFilter ? new Set(state.hostFilter) : null };
}

export function runProgress(plan: PlanFile, state: RunState, now: number): RunProgress {
  const scope = runScope(state);
  let total = 0;
  let done = 0;
  let running = 0;
  let failed = 0;
  let earliestLeft = Infinity;
  for (const step of plan.steps) {
    if (scope !== null && !inScope(step, scope)) continue;
    total += 1;
    const status = state.steps.get(step.id)?.status;
    if (isDone(status)) {
      done += 1;
      continue;
    }
    earliestLeft = Math.min(earliestLeft, step.estimate.start);
    if (status === "interrupted" || status === "undoing") running += 1;
    if (status === "failed" || status === "undo-failed") failed += 1;
  }
  const remaining = scope === null ? (earliestLeft === Infinity ? 0 : plan.timing.total - earliestLeft) : scopedRemaining(plan, state, scope);
  const started = state.startedAt === null ? null : Date.parse(state.startedAt);
  const plannedEnd = started === null ? null : started + plan.timing.total * 1000;
  const estimatedEnd = now + remaining * 1000;
  return {
    total,
    done,
    running,
    failed,
    left: total - done,
    remaining,
    planned: plan.timing.total,
    startedAt: state.startedAt,
    plannedEnd: plannedEnd === null ? null : new Date(plannedEnd).toISOString(),
    estimatedEnd: new Date(estimatedEnd).toISOString(),
    behind: plannedEnd === null ? null : Math.round((estimatedEnd - plannedEnd) / 1000),
  };
}

/**
 * What the chosen steps not yet done still take by the plan's estimates: the longest chain
 * of them through the dependencies among themselves (a dependency outside the choice counts
 * as met, as the run treats it), not the whole plan's remaining time.
 */
export function scopedRemaining(plan: PlanFile, state: RunState, scope: Scope): number {
  const left = new Map<string, PlanStep>();
  for (const step of plan.steps) if (inScope(step, scope) && !isDone(state.steps.get(step.id)?.status)) left.set(step.id, step);
  // Kahn's order over the steps left: each starts when the last of its chosen dependencies ends.
  const waiting = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const step of left.values()) {
    const inside = step.after.filter((dep) => left.has(dep));
    waiting.set(step.id, inside.length);
    for (const dep of inside) dependents.set(dep, [...(dependents.get(dep) ?? []), step.id]);
  }
  const start = new Map<string, number>();
  const ready = [...left.keys()].filter((id) => waiting.get(id) === 0);
  let longest = 0;
  for (let id = ready.pop(); id !== undefined; id = ready.pop()) {
    const end = (start.get(id) ?? 0) + (left.get(id)?.estimate.duration ?? 0);
    longest = Math.max(longest, end);
    for (const next of dependents.get(id) ?? []) {
      start.set(next, Math.max(start.get(next) ?? 0, end));
      const n = (waiting.get(next) ?? 1) - 1;
      waiting.set(next, n);
      if (n === 0) ready.push(next);
    }
  }
  return longest;
}
