import { describe, expect, it } from "vitest";
import { estimatesExecutor, simulateRun } from "./fake-effects.js";
import { argv, host, makePlan, rollingSteps } from "../support/plan-builder.js";
import { tempDir } from "../support/temp-dir.js";

describe("simulated runs", () => {
  it("runs a whole rolling plan in simulated time, under its caps", async () => {
    const hosts = Array.from({ length: 12 }, (_, i) => `c${i}`);
    const { steps, services } = rollingSteps([{ name: "cmp", hosts, batches: [1, 5, 6], maxUnavailable: 3, domain: "az", maxUnavailablePerDomain: 2 }], () => argv(["true"]));
    const plan = makePlan({ dir: tempDir(), hosts: hosts.map((h, i) => host(h, { az: `az${i % 2}` })), services, steps: steps.map((s) => ({ ...s, estimate: { ...s.estimate, duration: 60 } })), parallelism: 8 });
    const started = Date.parse(plan.plan.start);
    const sim = await simulateRun(plan, estimatesExecutor);
    expect(sim.result.failed).toEqual([]);
    expect(sim.result.succeeded).toHaveLength(plan.steps.length);
    // Replay the records: never more than 3 hosts out, nor 2 in one az.
    const out = new Map<string, string>();
    let peak = 0;
    const chainSteps = (h: string, batch: number | null) => plan.steps.filter((s) => s.hosts.includes(h) && s.batch === batch && s.unavailable.length > 0).map((s) => s.id);
    for (const r of sim.records) {
      const s = plan.steps.find((x) => x.id === r.step);
      if (!s || s.unavailable.length === 0) continue;
      const h = s.hosts[0] ?? "";
      if (r.type === "step-started") out.set(h, plan.hosts.find((x) => x.name === h)?.vars["az"] as string);
      if (r.type === "step-succeeded" && chainSteps(h, s.batch).at(-1) === s.id) out.delete(h);
      peak = Math.max(peak, out.size);
      expect(out.size).toBeLessThanOrEqual(3);
      for (const az of ["az0", "az1"]) expect([...out.values()].filter((v) => v === az).length).toBeLessThanOrEqual(2);
    }
    expect(peak).toBe(3);
    // 12 hosts, 3 at a time (and the canary alone), 3 minutes each, plus the checks.
    expect((sim.end - started) / 60_000).toBe(2 + 3 * (1 + 2 + 2));
  });
});
