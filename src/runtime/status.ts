/**
 * `upgradec status`: where a run stands, from its journal, per phase and per service, with
 * the failed steps and an ETA against the plan's estimates.
 */
import type { PlanFile } from "../plan/plan.js";
import type { WayBack } from "../plan/way-back.js";
import { inScope } from "./forward.js";
import type { LockInfo } from "./lock.js";
import { formatDuration } from "../base/duration.js";
import type { RunState } from "./run-state.js";
import { runProgress, runScope, scopedRemaining, type RunProgress } from "./run-progress.js";

export interface Counts {
  done: number;
  running: number;
  failed: number;
  pending: number;
  undone: number;
}

export interface StatusReport {
  readonly text: string;
  readonly json: {
    readonly run: string;
    readonly phase: RunState["phase"];
    readonly holder: LockInfo | null;
    /** The lock's holder process is gone (its runner was killed): the lock is stale. */
    readonly holderGone: boolean;
    /** Commands still running, per step: those of a gone runner are waited for by the next session. */
    readonly processes: readonly { readonly step: string; readonly purpose: string; readonly pids: readonly number[] }[];
    readonly byPhase: Record<string, Counts>;
    readonly byService: Record<string, Counts>;
    readonly failed: readonly { readonly step: string; readonly host: string | null; readonly message: string | null; readonly tolerated: boolean }[];
    readonly running: readonly string[];
    /** Seconds of planned work left (of the run's steps: all, or those --only and --host chose). */
    readonly remaining: number;
    readonly planned: number;
    /** Why the run stopped, while it is stopped; `interrupted` when an operator's signal stopped it. */
    readonly stop: RunState["stop"];
    /** The steps the run is restricted to (--only, --host), or null for the whole plan. */
    readonly scope: { readonly only: readonly string[] | null; readonly hosts: readonly string[] | null; readonly steps: number } | null;
    /** Whether a rollback is possible now, to where, or why not (plan/way-back.ts). */
    readonly wayBack: WayBack | null;
    /** Steps done, running and left; the planned end against the current estimate. */
    readonly progress: RunProgress;
  };
}

function bucket(status: string | undefined): keyof Counts {
  switch (status) {
    case "succeeded":
    case "skipped":
      return "done";
    case "interrupted":
    case "undoing":
      return "running";
    case "failed":
    case "undo-failed":
      return "failed";
    case "undone":
      return "undone";
    default:
      return "pending";
  }
}

const empty = (): Counts => ({ done: 0, running: 0, failed: 0, pending: 0, undone: 0 });

export interface StatusContext {
  readonly runId: string;
  readonly lock: LockInfo | null;
  readonly now: number;
  /** The answer to "can I still go back?", from wayBack. */
  readonly wayBack?: WayBack;
  /** The plan file as the operator names it, for the commands shown. */
  readonly planArg?: string;
  /** The lock's holder is known to be gone (stale lock). */
  readonly holderGone?: boolean;
  /** Commands of this state directory still alive. */
  readonly processes?: StatusReport["json"]["processes"];
}

