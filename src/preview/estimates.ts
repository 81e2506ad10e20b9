/**
 * Where the plan's estimates came from, as the previews print them: per service, its
 * actions grouped by source (measured over n runs, written in the plan, the defaults), and
 * the runs `compile --history` read.
 */
import type { PlanEstimate, PlanFile } from "../plan/plan.js";
import { formatDuration } from "../base/duration.js";

/** An estimate's seconds: under ten seconds to the tenth (measured ones are often below a second), else as durations are. */
export function formatEstimate(seconds: number): string {
  if (seconds >= 10 || Number.isInteger(seconds)) return formatDuration(seconds);
  const tenths = Math.round(seconds * 10) / 10;
  return tenths > 0 ? `${tenths}s` : `${Math.round(seconds * 1000)}ms`;
}

/** Runs listed by name before the rest are counted. */
const MAX_RUNS = 10;

export interface EstimateGroup {
  /** "measured over 2 runs (18 attempts)", "written", "default". */
  readonly label: string;
  readonly source: PlanEstimate["source"];
  /** "health 1.2s", "evacuate 12s per instance". */
  readonly items: readonly string[];
}

function runs(n: number): string {
  return `${n} ${n === 1 ? "run" : "runs"}`;
}

/** A service's estimates grouped by source, measured first. */
export function estimateGroups(estimates: readonly PlanEstimate[]): EstimateGroup[] {
  const out: EstimateGroup[] = [];
  const measured = estimates.filter((e) => e.source === "measured");
  if (measured.length > 0) {
    const most = Math.max(...measured.map((e) => e.runs ?? 0));
    const attempts = measured.reduce((n, e) => n + (e.samples ?? 0), 0);
    out.push({ label: `measured over ${runs(most)} (${attempts} attempts)`, source: "measured", items: measured.map(item) });
  }
  for (const source of ["written", "default"] as const) {
    const of = estimates.filter((e) => e.source === source);
    if (of.length > 0) out.push({ label: source, source, items: of.map(item) });
  }
  return out;
}

function item(e: PlanEstimate): string {
  return `${e.action} ${formatEstimate(e.seconds)}${e.perInstance === true ? " per instance" : ""}`;
}

/** The text preview's section: one line per service, and the runs read. */
export function estimatesSection(plan: PlanFile, bold: (text: string) => string): string[] {
  const services = plan.services.filter((s) => (s.estimates ?? []).length > 0);
  if (services.length === 0) return [];
  const history = plan.history ?? [];
  const from = history.length > 0 ? `measured in ${runs(history.length)} read with --history` : "no --history: none measured";
  const out = ["", bold(`Estimates (${from})`)];
  const width = Math.max(...services.map((s) => s.name.length));
  for (const s of services) {
    const groups = estimateGroups(s.estimates ?? []).map((g) => `${g.label}: ${g.items.join(", ")}`);
    out.push(`  ${s.name.padEnd(width)}  ${groups.join("; ")}`);
  }
  for (const h of history.slice(0, MAX_RUNS)) out.push(`  run ${h.run}${h.plan !== null ? ` (${h.plan})` : ""}: ${h.samples} attempts, ${h.journal}`);
  if (history.length > MAX_RUNS) out.push(`  … ${history.length - MAX_RUNS} more runs (the plan file lists them)`);
  return out;
}
