/**
 * Which run a verb acts on, decided from the plan's current run: `resume`, `rollback` and a
 * standby's take-over continue it, and only when it is this plan's and readable; `run` starts
 * a new one only when none is unfinished. Each refusal is a value (its outcome and the
 * problem to show); the CLI prints it and chooses the exit code.
 */
import { type Diagnostic, diag } from "../diagnostics/diagnostic.js";
import type { PlanFile } from "../plan/plan.js";
import { type DamagedRun, sameIdentity } from "./current-run.js";
import type { JournalRead } from "./journal.js";
import { type SessionRefusal, shownPath } from "./open-session.js";
import type { RunState } from "./run-state.js";
import type { StateStore, StoreRun } from "./store/state-store.js";

export interface RunRefusal {
  readonly refusal: SessionRefusal;
  readonly problem: Diagnostic;
}

/** A run to continue: its journal as read, and what it says. */
export interface RunToContinue {
  readonly runId: string;
  readonly read: JournalRead;
  readonly state: RunState;
}

export function unfinished(state: RunState): boolean {
  return state.phase !== "finished" && state.phase !== "rolled-back" && state.phase !== "none";
}

/** How a run's plan differs from this one: its sources (fingerprint), or only the plan file (digest). */
function identityDifference(state: RunState, plan: PlanFile): string {
  if (state.fingerprint !== plan.fingerprint) return `fingerprint ${(state.fingerprint ?? "?").slice(0, 12)}, this plan's is ${plan.fingerprint.slice(0, 12)}`;
  return `the same sources, another plan file: digest ${(state.digest ?? "?").slice(0, 12)}, this one's is ${plan.digest.slice(0, 12)}`;
}

/** Damaged state (UPG0802): which file and line, what is wrong, and the ways forward. Nothing has run. */
export function damagedState(cwd: string, planArg: string, damaged: DamagedRun): RunRefusal {
  const where = `${shownPath(cwd, damaged.file)}${damaged.line !== null ? `:${damaged.line}` : ""}`;
  return {
    refusal: "state-damaged",
    problem: diag("UPG0802", {
      message: `the state of ${damaged.runId !== null ? `run ${damaged.runId}` : "this plan's current run"} is damaged: ${where}: ${damaged.reason}`,
      notes: [
        "only a torn last record (a crash while writing it) is tolerated: anything else could make completed steps run again, so nothing was run",
        ...(damaged.known !== null ? [`the records before the damage are readable: ${damaged.known.steps.size} step(s) recorded`] : []),
      ],
      help: `see what is known: upgradec status ${planArg}; if the state cannot be repaired, abandon that run and start a new one (steps it completed run again): upgradec run ${planArg} --start-over`,
    }),
  };
}

/** The current run was started from another plan (UPG0805). */
export function otherPlan(planArg: string, runId: string, state: RunState, plan: PlanFile): RunRefusal {
  return {
    refusal: "invalid-plan",
    problem: diag("UPG0805", {
      message: `run ${runId} was started from another plan (${identityDifference(state, plan)})`,
      notes: ["a run continues only with the plan it started with, so its journal means what it says"],
      help: unfinished(state)
        ? `use the plan file the run started with; or roll that run back with it, then: upgradec run ${planArg}`
        : `that run is over (${state.phase}); a run of this plan starts with: upgradec run ${planArg}`,
    }),
  };
}

/** The current run, to continue: refused when there is none (UPG0804), it is damaged, or it is another plan's. */
export function runToContinue(current: StoreRun, store: StateStore, plan: PlanFile, planArg: string, cwd: string): RunToContinue | RunRefusal {
  if (current.kind === "none") {
    return { refusal: "usage", problem: diag("UPG0804", { message: `no run of this plan in ${shownPath(cwd, store.where)}`, help: `start one: upgradec run ${planArg}` }) };
  }
  if (current.kind === "damaged") return damagedState(cwd, planArg, current);
  if (!sameIdentity(current.state, plan)) return otherPlan(planArg, current.runId, current.state, plan);
  return { runId: current.runId, read: current.read, state: current.state };
}

/**
 * Why `run` must not start a new run over this plan's current one, or null. An unfinished
 * run is a run stopped with its state kept: resume or roll it back (UPG0806).
 */
export function newRunRefusal(current: StoreRun, plan: PlanFile, planArg: string, cwd: string): RunRefusal | null {
  if (current.kind === "none") return null;
  if (current.kind === "damaged") return damagedState(cwd, planArg, current);
  if (!unfinished(current.state)) return null;
  const rollingBack = current.state.phase === "rolling-back" || current.state.phase === "rollback-stopped";
  const other = sameIdentity(current.state, plan) ? [] : [`it was started from another plan file (${identityDifference(current.state, plan)}): resume and rollback need that file`];
  return {
    refusal: "stopped",
    problem: diag("UPG0806", {
      message: `run ${current.runId} of plan ${plan.plan.name} did not finish (${current.state.phase}${current.state.stop?.reason ? `: ${current.state.stop.reason}` : ""})`,
      notes: ["nothing was run; its state is kept", ...other],
      help: rollingBack
        ? `continue its rollback: upgradec rollback ${planArg}`
        : `go on with it: upgradec resume ${planArg}; or undo it: upgradec rollback ${planArg}; or abandon it (the steps it completed run again): upgradec run ${planArg} --start-over`,
    }),
  };
}

/** The run that --start-over leaves behind: the unfinished or damaged one the pointer names. */
export function abandonedRun(current: StoreRun): string | null {
  if (current.kind === "none") return null;
  if (current.kind === "damaged") return current.runId ?? `(unreadable pointer ${current.file})`;
  return unfinished(current.state) ? current.runId : null;
}