export function runStatus(plan: PlanFile, state: RunState, context: StatusContext): StatusReport {
  const byPhase: Record<string, Counts> = {};
  const byService: Record<string, Counts> = {};
  const failed: { step: string; host: string | null; message: string | null; tolerated: boolean }[] = [];
  const running: string[] = [];
  let earliestLeft = Infinity;
  const scope = runScope(state);
  for (const step of plan.steps) {
    const s = state.steps.get(step.id);
    const b = bucket(s?.status);
    (byPhase[step.phase] ??= empty())[b] += 1;
    (byService[step.service ?? "(plan)"] ??= empty())[b] += 1;
    if (b === "failed") failed.push({ step: step.id, host: s?.host ?? null, message: s?.message ?? null, tolerated: s?.tolerated === true });
    if (b === "running") running.push(step.id);
    if (b !== "done") earliestLeft = Math.min(earliestLeft, step.estimate.start);
  }
  const remaining = scope === null ? (earliestLeft === Infinity ? 0 : plan.timing.total - earliestLeft) : scopedRemaining(plan, state, scope);
  const chosen = scope === null ? null : plan.steps.filter((s) => inScope(s, scope)).length;
  const holderGone = context.holderGone === true;
  const processes = context.processes ?? [];
  const live = context.lock !== null && !holderGone && (state.phase === "running" || state.phase === "rolling-back");
  const lines: string[] = [];
  const way = context.wayBack ?? null;
  lines.push(`run ${context.runId} of plan ${plan.plan.name}: ${describePhase(state, live, way?.possible ?? true)}`);
  if (state.startedAt !== null) {
    const elapsed = ((state.lastTime ? Date.parse(state.lastTime) : context.now) - Date.parse(state.startedAt)) / 1000;
    lines.push(`started ${state.startedAt}; last change ${state.lastTime ?? "-"} (${formatDuration(elapsed)} in)`);
  }
  if (context.lock !== null) lines.push(describeLock(context.lock, holderGone));
  if (!live && processes.length > 0) {
    lines.push(
      "commands of the gone runner still running (the next run, resume or rollback waits for them, or stops them with --kill-survivors):",
      ...processes.map((p) => `  ${p.step} (${p.purpose}): pid ${p.pids.join(", ")}`),
    );
  }
  if (scope !== null) lines.push(`restricted to ${chosen} step(s) of ${plan.steps.length}:${state.only ? ` --only ${state.only.join(" ")}` : ""}${state.hostFilter ? ` --host ${state.hostFilter.join(" ")}` : ""}`);
  lines.push(`planned ${formatDuration(plan.timing.total)}; left by the plan's estimates${scope !== null ? " (of the chosen steps)" : ""}: ${formatDuration(remaining)}`);
  const table = (title: string, rows: Record<string, Counts>): void => {
    lines.push("", `${title.padEnd(24)} ${"done".padStart(6)} ${"running".padStart(8)} ${"failed".padStart(7)} ${"pending".padStart(8)} ${"undone".padStart(7)}`);
    for (const [name, c] of Object.entries(rows)) {
      lines.push(`${name.padEnd(24)} ${String(c.done).padStart(6)} ${String(c.running).padStart(8)} ${String(c.failed).padStart(7)} ${String(c.pending).padStart(8)} ${String(c.undone).padStart(7)}`);
    }
  };
  table("phase", byPhase);
  table("service", byService);
  if (running.length > 0) lines.push("", live ? "running:" : "started, not finished (the run was interrupted; resume runs them again unless their done-check passes):", ...running.map((id) => `  ${id}`));
  if (failed.length > 0) {
    const left = failed.filter((f) => f.tolerated).length;
    const note = left > 0 ? ` (${left} within max-failures: host left out, the rollout went on; resume retries it)` : "";
    lines.push("", `failed${note}:`, ...failed.map((f) => `  ${f.step}${f.host ? ` on ${f.host}` : ""}: ${f.message ?? ""}${f.tolerated ? " [left out]" : ""}`));
  }
  if (way !== null && state.phase !== "finished" && state.phase !== "rolled-back") {
    const planArg = context.planArg ?? "plan.json";
    lines.push("", way.possible ? `way back: ${way.summary}: upgradec rollback ${planArg}` : `way back: no rollback: ${way.reason}; the way out is forward: upgradec resume ${planArg}`);
    if (!way.possible && way.insteadTo !== null) lines.push(`  or roll back further: upgradec rollback ${planArg} --to ${way.insteadTo}`);
  }
  return {
    text: lines.join("\n") + "\n",
    json: {
      run: context.runId,
      phase: state.phase,
      holder: context.lock,
      holderGone,
      processes,
      byPhase,
      byService,
      failed,
      running,
      remaining,
      planned: plan.timing.total,
      stop: state.stop,
      scope: scope === null ? null : { only: state.only, hosts: state.hostFilter, steps: chosen ?? 0 },
      wayBack: way,
      progress: runProgress(plan, state, context.now),
    },
  };
}

function describeLock(lock: LockInfo, gone: boolean): string {
  const who = `${lock.user}@${lock.host} pid ${lock.pid} since ${lock.since}`;
  return gone ? `lock left by ${who}: that process is gone (killed?); the next run, resume or rollback takes the lock over` : `lock held by ${who}`;
}

function describePhase(state: RunState, live: boolean, canRollBack: boolean): string {
  const phase = state.phase;
  switch (phase) {
    case "running":
      return live ? "running" : "interrupted (the runtime stopped without finishing: upgradec resume)";
    case "stopped":
      {
        const next = canRollBack ? "upgradec resume, or upgradec rollback" : "upgradec resume; no rollback: see below";
        if (state.stop?.interrupted === true) return `interrupted by the operator (a signal: Ctrl-C or SIGTERM); nothing failed (${next})`;
        return `stopped: ${state.stop?.reason ?? "a failure"} (${next})`;
      }
    case "finished":
      return "finished";
    case "rolling-back":
      return live ? "rolling back" : "rollback interrupted (upgradec rollback continues it)";
    case "rollback-stopped":
      return [...state.steps.values()].some((s) => s.status === "undo-failed")
        ? "rollback stopped on a failed undo (fix it, then upgradec rollback)"
        : "rollback stopped before it finished (upgradec rollback continues it)";
    case "rolled-back":
      return "rolled back";
    case "none":
      return "not started";
  }
}
