/**
 * Running one command spec of a step for each of its hosts: placeholders' values, the
 * host's connection, retries with exponential backoff, health-gate polling, and the step's
 * log. Shared by run (actions, done-checks, health gates) and rollback (undos, restores).
 */
import { dirname, join, resolve as resolvePath } from "node:path";
import type { PlanCommandSpec, PlanFile, PlanStep, VarValue } from "../plan/plan.js";
import { type Clock, type ExecRequest, type Executor, succeeded } from "./effects.js";
import { LineRedactor, type Redactor, type SecretValues } from "./secrets.js";
import { PACKAGE_ROOT } from "../version.js";
import { expandVarValues } from "./command-line.js";

export interface StepExecContext {
  readonly plan: PlanFile;
  /** The plan file's directory. */
  readonly planDir: string;
  readonly clock: Clock;
  readonly executor: Executor;
  readonly secrets: SecretValues;
  readonly redact: Redactor;
  /** Append to a step's log (already redacted). */
  readonly log: (stepId: string, text: string) => void;
}

export interface SpecOutcome {
  readonly ok: boolean;
  readonly message: string;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  /** The host it failed on, when it failed. */
  readonly host: string | null;
}

const OK: SpecOutcome = { ok: true, message: "", exitCode: 0, signal: null, timedOut: false, host: null };

interface PlanIndex {
  readonly hosts: ReadonlyMap<string, PlanFile["hosts"][number]>;
  readonly services: ReadonlyMap<string, PlanFile["services"][number]>;
  readonly connections: ReadonlyMap<string, PlanFile["connections"][number]>;
}

const indexes = new WeakMap<PlanFile, PlanIndex>();

/** Lookups by name, made once per plan (a large plan has thousands of hosts). */
function indexOf(plan: PlanFile): PlanIndex {
  let index = indexes.get(plan);
  if (!index) {
    index = {
      hosts: new Map(plan.hosts.map((h) => [h.name, h])),
      services: new Map(plan.services.map((s) => [s.name, s])),
      connections: new Map(plan.connections.map((c) => [c.name, c])),
    };
    indexes.set(plan, index);
  }
  return index;
}

/** Placeholder values for one host of a step. */
export function stepVars(ctx: StepExecContext, step: PlanStep, host: string | null): Record<string, VarValue> {
  const plan = ctx.plan;
  const index = indexOf(plan);
  const vars: Record<string, VarValue> = {};
  if (host !== null) Object.assign(vars, index.hosts.get(host)?.vars ?? {});
  if (step.service !== null) Object.assign(vars, index.services.get(step.service)?.vars ?? {});
  if (host !== null) vars["host"] = host;
  if (plan.plan.from !== null) vars["from"] = plan.plan.from;
  if (plan.plan.to !== null) vars["to"] = plan.plan.to;
  if (step.service !== null) vars["service"] = step.service;
  const inventory = plan.sources.find((s) => s.kind === "inventory");
  if (inventory) vars["inventory"] = resolvePath(ctx.planDir, inventory.path);
  // The standard library's own helper scripts (e.g. `use haproxy`'s runtime API client) are
  // found through it: `["node", "{stdlib}/haproxy-runtime-api.js", ...]`.
  vars["stdlib"] = join(PACKAGE_ROOT, "src", "stdlib");
  vars["step"] = step.id;
  // A var may be built from others (`in-service = ["ssh", "{host}", ...]`).
  return expandVarValues(vars);
}

function connectionOf(plan: PlanFile, host: string | null): readonly string[] {
  if (host === null) return [];
  const index = indexOf(plan);
  const name = index.hosts.get(host)?.connection ?? "local";
  return index.connections.get(name)?.exec ?? [];
}

export function describeResult(r: { exitCode: number | null; signal: string | null; timedOut: boolean; error: string | null }): string {
  if (r.timedOut) return r.error ?? "timed out";
  if (r.error !== null) return r.error;
  if (r.signal !== null) return `killed by ${r.signal}`;
  return `exit code ${r.exitCode}`;
}

/** Run `spec` once per host of the step (all hosts at once), retrying each per the spec. */
export async function runSpec(
  ctx: StepExecContext,
  step: PlanStep,
  spec: PlanCommandSpec,
  purpose: ExecRequest["purpose"],
  signal: AbortSignal,
  opts: { readonly retry?: boolean } = {},
): Promise<SpecOutcome> {
  const hosts: (string | null)[] = step.hosts.length > 0 ? [...step.hosts] : [null];
  const results = await Promise.all(hosts.map((host) => runOnHost(ctx, step, spec, purpose, host, signal, opts.retry !== false)));
  return results.find((r) => !r.ok) ?? OK;
}

