/**
 * The takeover rule. A step that was in flight on a runner whose lease was taken over (the
 * runner was killed, or its host lost) may still be running on its hosts, and nothing on the
 * new runner's host can see it. So the new runner does not start it again before the step's
 * timeout and grace have passed since it started (by then its own runner would have stopped
 * it), unless the step's done-check says it finished. A step with no timeout cannot be bounded:
 * it is not started again; the run stops there and the operator decides (docs/state.md).
 */
import type { PlanFile, PlanStep } from "../plan/plan.js";
import type { Clock } from "./effects.js";
import type { JournalRecord } from "./journal.js";

/**
 * For each step whose last attempt started and did not end in `records`: the time (ms) before
 * which it must not start again, or null when it has no timeout.
 */
export function inFlightSteps(plan: PlanFile, records: readonly JournalRecord[]): Map<string, number | null> {
  const started = new Map<string, number>();
  for (const r of records) {
    if (r.step === undefined) continue;
    if (r.type === "step-started" || r.type === "step-undo-started") started.set(r.step, Date.parse(r.time));
    else if (r.type === "step-succeeded" || r.type === "step-failed" || r.type === "step-skipped" || r.type === "step-undone" || r.type === "undo-failed") started.delete(r.step);
  }
  const out = new Map<string, number | null>();
  for (const [id, since] of started) {
    const step = plan.steps.find((s) => s.id === id);
    if (step === undefined) continue;
    out.set(id, notBefore(step, since));
  }
  return out;
}

function notBefore(step: PlanStep, since: number): number | null {
  const spec = step.command;
  if (spec === null) return since;
  const timeout = spec.timeout ?? null;
  if (timeout === null) return null;
  // Each retry may have started a fresh attempt with its own timeout: the last one started
  // no later than this record, which is the latest start the journal knows of.
  return since + (timeout + (spec.grace ?? 10)) * 1000;
}

/**
 * Waits until `step` may start again after a takeover: null when it may (now, or after the
 * wait), or why it must not (no timeout, or the wait was stopped).
 */
export async function awaitInFlight(step: PlanStep, inFlight: ReadonlyMap<string, number | null> | undefined, clock: Clock, signal: AbortSignal): Promise<string | null> {
  if (inFlight === undefined || !inFlight.has(step.id)) return null;
  const until = inFlight.get(step.id) ?? null;
  if (until === null) {
    return "it was in flight on the runner whose lease was taken over and has no timeout: it may still be running there; check it, then resume (or --skip it --yes-i-fixed-it)";
  }
  while (clock.now() < until) {
    if (signal.aborted) return "stopped while waiting for its attempt on the lost runner to have ended";
    await clock.sleep(Math.min(until - clock.now(), 1000), signal);
  }
  return null;
}
