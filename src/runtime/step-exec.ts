/**
 * Running one command spec of a step for each of its hosts: placeholders' values, the
 * host's connection, retries with exponential backoff, health-gate polling, and the step's
 * log. Shared by run (actions, done-checks, health gates) and rollback (undos, restores).
 */
import { setMaxListeners } from "node:events";
import { dirname, join, resolve as resolvePath } from "node:path";
import { runOptions, type PlanCommandSpec, type PlanFile, type PlanStep, type VarValue } from "../plan/plan.js";
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
  /**
   * Aborted when the runtime must stop at once (a second stop signal): every running command
   * is stopped, no retry or probe follows, and the step ends as interrupted.
   */
  readonly halt?: AbortSignal;
}

/**
 * The signals joined with a halt, by halt and step signal: most steps share one signal that
 * never aborts (engine.ts), and joining it anew for each of a large run's steps costs more
 * than the step's own scheduling.
 */
const joined = new WeakMap<AbortSignal, WeakMap<AbortSignal, AbortSignal>>();

/** The step's own signal, aborted also when the runtime halts. */
function haltable(ctx: StepExecContext, signal: AbortSignal): AbortSignal {
  const halt = ctx.halt;
  if (halt === undefined) return signal;
  let bySignal = joined.get(halt);
  if (bySignal === undefined) {
    bySignal = new WeakMap();
    joined.set(halt, bySignal);
  }
  let both = bySignal.get(signal);
  if (both === undefined) {
    both = AbortSignal.any([signal, halt]);
    // Every running command that shares it listens on it: as many as the parallelism, no leak.
    setMaxListeners(0, both);
    bySignal.set(signal, both);
  }
  return both;
}

/** Whether the runtime was halted: a step that ended then was stopped, not failed. */
export function halted(ctx: StepExecContext): boolean {
  return ctx.halt?.aborted === true;
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
  /** A host's vars for a service's steps, all but {step}, by plan directory (absolute), host and service. */
  readonly vars: Map<string, Map<string | null, Map<string | null, BaseVars>>>;
}

interface BaseVars {
  readonly vars: Readonly<Record<string, VarValue>>;
  /** No value holds a placeholder, so nothing needs expanding unless the step's id does. */
  readonly plain: boolean;
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
      vars: new Map(),
    };
    indexes.set(plan, index);
  }
  return index;
}

/**
 * Placeholder values for one host of a step. All but {step} depend only on the plan, its
 * directory, the host and the service, so they are gathered once for each of those (a large
 * run asks for them at every execution).
 */
export function stepVars(ctx: StepExecContext, step: PlanStep, host: string | null): Record<string, VarValue> {
  const base = baseVars(ctx, step.service, host);
  const vars: Record<string, VarValue> = { ...base.vars, step: step.id, ...evacuationVars(ctx.plan, step) };
  // A var may be built from others (`in-service = ["ssh", "{host}", ...]`).
  return base.plain && !step.id.includes("{") ? vars : expandVarValues(vars);
}

/**
 * An evacuation's own settings, for its command only: `{concurrency}` (migrations at once)
 * and `{timeout}` (seconds), so `evacuate live-migrate concurrency 8` reaches the command that
 * migrates (docs/language.md, `evacuate`).
 */
export function evacuationVars(plan: PlanFile, step: PlanStep): Record<string, VarValue> {
  if (step.action !== "evacuate" || step.service === null) return {};
  const evacuate = indexOf(plan).services.get(step.service)?.evacuate ?? null;
  return evacuate === null ? {} : { concurrency: evacuate.concurrency, timeout: evacuate.timeout };
}

