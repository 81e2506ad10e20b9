/**
 * `upgradec check`: everything that can be known before a run. Hosts answer their
 * connection's probe; the services' pre-checks pass (OpenStack's status-check convention);
 * evacuations have room; the installed version is the plan's `from`; the windows still fit
 * from now. The result is a list of rows (check, host, result, detail), never an exception.
 */
import type { Code } from "../diagnostics/codes.js";
import type { PlanCommandSpec, PlanFile, PlanService, VarValue } from "../plan/plan.js";
import { notifierPrograms } from "./notifier-programs.js";
import { groupsOutAtOnce, type OutAtOnce } from "../plan/out-at-once.js";
import type { Clock, Executor } from "../runtime/effects.js";
import { makeRedactor, type SecretValues } from "../runtime/secrets.js";
import { sshRoutes } from "../probe/host-route.js";
import {
  describeOutcome,
  hostsOf,
  lastLine,
  probeStep,
  runProbes,
  statusResult,
  versionMatches,
  type ProbeOutcome,
  type ProbeTask,
} from "../probe/probe-runner.js";

export type CheckKind = "compile" | "plan" | "facts" | "secrets" | "reachable" | "precheck" | "capacity" | "disk" | "version" | "window" | "notify";
const KIND_ORDER: readonly CheckKind[] = ["compile", "plan", "facts", "secrets", "reachable", "precheck", "version", "capacity", "disk", "window", "notify"];

export type CheckResult = "ok" | "warning" | "failed" | "error" | "timed-out" | "skipped";

export interface CheckRow {
  readonly check: CheckKind;
  readonly host: string | null;
  readonly service: string | null;
  /** The plan step it ran, for pre-checks. */
  readonly step: string | null;
  readonly result: CheckResult;
  readonly detail: string;
  /** A finding with a code of its own (UPG09xx) names it, and how to fix it. */
  readonly code?: Code;
  readonly help?: string;
}

export interface CheckReport {
  readonly rows: readonly CheckRow[];
  readonly counts: Readonly<Record<CheckResult, number>>;
  /** A check failed, errored or timed out. */
  readonly failed: boolean;
  readonly warnings: number;
}

export interface CheckInput {
  readonly plan: PlanFile;
  readonly planDir: string;
  /** Service → the command printing its installed version; services without one are not version-checked. */
  /** Service → the host vars with instance counts and capacities (the compiler's `count-var`/`capacity-var`). */
  /** Rows found before (compiling, loading the plan), kept first. */
  readonly before?: readonly CheckRow[];
}

export interface CheckOptions {
  readonly executor: Executor;
  readonly clock: Clock;
  readonly secrets: SecretValues;
  /** Secrets that could not be read, one line each (a failed row each). */
  readonly secretProblems?: readonly string[];
  readonly parallel: number;
  /** Seconds per probe. */
  readonly timeout: number;
}

const FAILING: ReadonlySet<CheckResult> = new Set(["failed", "error", "timed-out"]);

export function isFailing(result: CheckResult): boolean {
  return FAILING.has(result);
}

export function summarize(rows: readonly CheckRow[]): CheckReport {
  const counts: Record<CheckResult, number> = { ok: 0, warning: 0, failed: 0, error: 0, "timed-out": 0, skipped: 0 };
  for (const row of rows) counts[row.result] += 1;
  return { rows, counts, failed: rows.some((r) => isFailing(r.result)), warnings: counts.warning };
}

/**
 * A notifier's program missing on this machine (notifiers run where upgradec runs): its
 * deliveries would fail only when an event fires, mid-run. Looked up with the shell's
 * `command -v`, through the same executor as every probe.
 */
