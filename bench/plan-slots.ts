/**
 * Where a plan's `parallelism` slots sit idle, night by night:
 * `npx tsx bench/plan-slots.ts [computes[@parallelism]] [mixed|uniform] [batches|cont]`
 * (default 10000@64 uniform batches).
 *
 * Compiles the same cloud as bench/plan-bound.ts (bench/cloud.ts, `operatorCloud`, with its
 * history of evacuations per instance) and prints, per window occurrence the plan uses, its
 * capacity (parallelism × the time from its opening, or the first host chain's start, to its
 * close less the cutoff), the slot-hours each rolling service's host chains hold in it (a
 * chain holds a slot from its first step's start to its last step's end), what is left idle,
 * and for each service rolled in batches: its waves (the distinct start times of its chains), the slot-hours of its batch
 * pauses, and the tail (from the last chain's end to the close less the cutoff, times
 * `parallelism`). With the bound's figures (docs/language.md, "The bound") it tells the
 * batching's cost (idle inside batches), the windows' (tails), and another service's share
 * (slots a service holds while the batches wait). The idle figure says how much of it lies
 * before the data plane's first chain (the control plane's services, one host at a time,
 * one after another: every other slot idle whatever the scheduler). Per rolling service with
 * a failure domain, the least and most busy domain values and the one whose last chain ends
 * latest (a value far above the others sets the length: its cap, not `parallelism`).
 * Figures only, no asserts.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { compileFile } from "../src/compiler/compile.js";
import { nodeLoadHost } from "../src/files/node-host.js";
import { formatDuration } from "../src/base/duration.js";
import { evacuationHistory, operatorCloud } from "./cloud.js";
import type { PlanFile } from "../src/plan/plan.js";

const START = "2026-12-05T22:00";

interface Chain {
  readonly service: string;
  /** Its host's failure domain value under the service's `per` var, "" without one. */
  readonly domain: string;
  start: number;
  end: number;
}

interface Occurrence {
  /** Seconds from the plan's start. */
  readonly open: number;
  readonly close: number;
  readonly usableEnd: number;
}

/** The rolling services' host chains in the rollout, by service and host. */
function chainsOf(plan: PlanFile): Chain[] {
  const rolling = new Set(plan.services.filter((s) => s.rolling.rolling).map((s) => s.name));
  const domainVar = new Map(plan.services.map((s) => [s.name, s.rolling.domain]));
  const vars = new Map(plan.hosts.map((h) => [h.name, h.vars]));
  const byKey = new Map<string, Chain>();
  for (const step of plan.steps) {
    if (step.phase !== "rollout" || step.service === null || !rolling.has(step.service) || step.hosts.length !== 1) continue;
    const key = `${step.service}\u0000${step.hosts[0] as string}`;
    const start = step.estimate.start;
    const end = start + step.estimate.duration;
    const c = byKey.get(key);
    const v = domainVar.get(step.service);
    const domain = v === null || v === undefined ? "" : String(vars.get(step.hosts[0] as string)?.[v] ?? "");
    if (c === undefined) byKey.set(key, { service: step.service, domain, start, end });
    else {
      c.start = Math.min(c.start, start);
      c.end = Math.max(c.end, end);
    }
  }
  return [...byKey.values()];
}

function occurrencesOf(plan: PlanFile): Occurrence[] {
  const t0 = Date.parse(plan.plan.start);
  return plan.timing.windowsUsed.map((w) => {
    const cutoff = plan.windows.find((x) => x.name === w.window)?.cutoff ?? 0;
    const open = (Date.parse(w.start) - t0) / 1000;
    const close = (Date.parse(w.end) - t0) / 1000;
    return { open, close, usableEnd: close - cutoff };
  });
}

const overlap = (a: number, b: number, from: number, to: number): number => Math.max(0, Math.min(b, to) - Math.max(a, from));
const hours = (seconds: number): string => (seconds / 3600).toFixed(1);

