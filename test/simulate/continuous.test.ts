/**
 * `simulate` of a continuous rollout (examples/dataplane-continuous: a canary, two hosts,
 * then the rest with no barrier, one host per zone, inside nightly windows): the runtime's
 * engine on the model keeps the plan's timeline and never has more than the caps out, and
 * the continuous plan is shorter than the same cloud rolled in batches of two.
 */
import { describe, expect, it } from "vitest";
import type { PlanFile } from "../../src/plan/plan.js";
import { NO_FAULTS } from "../../src/simulate/faults.js";
import { simulate, type SimulationReport } from "../../src/simulate/simulate.js";
import { compileExample } from "../examples/compile-example.js";
import { timelineBreaks } from "./timeline.js";

function planOf(path: string): PlanFile {
  const result = compileExample(path);
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  if (result.plan === null) throw new Error("no plan");
  return result.plan;
}

/** The most hosts of one zone out at once in the run, from the journal (a host out from its chain's first start to its last end). */
function peakPerZone(p: PlanFile, r: SimulationReport): number {
  const byId = new Map(p.steps.map((s) => [s.id, s]));
  const az = new Map(p.hosts.map((h) => [h.name, String(h.vars["az"])]));
  const stretch = new Map<string, { from: number; to: number }>();
  for (const j of r.journal) {
    const step = j.step !== undefined ? byId.get(j.step) : undefined;
    if (!step || step.batch === null || step.hosts.length !== 1) continue;
    const host = step.hosts[0] as string;
    const t = Date.parse(j.time);
    const s = stretch.get(host) ?? { from: Infinity, to: -Infinity };
    if (j.type === "step-started") s.from = Math.min(s.from, t);
    if (j.type === "step-succeeded") s.to = Math.max(s.to, t);
    stretch.set(host, s);
  }
  let peak = 0;
  for (const [host, s] of stretch) {
    const zone = az.get(host);
    const out = [...stretch].filter(([h, o]) => az.get(h) === zone && o.from <= s.from && s.from < o.to).length;
    peak = Math.max(peak, out);
  }
  return peak;
}

describe("simulate: then continuous", () => {
  it("keeps the plan's timeline and at most one host per zone out", { timeout: 60_000 }, async () => {
    const p = planOf("examples/dataplane-continuous/cloud.upg");
    expect(p.services[0]?.rolling.continuous).toBe(true);
    const r = await simulate(p, { faults: NO_FAULTS });
    expect([r.outcome, r.violations]).toEqual(["completed", []]);
    expect(timelineBreaks(p, r)).toEqual([]);
    expect(peakPerZone(p, r)).toBe(1);
  });

  it("is shorter than the same cloud in batches, and near its bound", () => {
    const continuous = planOf("examples/dataplane-continuous/cloud.upg");
    const batched = planOf("examples/dataplane-rolling-reboot/cloud.upg");
    expect(continuous.timing.total).toBeLessThan(batched.timing.total);
    const bound = continuous.timing.bound?.total ?? 0;
    expect(continuous.timing.total / bound).toBeLessThan(1.15);
  });
});