async function notifierRows(plan: PlanFile, env: Parameters<typeof runProbes>[1]): Promise<CheckRow[]> {
  const wanted = (plan.notify ?? []).flatMap((n) => notifierPrograms(n.command.command).map((program) => ({ notifier: n.name, program })));
  const tasks: ProbeTask[] = wanted.map((w) => ({
    step: probeStep(`check/notify/${w.notifier}/${w.program}`, null, null),
    host: null,
    spec: { command: { kind: "argv", argv: ["sh", "-c", 'command -v -- "$1" >/dev/null', "sh", w.program] }, timeout: env.timeout },
    viaConnection: false,
    purpose: "health",
  }));
  const outcomes = await runProbes(tasks, env);
  return wanted.map((w, i): CheckRow => {
    const o = outcomes[i];
    const found = o !== undefined && o.exitCode === 0 && !o.timedOut && o.error === null;
    const base = { check: "notify" as const, host: null, service: null, step: null };
    if (found) return { ...base, result: "ok", detail: `notifier ${w.notifier}: ${w.program} is installed` };
    return {
      ...base,
      result: "warning",
      detail: `notifier ${w.notifier}: ${w.program} is not found on this machine (PATH): its deliveries would fail`,
      code: "UPG0901",
      help: `install ${w.program} where upgradec runs, or change notifier ${w.notifier}'s \`run\``,
    };
  });
}

/** 0 when nothing failed (and, with `strict`, nothing warned); 1 (ExitCode.CompileErrors) otherwise. */
export function checkPassed(report: CheckReport, strict: boolean): boolean {
  return !report.failed && !(strict && report.warnings > 0);
}