function baseVars(ctx: StepExecContext, service: string | null, host: string | null): BaseVars {
  const index = indexOf(ctx.plan);
  const planDir = resolvePath(ctx.planDir);
  let byHost = index.vars.get(planDir);
  if (byHost === undefined) {
    byHost = new Map();
    index.vars.set(planDir, byHost);
  }
  let byService = byHost.get(host);
  if (byService === undefined) {
    byService = new Map();
    byHost.set(host, byService);
  }
  let base = byService.get(service);
  if (base === undefined) {
    const vars = gatherVars(ctx.plan, planDir, service, host);
    base = { vars, plain: expandVarValues(vars) === vars };
    byService.set(service, base);
  }
  return base;
}

function gatherVars(plan: PlanFile, planDir: string, service: string | null, host: string | null): Record<string, VarValue> {
  const index = indexOf(plan);
  const vars: Record<string, VarValue> = {};
  if (host !== null) Object.assign(vars, index.hosts.get(host)?.vars ?? {});
  if (service !== null) Object.assign(vars, index.services.get(service)?.vars ?? {});
  if (host !== null) vars["host"] = host;
  if (plan.plan.from !== null) vars["from"] = plan.plan.from;
  if (plan.plan.to !== null) vars["to"] = plan.plan.to;
  if (service !== null) vars["service"] = service;
  const inventory = plan.sources.find((s) => s.kind === "inventory");
  if (inventory) vars["inventory"] = resolvePath(planDir, inventory.path);
  // The standard library's own helper scripts (e.g. `use haproxy`'s runtime API client) are
  // found through it: `["node", "{stdlib}/haproxy-runtime-api.js", ...]`.
  vars["stdlib"] = join(PACKAGE_ROOT, "src", "stdlib");
  return vars;
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
export function runSpec(
  ctx: StepExecContext,
  step: PlanStep,
  spec: PlanCommandSpec,
  purpose: ExecRequest["purpose"],
  signal: AbortSignal,
  opts: { readonly retry?: boolean } = {},
): Promise<SpecOutcome> {
  const stop = haltable(ctx, signal);
  return onEachHost(step, (host) => runOnHost(ctx, step, spec, purpose, host, stop, opts.retry !== false));
}

/** `run` for each host of the step at once (or once for no host); the first failure, if any. */
function onEachHost(step: PlanStep, run: (host: string | null) => Promise<SpecOutcome>): Promise<SpecOutcome> {
  if (step.hosts.length <= 1) return run(step.hosts[0] ?? null);
  return Promise.all(step.hosts.map(run)).then((results) => results.find((r) => !r.ok) ?? OK);
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
  const { retries, backoff } = runOptions(spec);
  const attempts = retry ? retries + 1 : 1;
  let last: SpecOutcome = OK;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    last = await runOnce(ctx, step, spec, purpose, host, signal, attempt, attempts);
    if (last.ok || signal.aborted) return last;
    if (attempt < attempts) {
      const delay = backoff * 1000 * 2 ** (attempt - 1);
      ctx.log(step.id, `-- ${purpose}${onHost(host)}: ${last.message}; retry ${attempt} of ${retries} in ${delay / 1000}s\n`);
      await ctx.clock.sleep(delay, signal);
      if (signal.aborted) return last;
    }
  }
  return last;
}

function onHost(host: string | null): string {
  return host !== null ? ` on ${host}` : "";
}

/**
 * One execution's part of its step's log. The header goes out with the first output or the
 * failure: a step that runs quietly and succeeds costs no log file (creating thousands of
 * files is most of a large run's overhead), and no text is made for it.
 */
class ExecutionLog {
  /** A health gate's later probes write under its first probe's header. */
  private headed: boolean;
  private redactor: LineRedactor | null = null;

  constructor(
    private readonly ctx: StepExecContext,
    private readonly step: PlanStep,
    private readonly purpose: ExecRequest["purpose"],
    private readonly host: string | null,
    private readonly attempt: number,
    private readonly attempts: number,
  ) {
    this.headed = purpose === "health" && attempt > 1;
  }

