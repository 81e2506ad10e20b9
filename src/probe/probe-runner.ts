/**
 * Running the read-only commands `check` and `verify` ask the cloud: a connection's probe, a
 * status check, a version query, a health check, a done-check. They go through the
 * runtime's Executor (the same process runner, placeholders and connection prefixes as a
 * run), with a bound on how many run at once and a timeout each, and never retry: a probe
 * answers what is true now.
 */
import { runOptions, type PlanCommandSpec, type PlanFile, type PlanStep } from "../plan/plan.js";
import type { Clock, ExecRequest, Executor } from "../runtime/effects.js";
import { makeRedactor, type SecretValues } from "../runtime/secrets.js";
import { stepVars, type StepExecContext } from "../runtime/step-exec.js";

export interface ProbeTask {
  /** The plan's step it belongs to, or a stand-in for probes of no step (see `probeStep`). */
  readonly step: PlanStep;
  readonly host: string | null;
  readonly spec: PlanCommandSpec;
  /**
   * true: a command on the host, prefixed by the host's connection. false: run here as
   * written (a connection's own probe, e.g. `ssh {host} true`).
   */
  readonly viaConnection: boolean;
  readonly purpose: ExecRequest["purpose"];
}

export interface ProbeOutcome {
  readonly task: ProbeTask;
  /** null when killed, timed out or not started. */
  readonly exitCode: number | null;
  readonly timedOut: boolean;
  /** Why it has no exit code (could not start, killed), or null. */
  readonly error: string | null;
  /** The last part of its output (stdout and stderr), secrets redacted. */
  readonly output: string;
  /** Seconds the probe was given. */
  readonly timeout: number;
}

export interface ProbeEnv {
  readonly plan: PlanFile;
  /** The plan file's directory (relative paths in commands and vars resolve there). */
  readonly planDir: string;
  readonly executor: Executor;
  readonly clock: Clock;
  readonly secrets: SecretValues;
  /** Most probes running at once. */
  readonly parallel: number;
  /** Seconds each probe may take, at most (a spec's own shorter timeout wins). */
  readonly timeout: number;
}

/** Output kept per probe: enough for a version string or the reason a check failed. */
const OUTPUT_LIMIT = 4000;
/** A probe past its timeout gets this long between SIGTERM and SIGKILL, whatever its step says. */
const PROBE_GRACE = 2;

/** Run every task, at most `env.parallel` at once; outcomes in the order of `tasks`. */
export async function runProbes(tasks: readonly ProbeTask[], env: ProbeEnv): Promise<ProbeOutcome[]> {
  const redact = makeRedactor(env.secrets);
  const ctx: StepExecContext = {
    plan: env.plan,
    planDir: env.planDir,
    clock: env.clock,
    executor: env.executor,
    secrets: env.secrets,
    redact,
    log: () => undefined,
  };
  const connections = new Map(env.plan.connections.map((c) => [c.name, c.exec]));
  const hostConnection = new Map(env.plan.hosts.map((h) => [h.name, h.connection]));
  const out: ProbeOutcome[] = new Array<ProbeOutcome>(tasks.length);
  let next = 0;

  const runOne = async (task: ProbeTask): Promise<ProbeOutcome> => {
    const timeout = Math.max(0.001, Math.min(task.spec.timeout ?? Infinity, env.timeout));
    const spec: PlanCommandSpec = { ...task.spec, timeout, retries: 0, grace: Math.min(runOptions(task.spec).grace, PROBE_GRACE) };
    let output = "";
    const connection =
      task.viaConnection && task.host !== null && spec.command.kind !== "module" ? (connections.get(hostConnection.get(task.host) ?? "local") ?? []) : [];
    const result = await env.executor.run({
      step: task.step,
      host: task.host,
      purpose: task.purpose,
      spec,
      vars: stepVars(ctx, task.step, task.host),
      secrets: env.secrets,
      connection,
      signal: new AbortController().signal,
      onOutput: (text) => {
        output = (output + text).slice(-OUTPUT_LIMIT);
      },
    });
    return { task, exitCode: result.exitCode, timedOut: result.timedOut, error: result.error, output: redact(output), timeout };
  };

  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const i = next++;
      const task = tasks[i];
      if (task !== undefined) out[i] = await runOne(task);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(env.parallel, tasks.length)) }, worker));
  return out;
}

/** A stand-in step for a probe that belongs to no step of the plan (a connection's probe, a version query). */
export function probeStep(id: string, service: string | null, host: string | null): PlanStep {
  return {
    id,
    phase: "prechecks",
    service,
    hosts: host === null ? [] : [host],
    action: "precheck",
    command: null,
    after: [],
    estimate: { start: 0, duration: 0 },
    window: null,
    unavailable: [],
    batch: null,
    checkpoint: null,
    undo: null,
    done: null,
    health: null,
  };
}

/** The hosts a step's command runs for: each of its hosts, or once with no host. */
export function hostsOf(step: PlanStep): (string | null)[] {
  return step.hosts.length > 0 ? [...step.hosts] : [null];
}

/** What went wrong, in a few words, for a table's detail column. */
export function describeOutcome(o: ProbeOutcome): string {
  if (o.timedOut) return `no answer within ${o.timeout}s`;
  if (o.error !== null) return o.error;
  return `exit code ${o.exitCode ?? "none"}`;
}

/** The last non-empty line of a probe's output, for a detail column. */
export function lastLine(output: string): string {
  const lines = output.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  return lines[lines.length - 1] ?? "";
}

/**
 * The OpenStack `<project>-status upgrade check` convention: 0 passed, 1 warning (the upgrade
 * may proceed), 2 failure; anything else (255 included) is an error of the check itself.
 */
export type StatusResult = "ok" | "warning" | "failed" | "error" | "timed-out";

export function statusResult(o: ProbeOutcome): StatusResult {
  if (o.timedOut) return "timed-out";
  if (o.exitCode === 0) return "ok";
  if (o.exitCode === 1) return "warning";
  if (o.exitCode === 2) return "failed";
  return "error";
}

/**
 * Whether a version query's output names `expected`: its last non-empty line, exactly, or
 * as a whole word in it ("nova 2023.1" names 2023.1; "2023.10" does not). A packaging or
 * distribution suffix after a '-' is allowed: a Debian version ("2:27.1.0-0ubuntu1" names
 * 27.1.0) and a kolla image tag ("nova-compute:2023.1-ubuntu-jammy" names 2023.1).
 */
export function versionMatches(output: string, expected: string): boolean {
  const line = lastLine(output);
  if (line === expected) return true;
  const escaped = expected.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(^|[\\s=:/v-])${escaped}($|[\\s,;)-])`).test(line);
}
