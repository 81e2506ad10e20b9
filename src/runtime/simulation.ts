/**
 * The scheduler in simulated time, for `upgradec simulate` and tests: the same `runForward`
 * as a real run, with a virtual clock, an in-memory journal and an executor that models the
 * cloud instead of spawning processes.
 */
import type { PlanFile } from "../plan/plan.js";
import type { ExecResult, Executor } from "./effects.js";
import type { EngineResult } from "./engine.js";
import { runForward, type Scope } from "./forward.js";
import { EMPTY_STATE, type RunState } from "./run-state.js";
import { MemorySink, type TimedRecord, VirtualClock } from "./virtual-clock.js";

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

export async function simulateRun(plan: PlanFile, makeExecutor: (clock: VirtualClock) => Executor, options: SimulationOptions = {}): Promise<SimulationResult> {
  const clock = new VirtualClock(options.start ?? Date.parse(plan.plan.start));
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
export function estimatesExecutor(clock: VirtualClock): Executor {
  return {
    async run(request): Promise<ExecResult> {
      if (request.purpose === "action") await clock.sleep(request.step.estimate.duration * 1000, request.signal);
      if (request.signal.aborted) return { exitCode: null, signal: "SIGTERM", timedOut: false, error: null };
      return { exitCode: 0, signal: null, timedOut: false, error: null };
    },
  };
}