async function runOnHost(
  ctx: StepExecContext,
  step: PlanStep,
  spec: PlanCommandSpec,
  purpose: ExecRequest["purpose"],
  host: string | null,
  signal: AbortSignal,
  retry: boolean,
): Promise<SpecOutcome> {
  const attempts = retry ? spec.retries + 1 : 1;
  let last: SpecOutcome = OK;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    last = await runOnce(ctx, step, spec, purpose, host, signal, attempt, attempts);
    if (last.ok || signal.aborted) return last;
    if (attempt < attempts) {
      const delay = spec.backoff * 1000 * 2 ** (attempt - 1);
      ctx.log(step.id, `-- ${purpose}${host !== null ? ` on ${host}` : ""}: ${last.message}; retry ${attempt} of ${spec.retries} in ${delay / 1000}s\n`);
      await ctx.clock.sleep(delay, signal);
      if (signal.aborted) return last;
    }
  }
  return last;
}

async function runOnce(
  ctx: StepExecContext,
  step: PlanStep,
  spec: PlanCommandSpec,
  purpose: ExecRequest["purpose"],
  host: string | null,
  signal: AbortSignal,
  attempt: number,
  attempts: number,
): Promise<SpecOutcome> {
  const prefix = step.hosts.length > 1 && host !== null ? `[${host}] ` : "";
  // The header goes out with the first output or the failure: a step that runs quietly and
  // succeeds costs no log file (creating thousands of files is most of a large run's overhead).
  let header = purpose !== "health" || attempt === 1 ? `-- ${purpose}${host !== null ? ` on ${host}` : ""}${attempts > 1 ? ` (attempt ${attempt} of ${attempts})` : ""}\n` : "";
  const write = (text: string): void => {
    ctx.log(step.id, header + text);
    header = "";
  };
  const out = new LineRedactor(ctx.redact, (text) => write(prefix === "" ? text : text.replace(/^(?=.)/gm, prefix)));
  const result = await ctx.executor.run({
    step,
    host,
    purpose,
    spec,
    vars: stepVars(ctx, step, host),
    secrets: ctx.secrets,
    connection: spec.command.kind === "module" ? [] : connectionOf(ctx.plan, host),
    signal,
    onOutput: (text) => out.write(text),
  });
  out.end();
  // Cancelled work is not done work, even when the command exits 0 on SIGTERM.
  if (succeeded(result) && !signal.aborted) return OK;
  // OpenStack's `<project>-status upgrade check` convention: exit 1 is a warning (upgrade
  // possible, read the output), 2 a failure. `upgradec check` reports the same row as a warning.
  if (purpose === "action" && step.action === "precheck" && result.exitCode === 1 && result.error === null && !result.timedOut && !signal.aborted) {
    write(`-- ${purpose}${host !== null ? ` on ${host}` : ""}: exit code 1 is a warning for a pre-check; going on (read the output above)\n`);
    return OK;
  }
  const message = signal.aborted && succeeded(result) ? "cancelled" : ctx.redact(describeResult(result));
  write(`-- ${purpose}${host !== null ? ` on ${host}` : ""} failed: ${message}\n`);
  return { ok: false, message, exitCode: result.exitCode, signal: result.signal, timedOut: result.timedOut, host };
}

/**
 * A health gate: poll every `every` seconds until the check has passed continuously for
 * `healthyFor` seconds (measured from the first of an unbroken run of passes), or fail once
 * `within` seconds have gone by without that.
 */
export async function runHealthGate(
  ctx: StepExecContext,
  step: PlanStep,
  spec: PlanCommandSpec,
  gate: NonNullable<PlanStep["health"]>,
  signal: AbortSignal,
): Promise<SpecOutcome> {
  const hosts: (string | null)[] = step.hosts.length > 0 ? [...step.hosts] : [null];
  const results = await Promise.all(
    hosts.map(async (host): Promise<SpecOutcome> => {
      const start = ctx.clock.now();
      let healthySince: number | null = null;
      let probes = 0;
      let last: SpecOutcome = OK;
      while (!signal.aborted) {
        probes += 1;
        last = await runOnce(ctx, step, spec, "health", host, signal, probes, 0);
        const now = ctx.clock.now();
        if (last.ok) {
          healthySince ??= now;
          if (now - healthySince >= gate.healthyFor * 1000) return OK;
        } else healthySince = null;
        if (now - start >= gate.within * 1000) {
          const message = `not healthy for ${gate.healthyFor}s within ${gate.within}s (${probes} probes; last: ${last.ok ? "passed" : last.message})`;
          ctx.log(step.id, `-- health${host !== null ? ` on ${host}` : ""}: ${message}\n`);
          return { ...last, ok: false, message, host };
        }
        // Never sleep past the deadline: the last probe lands on it.
        const nextProbe = Math.min(gate.every * 1000, start + gate.within * 1000 - now);
        await ctx.clock.sleep(Math.max(0, nextProbe), signal);
      }
      return { ...last, ok: false, message: "cancelled", host };
    }),
  );
  return results.find((r) => !r.ok) ?? OK;
}

export function moduleDirOf(plan: PlanFile, planDir: string): string {
  return dirname(resolvePath(planDir, plan.entry));
}
