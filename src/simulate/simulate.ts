/**
 * `upgradec simulate`: the real runtime (runForward, planUndo, runRollback: the scheduler,
 * caps, windows, pauses, retries, health gates and failure policy) run against a model of
 * the cloud, on a simulated clock, with injected faults. Nothing is executed or written.
 */
import type { PlanFile } from "../plan/plan.js";
import type { StateSink } from "../runtime/effects.js";
import type { EngineResult } from "../runtime/engine.js";
import { type EventsFile, RecordChain } from "../runtime/events.js";
import { RunFeed } from "../runtime/run-feed.js";
import { RunEvents } from "../runtime/notify-events.js";
import { hostsLeftOut, leftOutReason, runForward } from "../runtime/forward.js";
import type { JournalRecord, JournalRecordInput } from "../runtime/journal.js";
import { planUndo, runRollback, type UndoPlan } from "../runtime/rollback.js";
import { EMPTY_STATE, isDone, replay } from "../runtime/run-state.js";
import type { StepExecContext } from "../runtime/step-exec.js";
import { CloudModel, type ModelOptions } from "./cloud-model.js";
import { type FaultSpec, NO_FAULTS, type UnfiredFault, unfiredFaults } from "./faults.js";
import { InvariantChecker, type SimEvent, type Violation } from "./invariants.js";
import { ModelExecutor } from "./model-executor.js";
import { SimClock } from "./sim-clock.js";
import * as windowClock from "../windows/window-clock.js";

export interface SimulateOptions extends ModelOptions {
  readonly faults?: FaultSpec;
  /** Roll back when the run stops on a failure (the plan's own `on deadline: rollback` does regardless). */
  readonly rollbackOnFailure?: boolean;
  /** Called after every event with the model as it stands then (a timeline, a test's probe). */
  readonly onEvent?: (event: SimEvent, model: CloudModel) => void;
  /** `simulate --events FILE`: every record, as `run --events` writes it, timed by the virtual clock. */
  readonly events?: EventsFile;
}

export type SimOutcome =
  /** Every step succeeded. */
  | "completed"
  /** The run stopped (a failure over its max-failures, a deadline, a window too short); no rollback asked. */
  | "stopped"
  | "rolled-back"
  /** The rollback itself stopped (an undo failed). */
  | "rollback-stopped"
  /** The runtime refused the rollback (a point of no return no checkpoint covers). */
  | "rollback-refused";