  /** A chunk of the command's output: redacted a whole line at a time, each line marked with its host when the step has several. */
  output(text: string): void {
    this.redactor ??= new LineRedactor(this.ctx.redact, (lines) => {
      const host = this.host;
      this.write(this.step.hosts.length > 1 && host !== null ? lines.replace(/^(?=.)/gm, `[${host}] `) : lines);
    });
    this.redactor.write(text);
  }

  end(): void {
    this.redactor?.end();
  }

  write(text: string): void {
    if (!this.headed) {
      const attempts = this.attempts > 1 ? ` (attempt ${this.attempt} of ${this.attempts})` : "";
      text = `-- ${this.purpose}${onHost(this.host)}${attempts}\n` + text;
      this.headed = true;
    }
    this.ctx.log(this.step.id, text);
  }
}

/** An execution's request; its placeholder values are made when the executor first reads them (a model of the cloud never does). */
class StepRequest implements ExecRequest {
  private madeVars: Readonly<Record<string, VarValue>> | null = null;
  readonly secrets: SecretValues;
  readonly connection: readonly string[];
  readonly onOutput: (text: string) => void;

  constructor(
    private readonly ctx: StepExecContext,
    readonly step: PlanStep,
    readonly host: string | null,
    readonly purpose: ExecRequest["purpose"],
    readonly spec: PlanCommandSpec,
    readonly signal: AbortSignal,
    log: ExecutionLog,
  ) {
    this.secrets = ctx.secrets;
    this.connection = spec.command.kind === "module" ? [] : connectionOf(ctx.plan, host);
    this.onOutput = (text) => log.output(text);
  }

  get vars(): Readonly<Record<string, VarValue>> {
    return (this.madeVars ??= stepVars(this.ctx, this.step, this.host));
  }
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
  const log = new ExecutionLog(ctx, step, purpose, host, attempt, attempts);
  const result = await ctx.executor.run(new StepRequest(ctx, step, host, purpose, spec, signal, log));
  log.end();
  // Cancelled work is not done work, even when the command exits 0 on SIGTERM.
  if (succeeded(result) && !signal.aborted) return OK;
  // OpenStack's `<project>-status upgrade check` convention: exit 1 is a warning (upgrade
  // possible, read the output), 2 a failure. `upgradec check` reports the same row as a warning.
  if (purpose === "action" && step.action === "precheck" && result.exitCode === 1 && result.error === null && !result.timedOut && !signal.aborted) {
    log.write(`-- ${purpose}${onHost(host)}: exit code 1 is a warning for a pre-check; going on (read the output above)\n`);
    return OK;
  }
  const message = halted(ctx)
    ? `interrupted: upgradec was stopped (${describeResult(result)})`
    : signal.aborted && succeeded(result)
      ? "cancelled"
      : ctx.redact(describeResult(result));
  log.write(`-- ${purpose}${onHost(host)} failed: ${message}\n`);
  return { ok: false, message, exitCode: result.exitCode, signal: result.signal, timedOut: result.timedOut, host };
}

/**
 * A health gate: poll every `every` seconds until the check has passed continuously for
 * `healthyFor` seconds (measured from the first of an unbroken run of passes), or fail once
 * `within` seconds have gone by without that.
 */
export function runHealthGate(
  ctx: StepExecContext,
  step: PlanStep,
  spec: PlanCommandSpec,
  gate: NonNullable<PlanStep["health"]>,
  outer: AbortSignal,
): Promise<SpecOutcome> {
  const signal = haltable(ctx, outer);
  return onEachHost(step, async (host) => {
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
        ctx.log(step.id, `-- health${onHost(host)}: ${message}\n`);
        return { ...last, ok: false, message, host };
      }
      // Never sleep past the deadline: the last probe lands on it.
      const nextProbe = Math.min(gate.every * 1000, start + gate.within * 1000 - now);
      await ctx.clock.sleep(Math.max(0, nextProbe), signal);
    }
    return { ...last, ok: false, message: "cancelled", host };
  });
}

export function moduleDirOf(plan: PlanFile, planDir: string): string {
  return dirname(resolvePath(planDir, plan.entry));
}