/** Per occurrence: capacity, busy slot-hours per service, idle; per batched service its batches, pauses and tail. */
function report(plan: PlanFile): void {
  const p = plan.plan.parallelism;
  const chains = chainsOf(plan);
  const first = Math.min(...chains.map((c) => c.start));
  const dataPlane = new Set(plan.services.filter((s) => s.plane === "data").map((s) => s.name));
  const dataStart = Math.min(...chains.filter((c) => dataPlane.has(c.service)).map((c) => c.start));
  const batched = plan.services.filter((s) => s.rolling.rolling && s.rolling.batches.length > 2 && s.rolling.pause > 0).map((s) => s.name);
  const batchStarts = new Map<string, number[]>();
  const pauses = new Map<string, { start: number; end: number }[]>();
  for (const step of plan.steps) {
    if (step.service === null || !batched.includes(step.service) || step.batch === null) continue;
    if (step.action === "batch-pause") (pauses.get(step.service) ?? pauses.set(step.service, []).get(step.service))?.push({ start: step.estimate.start, end: step.estimate.start + step.estimate.duration });
  }
  for (const c of chains) if (batched.includes(c.service)) (batchStarts.get(c.service) ?? batchStarts.set(c.service, []).get(c.service))?.push(c.start);
  occurrencesOf(plan).forEach((o, i) => {
    const from = Math.max(o.open, first);
    if (from >= o.usableEnd) return;
    const capacity = p * (o.usableEnd - from);
    const busy = new Map<string, number>();
    for (const c of chains) {
      const s = overlap(c.start, c.end, o.open, o.close);
      if (s > 0) busy.set(c.service, (busy.get(c.service) ?? 0) + s);
    }
    const used = [...busy.values()].reduce((a, b) => a + b, 0);
    const shown = [...busy].filter(([, s]) => s >= 3600).map(([name, s]) => `${name} ${hours(s)}`);
    // The control plane's services roll one host at a time, one after another, before the
    // data plane's first chain: every other slot is idle meanwhile, whatever the scheduler.
    const serial = Math.max(0, Math.min(dataStart, o.usableEnd) - from);
    const before = serial > 0 ? ` (${hours(p * serial - chains.reduce((a, c) => a + overlap(c.start, c.end, from, from + serial), 0))} of it before the data plane's first chain at +${formatDuration(dataStart)})` : "";
    console.log(`occurrence ${i + 1} (from +${formatDuration(from)}): ${hours(capacity)} slot-hours; busy ${shown.join(", ")}; idle ${hours(capacity - used)}${before}`);
    for (const service of batched) {
      const mine = chains.filter((c) => c.service === service && c.end > o.open && c.start < o.close);
      if (mine.length === 0) continue;
      const lastEnd = Math.max(...mine.map((c) => c.end));
      const paused = (pauses.get(service) ?? []).reduce((a, x) => a + overlap(x.start, x.end, o.open, o.usableEnd), 0);
      const begun = new Set((batchStarts.get(service) ?? []).filter((s) => s >= o.open && s < o.close)).size;
      console.log(`    ${service}: ${mine.length} chains, ${begun} waves; pauses ${hours(p * paused)} slot-hours; tail ${formatDuration(Math.max(0, o.usableEnd - lastEnd))} (${hours(p * Math.max(0, o.usableEnd - lastEnd))} slot-hours)`);
    }
    for (const line of domainLines(chains, o)) console.log(line);
  });
}

/**
 * Per rolling service with a failure domain: the domain values' busy slot-hours in the
 * occurrence (least and most) and which value's last chain ends latest; a value far above
 * the others is the one that sets the rollout's length (its cap, not `parallelism`).
 */
function domainLines(chains: readonly Chain[], o: Occurrence): string[] {
  const byService = new Map<string, Map<string, { busy: number; lastEnd: number }>>();
  for (const c of chains) {
    if (c.domain === "" || c.end <= o.open || c.start >= o.close) continue;
    const domains = byService.get(c.service) ?? byService.set(c.service, new Map()).get(c.service);
    const d = domains?.get(c.domain) ?? { busy: 0, lastEnd: 0 };
    d.busy += overlap(c.start, c.end, o.open, o.close);
    d.lastEnd = Math.max(d.lastEnd, c.end);
    domains?.set(c.domain, d);
  }
  return [...byService].map(([service, domains]) => {
    const list = [...domains].sort((a, b) => a[1].busy - b[1].busy);
    const [leastName, least] = list[0] as [string, { busy: number }];
    const [mostName, most] = list[list.length - 1] as [string, { busy: number }];
    const [latestName, latest] = [...domains].reduce((a, b) => (b[1].lastEnd > a[1].lastEnd ? b : a));
    return `    ${service} per domain (${domains.size}): busy ${hours(least.busy)} (${leastName}) to ${hours(most.busy)} (${mostName}) slot-hours; last chain ends +${formatDuration(latest.lastEnd)} (${latestName})`;
  });
}

const [size = "10000@64", variant = "uniform", mode = "batches"] = process.argv.slice(2);
const [computesText, parallelismText] = size.split("@");
const computes = Number(computesText);
const parallelism = parallelismText === undefined ? 64 : Number(parallelismText);
if (!(Number.isInteger(computes) && computes > 0 && Number.isInteger(parallelism) && parallelism > 0) || !["mixed", "uniform"].includes(variant) || !["batches", "cont"].includes(mode)) {
  console.error("usage: npx tsx bench/plan-slots.ts [computes[@parallelism]] [mixed|uniform] [batches|cont]   (default 10000@64 uniform batches)");
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), "upgradec-plan-slots-"));
try {
  const { upg, ini } = operatorCloud(computes, { uniform: variant === "uniform", continuous: mode === "cont", parallelism });
  writeFileSync(join(dir, "cloud.upg"), upg);
  writeFileSync(join(dir, "hosts.ini"), ini);
  const result = compileFile("cloud.upg", nodeLoadHost(dir), { now: new Date("2026-12-01T12:00:00Z"), compilerVersion: "bench", start: START, history: { value: evacuationHistory(computes), diagnostics: [] } });
  const plan = result.plan;
  if (plan === undefined || plan === null) {
    console.log(`no plan: ${result.diagnostics.find((d) => d.severity === "error")?.message ?? "?"}`);
  } else {
    const bound = plan.timing.bound;
    console.log(`${computes} computes p${parallelism} ${variant} ${mode}: plan ${formatDuration(plan.timing.total)}, bound ${bound ? formatDuration(bound.total) : "–"}, with the written batches ${bound ? formatDuration(bound.barriers ?? bound.total) : "–"}; load average ${loadavg().map((l) => l.toFixed(1)).join(" ")}`);
    report(plan);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