export async function runChecks(input: CheckInput, options: CheckOptions): Promise<CheckReport> {
  const { plan } = input;
  const rows: CheckRow[] = [...(input.before ?? [])];
  const row = (r: Omit<CheckRow, "service" | "step"> & Partial<Pick<CheckRow, "service" | "step">>): CheckRow => ({ service: null, step: null, ...r });
  for (const problem of options.secretProblems ?? []) rows.push(row({ check: "secrets", host: null, result: "failed", detail: problem }));

  const env = {
    plan,
    planDir: input.planDir,
    executor: options.executor,
    clock: options.clock,
    secrets: options.secrets,
    parallel: options.parallel,
    timeout: options.timeout,
  };

  // Reachability first: a host that does not answer is named once, and its other checks are
  // skipped rather than failing for the same reason again.
  const probes = new Map(plan.connections.map((c) => [c.name, c.probe]));
  const reachTasks: ProbeTask[] = [];
  const usedHosts = new Set(plan.steps.flatMap((s) => s.hosts));
  const servedHosts = new Set(plan.services.flatMap((s) => s.hosts));
  // Hosts of the `local` connection that the commands reach through ssh (the library's {on-host}).
  const routes = sshRoutes({ plan, planDir: input.planDir, clock: options.clock, executor: options.executor, secrets: options.secrets, redact: makeRedactor(options.secrets), log: () => undefined });
  for (const host of plan.hosts) {
    if (!usedHosts.has(host.name) && !servedHosts.has(host.name)) continue;
    const probe = probes.get(host.connection) ?? null;
    const viaSsh = host.connection === "local" ? (routes.get(host.name) ?? []) : [];
    if (viaSsh.length > 0) {
      for (const route of viaSsh) {
        const spec: PlanCommandSpec = { command: { kind: "argv", argv: [...route, "true"] }, timeout: options.timeout };
        reachTasks.push({ step: probeStep(`check/reachable/${host.name}`, null, host.name), host: host.name, spec, viaConnection: false, purpose: "health" });
      }
    } else if (host.connection === "local") rows.push(row({ check: "reachable", host: host.name, result: "ok", detail: "local: commands run on this machine" }));
    else if (probe === null) rows.push(row({ check: "reachable", host: host.name, result: "skipped", detail: `connection ${host.connection} declares no probe` }));
    else reachTasks.push({ step: probeStep(`check/reachable/${host.name}`, null, host.name), host: host.name, spec: probe, viaConnection: false, purpose: "health" });
  }
  const unreachable = new Set<string>();
  // A host probed along several routes gets one row: its first failure, or its first success.
  const byHost = new Map<string, ProbeOutcome[]>();
  for (const o of await runProbes(reachTasks, env)) byHost.set(o.task.host ?? "", [...(byHost.get(o.task.host ?? "") ?? []), o]);
  for (const [host, outcomes] of byHost) {
    const o = outcomes.find((p) => !answered(p)) ?? (outcomes[0] as ProbeOutcome);
    const ok = answered(o);
    if (!ok) unreachable.add(host);
    // A probe that is not the connection's own shows what it ran.
    const how = hostConnection(plan, host) === "local" && o.task.spec.command.kind === "argv" ? ` (${o.task.spec.command.argv.join(" ")})` : "";
    rows.push(row({ check: "reachable", host, result: ok ? "ok" : o.timedOut ? "timed-out" : "failed", detail: ok ? `answers its probe${how}` : `does not answer its probe${how} (${describeOutcome(o)})${detailOf(o)}` }));
  }
  const skippedFor = (host: string | null): string | null => (host !== null && unreachable.has(host) ? `${host} did not answer its probe` : null);

  // Pre-checks and version queries together, in one bounded pool.
  const tasks: ProbeTask[] = [];
  for (const step of plan.steps) {
    if (step.action !== "precheck" || step.command === null) continue;
    for (const host of hostsOf(step)) {
      const why = skippedFor(host);
      if (why !== null) rows.push(row({ check: "precheck", host, service: step.service, step: step.id, result: "skipped", detail: why }));
      else tasks.push({ step, host, spec: step.command, viaConnection: true, purpose: "action" });
    }
  }
  const from = plan.plan.from;
  const versionTasks: ProbeTask[] = [];
  if (from === null) rows.push(row({ check: "version", host: null, result: "skipped", detail: "the plan names no `from` version" }));
  else {
    for (const service of plan.services) {
      const spec = service.version;
      if (spec === null) {
        rows.push(row({ check: "version", host: null, service: service.name, result: "skipped", detail: `${service.name} declares no \`version\` action` }));
        continue;
      }
      for (const host of service.hosts) {
        const why = skippedFor(host);
        if (why !== null) rows.push(row({ check: "version", host, service: service.name, result: "skipped", detail: why }));
        else versionTasks.push({ step: probeStep(`check/version/${service.name}/${host}`, service.name, host), host, spec, viaConnection: true, purpose: "health" });
      }
    }
  }
  const outcomes = await runProbes([...tasks, ...versionTasks], env);
  for (const o of outcomes.slice(0, tasks.length)) {
    const result = statusResult(o);
    const said = lastLine(o.output);
    const detail =
      result === "ok" ? "passed" : result === "warning" ? "warning (exit 1): the upgrade may proceed" : result === "failed" ? "failure (exit 2): fix this before the upgrade" : describeOutcome(o);
    rows.push(row({ check: "precheck", host: o.task.host, service: o.task.step.service, step: o.task.step.id, result, detail: said !== "" && result !== "ok" ? `${detail}: ${said}` : detail }));
  }
  for (const o of outcomes.slice(tasks.length)) {
    const service = o.task.step.service;
    if (o.exitCode !== 0 || o.timedOut || o.error !== null) {
      rows.push(row({ check: "version", host: o.task.host, service, result: o.timedOut ? "timed-out" : "error", detail: `the version query failed: ${describeOutcome(o)}${detailOf(o)}` }));
    } else if (from !== null && versionMatches(o.output, from)) {
      rows.push(row({ check: "version", host: o.task.host, service, result: "ok", detail: `${from} installed` }));
    } else {
      rows.push(row({ check: "version", host: o.task.host, service, result: "failed", detail: `installed: ${lastLine(o.output) || "(nothing printed)"}; the plan upgrades from ${from ?? "?"}` }));
    }
  }

  rows.push(...capacityRows(plan));
  rows.push(row({
    check: "disk",
    host: null,
    result: "skipped",
    detail: "the plan language has no free-disk check; write one as a precheck, e.g. precheck shell \"test $(df -Pk /var | awk 'NR==2{print $4}') -gt 2000000\"",
  }));
  rows.push(...(await windowRows(plan, options.clock.now())));
  rows.push(...(await notifierRows(plan, env)));
  // Grouped by check (stable: plan order within one), so a table reads top to bottom.
  const order = new Map(KIND_ORDER.map((k, i) => [k, i]));
  const serviceIndex = new Map(plan.services.map((sv, i) => [sv.name, i]));
  const hostIndex = new Map(plan.hosts.map((h, i) => [h.name, i]));
  const key = (r: CheckRow): number[] => [order.get(r.check) ?? 0, r.service === null ? -1 : (serviceIndex.get(r.service) ?? 0), r.host === null ? -1 : (hostIndex.get(r.host) ?? 0)];
  const compare = (a: CheckRow, b: CheckRow): number => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return (ka[i] ?? 0) - (kb[i] ?? 0);
    return 0;
  };
  return summarize([...rows].sort(compare));
}

