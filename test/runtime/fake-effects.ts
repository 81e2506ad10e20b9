/**
 * Simulated time (the clock `upgradec simulate` runs on), an in-memory journal, scripted
 * executors, and the runtime's own `runForward` driven in simulated time.
 */
import type { PlanFile } from "../../src/plan/plan.js";
import type { Clock, ExecRequest, ExecResult, Executor, StateSink } from "../../src/runtime/effects.js";
import type { EngineResult } from "../../src/runtime/engine.js";
import { runForward, type Scope } from "../../src/runtime/forward.js";
import type { JournalRecordInput } from "../../src/runtime/journal.js";
import { EMPTY_STATE, type RunState } from "../../src/runtime/run-state.js";
import { SimClock } from "../../src/simulate/sim-clock.js";

export { SimClock as FakeClock };

export interface TimedRecord extends JournalRecordInput {
  /** Epoch milliseconds by the clock. */
  readonly at: number;
}

/** A journal kept in memory (for simulation: nothing is written). */
export class MemorySink implements StateSink {
  readonly records: TimedRecord[] = [];
  readonly logs = new Map<string, string>();
  commits = 0;
  constructor(private readonly clock: Clock) {}

  record(input: JournalRecordInput): void {
    this.records.push({ ...input, at: this.clock.now() });
  }

  commit(): void {
    this.commits += 1;
  }

  log(stepId: string, text: string): void {
    this.logs.set(stepId, (this.logs.get(stepId) ?? "") + text);
  }

  of(type: JournalRecordInput["type"], step?: string): TimedRecord[] {
    return this.records.filter((r) => r.type === type && (step === undefined || r.step === step));
  }
}

export interface SimulationOptions {
  /** Epoch ms the simulated run starts at (default: the plan's start). */
  readonly start?: number;
  readonly scope?: Scope;
  /** A run already under way (to simulate a resume). */
  readonly state?: RunState;
}

export interface SimulationResult {
  readonly result: EngineResult;
  /** Every journal record, with its simulated time. */
  readonly records: readonly TimedRecord[];
  /** Epoch ms when the last step ended. */
  readonly end: number;
}

export async function simulateRun(plan: PlanFile, makeExecutor: (clock: SimClock) => Executor, options: SimulationOptions = {}): Promise<SimulationResult> {
  const clock = new SimClock(options.start ?? Date.parse(plan.plan.start));
  const sink = new MemorySink(clock);
  const executor = makeExecutor(clock);
  const result = await clock.drive(
    runForward({
      exec: { plan, planDir: ".", clock, executor, secrets: {}, redact: (t) => t, log: (id, t) => sink.log(id, t) },
      sink,
      state: options.state ?? EMPTY_STATE,
      scope: options.scope ?? { only: null, hosts: null },
    }),
  );
  return { result, records: sink.records, end: clock.now() };
}

/** A cloud that does what the plan expects: every command succeeds after its step's estimated duration (health probes at once). */
export function estimatesExecutor(clock: SimClock): Executor {
  return {
    async run(request): Promise<ExecResult> {
      if (request.purpose === "action") await clock.sleep(request.step.estimate.duration * 1000, request.signal);
      if (request.signal.aborted) return { exitCode: null, signal: "SIGTERM", timedOut: false, error: null };
      return { exitCode: 0, signal: null, timedOut: false, error: null };
    },
  };
}


/** An executor answering from a function of the request and the fake time; it may take simulated time. */
export function fakeExecutor(clock: Clock, answer: (request: ExecRequest, now: number) => { exitCode: number; takes?: number }): Executor & { calls: { step: string; purpose: string; at: number }[] } {
  const calls: { step: string; purpose: string; at: number }[] = [];
  return {
    calls,
    async run(request): Promise<ExecResult> {
      calls.push({ step: request.step.id, purpose: request.purpose, at: clock.now() });
      const a = answer(request, clock.now());
      if (a.takes !== undefined && a.takes > 0) await clock.sleep(a.takes, request.signal);
      if (request.signal.aborted) return { exitCode: null, signal: "SIGTERM", timedOut: false, error: null };
      return { exitCode: a.exitCode, signal: null, timedOut: false, error: null };
    },
  };
}