export interface SimulationReport {
  readonly outcome: SimOutcome;
  readonly stopReason: string | null;
  /** The steps that failed, in the order they failed. */
  readonly failed: readonly { readonly step: string; readonly host: string | null; readonly message: string }[];
  readonly notStarted: number;
  /** Hosts left out after failures within max-failures, per service: the rollout went on without them. */
  readonly leftOut: Readonly<Record<string, readonly string[]>>;
  readonly rollback: { readonly target: string | null; readonly undone: number; readonly refused: string | null } | null;
  /** Simulated seconds, from the plan's start to the last event. */
  readonly duration: number;
  /** The plan's estimate (timing.total). */
  readonly planned: number;
  readonly violations: readonly Violation[];
  readonly injected: readonly { readonly step: string; readonly host: string | null; readonly why: string }[];
  /** Faults asked for that never applied (a host to take down that nothing reboots or stops). */
  readonly unfired: readonly UnfiredFault[];
  /** The cloud as the run left it. */
  readonly model: CloudModel;
  readonly journal: readonly JournalRecord[];
  readonly stats: { readonly executions: number; readonly jumps: number; readonly steps: number };
  /** Per notifier of the plan, how often each of its events would have fired it (simulate runs none). */
  readonly notifications: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/** What the plan's notifiers would have been told over these records: counts per notifier and event. */
function wouldNotify(plan: PlanFile, records: readonly JournalRecord[]): SimulationReport["notifications"] {
  const notifiers = plan.notify ?? [];
  if (notifiers.length === 0) return {};
  const events = new RunEvents(plan, []);
  const counts = new Map<string, number>();
  for (const record of records) for (const d of events.onRecord(record)) counts.set(d.event, (counts.get(d.event) ?? 0) + 1);
  return Object.fromEntries(notifiers.map((n) => [n.name, Object.fromEntries(n.events.filter((e) => counts.has(e)).map((e) => [e, counts.get(e) ?? 0]))]));
}

/** The journal kept in memory, in the runtime's record shape, so `replay` reads it as a real one. */
class SimSink implements StateSink {
  // Kept as given, made into records when read: a large plan writes hundreds of thousands.
  private readonly inputs: JournalRecordInput[] = [];
  private readonly times: string[] = [];
  private readonly chain: RecordChain | null;
  /** `--events` as `run` writes it (progress, batches finished); a simulation runs no notifier. */
  private readonly feed: RunFeed | null;
  constructor(
    private readonly clock: SimClock,
    events: EventsFile | null,
    plan: PlanFile,
  ) {
    this.chain = events === null ? null : new RecordChain("simulate", (t) => t);
    this.feed = events === null ? null : new RunFeed(plan, "simulate", [], { events, notifiers: null }, () => clock.now());
  }
  record(input: JournalRecordInput): void {
    this.inputs.push(input);
    this.times.push(this.clock.iso());
    if (this.chain !== null) this.feed?.onRecord(this.chain.next(input, this.clock.iso()));
  }
  get records(): JournalRecord[] {
    return this.inputs.map((input, i) => ({ ...input, seq: i + 1, time: this.times[i] ?? "", run: "simulate", sum: "" }));
  }
  failures(): JournalRecordInput[] {
    return this.inputs.filter((r) => r.type === "step-failed");
  }
  /** The steps started, read from the inputs: making every record to look at a few costs a large run seconds. */
  started(): Set<string> {
    const out = new Set<string>();
    for (const r of this.inputs) if (r.type === "step-started") out.add(r.step ?? "");
    return out;
  }
  commit(): void {}
  log(): void {}
}

export async function simulate(plan: PlanFile, options: SimulateOptions = {}): Promise<SimulationReport> {
  const faults = options.faults ?? NO_FAULTS;
  const start = Date.parse(plan.plan.start);
  const clock = new SimClock(Number.isFinite(start) ? start : 0);
  const model = new CloudModel(plan, options);
  const checker = new InvariantChecker(model);
  const executor = new ModelExecutor(model, checker, clock, faults, options.onEvent);
  const sink = new SimSink(clock, options.events ?? null, plan);
  const exec: StepExecContext = { plan, planDir: ".", clock, executor, secrets: {}, redact: (t) => t, log: () => {} };

  // As `run` records it (session.ts); simulate runs no pre-upgrade checks.
  sink.record({ type: "run-started", plan: plan.plan.name, fingerprint: plan.fingerprint, digest: plan.digest, checks: "skipped" });
  const forward: EngineResult = await clock.drive(runForward({ exec, sink, state: EMPTY_STATE, scope: { only: null, hosts: null }, windowClock }));
  const completed = forward.failed.length === 0 && forward.notStarted.length === 0;
  const leftOut = leftOutReason(plan, forward);
  const stopReason = completed ? null : (forward.stopReason ?? leftOut ?? (forward.failed.length > 0 ? "steps failed" : "some steps could not start"));
  sink.record(
    completed
      ? { type: "run-finished", outcome: "succeeded" }
      : { type: "run-stopped", message: stopReason ?? "", outcome: forward.rollbackRequested ? "rollback" : leftOut !== null ? "hosts-left-out" : "stopped" },
  );
  const failed = sink.failures().map((r) => ({ step: r.step ?? "", host: r.host ?? null, message: r.message ?? "" }));

  let outcome: SimOutcome = completed ? "completed" : "stopped";
  let rollback: SimulationReport["rollback"] = null;
  if (!completed && (forward.rollbackRequested || options.rollbackOnFailure === true)) {
    const state = replay(sink.records);
    const chosen = undoTarget(plan, state);
    if (!chosen.ok) {
      outcome = "rollback-refused";
      rollback = { target: null, undone: 0, refused: chosen.reason };
    } else {
      sink.record({ type: "rollback-started", to: chosen.plan.target });
      checker.rollingBack = true;
      const back = await clock.drive(runRollback({ exec, sink, state, undo: chosen.plan }));
      checker.rollingBack = false;
      const done = back.failed.length === 0 && back.notStarted.length === 0;
      sink.record({ type: done ? "rollback-finished" : "rollback-stopped", outcome: done ? "rolled-back" : "stopped" });
      outcome = done ? "rolled-back" : "rollback-stopped";
      rollback = { target: chosen.plan.target, undone: back.succeeded.length, refused: null };
      if (done) checker.afterRollback(executor.event(null, null, "rollback finished"), chosen.plan.restoreStep === null ? null : chosen.plan.target);
    }
  }
  // A last look: what the final state holds (an instance lost at the very end, say).
  checker.afterEvent(() => executor.event(null, null, "simulation ended"));

  return {
    outcome,
    stopReason,
    failed,
    notStarted: forward.notStarted.length,
    leftOut: Object.fromEntries(hostsLeftOut(plan, forward)),
    rollback,
    duration: Math.round((clock.now() - (Number.isFinite(start) ? start : 0)) / 1000),
    planned: plan.timing.total,
    violations: checker.violations,
    injected: executor.stats.injected,
    unfired: unfiredFaults(
      plan,
      faults,
      sink.started(),
      new Set([...model.hosts.values()].filter((h) => h.lost).map((h) => h.name)),
    ),
    model,
    get journal() {
      return sink.records;
    },
    stats: { executions: executor.stats.executions, jumps: clock.jumps, steps: plan.steps.length },
    notifications: wouldNotify(plan, sink.records),
  };
}

/**
 * Back to the from state: to the start when the runtime allows it, else to the earliest
 * checkpoint taken whose restore covers the points of no return crossed.
 */
function undoTarget(plan: PlanFile, state: ReturnType<typeof replay>): { ok: true; plan: UndoPlan } | { ok: false; reason: string } {
  const first = planUndo(plan, state, "start", "plan.json");
  if (first.ok) return first;
  const taken = plan.steps.filter((s) => s.checkpoint !== null && isDone(state.steps.get(s.id)?.status));
  for (const step of taken) {
    const tried = planUndo(plan, state, step.checkpoint, "plan.json");
    if (tried.ok) return tried;
  }
  return { ok: false, reason: first.reason };
}