function answered(o: ProbeOutcome): boolean {
  return o.exitCode === 0 && !o.timedOut && o.error === null;
}

function hostConnection(plan: PlanFile, host: string): string {
  return plan.hosts.find((h) => h.name === host)?.connection ?? "local";
}

function detailOf(o: ProbeOutcome): string {
  const said = lastLine(o.output);
  return said === "" ? "" : `: ${said}`;
}

function numeric(value: VarValue | undefined): number | null {
  if (typeof value === "number") return value;
  if (typeof value === "string" && /^\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  return null;
}

/**
 * Room to evacuate: for each batch of a service that migrates instances away, the
 * instances on the batch's hosts must fit in the free capacity (capacity − instances) of
 * the service's other hosts, from the same host vars the compiler counts migrations with.
 */
export function capacityRows(plan: PlanFile): CheckRow[] {
  const rows: CheckRow[] = [];
  const hostVars = new Map(plan.hosts.map((h) => [h.name, h.vars]));
  for (const service of plan.services) {
    const strategy = service.evacuate?.strategy;
    if (strategy !== "live-migrate" && strategy !== "cold-migrate") continue;
    const countVar = service.evacuate?.countVar ?? "instances";
    const capacityVar = service.evacuate?.capacityVar ?? "capacity";
    const base = { check: "capacity" as const, host: null, service: service.name, step: null };
    const missing = service.hosts.filter((h) => numeric(hostVars.get(h)?.[capacityVar]) === null);
    if (missing.length > 0) {
      rows.push({ ...base, result: "skipped", detail: `${missing.length} host(s) have no \`${capacityVar}\` var (e.g. ${missing[0]}); add it to the inventory to check the room to evacuate` });
      continue;
    }
    const count = (h: string): number => Math.max(0, numeric(hostVars.get(h)?.[countVar]) ?? 0);
    const free = (h: string): number => Math.max(0, (numeric(hostVars.get(h)?.[capacityVar]) ?? 0) - count(h));
    let worst: { batch: number; hosts: string[]; need: number; room: number } | null = null;
    for (const [b, hosts] of groupsOutAtOnce(outAtOnce(plan, service, (h) => count(h) + free(h))).entries()) {
      const inBatch = new Set(hosts);
      const need = hosts.reduce((n, h) => n + count(h), 0);
      const room = service.hosts.filter((h) => !inBatch.has(h)).reduce((n, h) => n + free(h), 0);
      if (worst === null || need - room > worst.need - worst.room) worst = { batch: b, hosts, need, room };
    }
    if (worst === null) continue;
    const hostsText = worst.hosts.length > 3 ? `${worst.hosts.slice(0, 3).join(", ")} and ${worst.hosts.length - 3} more` : worst.hosts.join(", ");
    rows.push({
      ...base,
      result: worst.need > worst.room ? "failed" : "ok",
      detail:
        worst.need > worst.room
          ? `batch ${worst.batch + 1} (${hostsText}) must move ${worst.need} instances; the other hosts have room for ${worst.room}: free capacity or make the batch smaller`
          : `tightest batch ${worst.batch + 1} moves ${worst.need} instances into room for ${worst.room}`,
    });
  }
  return rows;
}

/** A service's batches as the capacity check sees them (plan/out-at-once.ts): a continuous part by what is out at once. */
function outAtOnce(plan: PlanFile, service: PlanService, weight: (host: string) => number): OutAtOnce {
  const r = service.rolling;
  const vars = new Map(plan.hosts.map((h) => [h.name, h.vars]));
  const domain = r.domain;
  return {
    hosts: service.hosts,
    batches: r.batches,
    continuous: r.continuous === true,
    weight,
    domainOf: domain !== null && r.maxUnavailablePerDomain !== null ? (h) => String(vars.get(h)?.[domain] ?? "") : null,
    capOf: (d) => r.maxUnavailableByDomain?.[d] ?? r.maxUnavailablePerDomain ?? Infinity,
    width: Math.min(r.maxUnavailable, Math.max(1, plan.plan.parallelism)),
  };
}

/**
 * Does the schedule still fit from now: the plan's start still ahead, and each window its
 * steps are bound to still has an occurrence where the longest of them fits, from now (the
 * runtime's own window arithmetic, which waits for the next occurrence the same way). The
 * window clock (and luxon with it) is loaded only for a plan with windows: a run's start-up
 * without them does not pay for it.
 */
export async function windowRows(plan: PlanFile, now: number): Promise<CheckRow[]> {
  const rows: CheckRow[] = [];
  const start = Date.parse(plan.plan.start);
  const base = { check: "window" as const, service: null, step: null, host: null };
  if (Number.isFinite(start) && start < now) {
    rows.push({
      ...base,
      result: "warning",
      detail: `the plan starts ${plan.plan.start}, which is past: its timings are off by ${hoursText(now - start)}; compile again with --start, or expect the run to wait for its windows`,
    });
  } else rows.push({ ...base, result: "ok", detail: `the plan starts ${plan.plan.start}, ${hoursText(start - now)} from now` });
  for (const window of plan.windows) {
    const bound = plan.steps.filter((s) => s.window === window.name);
    if (bound.length === 0) continue;
    const longest = bound.reduce((a, b) => (b.estimate.duration > a.estimate.duration ? b : a));
    const from = Math.max(now, Number.isFinite(start) ? start : now);
    const { WindowCalendar, shapeOfPlanWindow } = await import("../windows/window-clock.js");
    const calendar = new WindowCalendar(shapeOfPlanWindow(window), from);
    const admitted = calendar.admit(0, longest.estimate.duration);
    const fit = admitted === null ? null : { start: calendar.msOf(admitted.start) };
    const planned = plan.timing.windowsUsed.find((w) => w.window === window.name);
    if (fit === null) {
      rows.push({ ...base, result: "failed", detail: `window ${window.name}: no occurrence fits ${longest.id} (${Math.ceil(longest.estimate.duration / 60)}m)` });
    } else if (planned !== undefined && Date.parse(planned.end) <= now) {
      rows.push({ ...base, result: "warning", detail: `window ${window.name}: its first planned occurrence (${planned.start}) has passed; the next that fits opens ${new Date(fit.start).toISOString()}` });
    } else rows.push({ ...base, result: "ok", detail: `window ${window.name}: next fitting occurrence ${new Date(fit.start).toISOString()}` });
  }
  return rows;
}

function hoursText(ms: number): string {
  const minutes = Math.round(Math.abs(ms) / 60_000);
  if (minutes < 120) return `${minutes}m`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours}h` : `${Math.round(hours / 24)}d`;
}
