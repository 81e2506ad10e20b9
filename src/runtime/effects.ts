/**
 * The runtime's effects, passed in: the scheduler never reads the wall clock, spawns a
 * process or touches a file by itself. The same scheduler runs for real (system clock,
 * execa, the state directory), in tests (a fake clock, an in-memory journal) and in
 * `upgradec simulate` (a model of the cloud as the executor).
 */
import type { PlanCommandSpec, PlanStep, VarValue } from "../plan/plan.js";
import type { JournalRecordInput } from "./journal.js";

/** Milliseconds since the epoch, and waiting. */
export interface Clock {
  now(): number;
  /** Resolves after `ms`, or early (without throwing) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      // setTimeout fires at once past 2^31-1 ms; a longer wait ends early and the caller looks again.
      const timer = setTimeout(done, Math.min(Math.max(0, ms), 2_147_483_647));
      function done(): void {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      }
      signal?.addEventListener("abort", done, { once: true });
    }),
};

/** One execution of a command for one host (or for no host: a per-service step). */
export interface ExecRequest {
  readonly step: PlanStep;
  /** The host it runs for, or null. */
  readonly host: string | null;
  /** Why it runs: the step's action, its undo, its done-check, a health probe or a checkpoint's restore. */
  readonly purpose: "action" | "undo" | "done" | "health" | "restore";
  readonly spec: PlanCommandSpec;
  /** Placeholder values for this host: {host}, {from}, {to}, {service}, {inventory}, host and service vars. */
  readonly vars: Readonly<Record<string, VarValue>>;
  /** Secret values by name, for {secret.NAME}. */
  readonly secrets: Readonly<Record<string, string>>;
  /** The connection's exec prefix (empty for local). */
  readonly connection: readonly string[];
  /** Aborts the command: SIGTERM, then SIGKILL after the spec's grace. */
  readonly signal: AbortSignal;
  /** Every chunk of output (stdout and stderr interleaved), as it comes. */
  readonly onOutput: (text: string) => void;
}

export interface ExecResult {
  /** 0 for success. null when killed by a signal or when it could not start. */
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  /** Why it failed when there is no exit code to say it (could not start, a module threw). */
  readonly error: string | null;
}

/**
 * Runs one command. The real one spawns processes; a simulator answers from its model of
 * the cloud (and may use the clock to take simulated time).
 */
export interface Executor {
  run(request: ExecRequest): Promise<ExecResult>;
}

/**
 * Where the scheduler writes: the journal (buffered, then made durable by `commit` before
 * any command that depends on it starts) and the step logs.
 */
export interface StateSink {
  /** Buffer one record; `commit` makes it durable. */
  record(input: JournalRecordInput): void;
  /** Write and fsync every buffered record; the caller waits for it before starting anything that depends on it. */
  commit(): void | Promise<void>;
  /** Append output to a step's log. */
  log(stepId: string, text: string): void;
}

export function succeeded(result: ExecResult): boolean {
  return result.exitCode === 0 && !result.timedOut && result.error === null;
}
