import { describe, expect, it } from "vitest";
import { buildPlan } from "../../src/compiler/build-plan.js";
import { merge } from "../../src/compiler/impact/impact.js";
import type { Model } from "../../src/compiler/model.js";
import type { PlanFile } from "../../src/plan/plan.js";
import { action, computeService, host, model, names, rolling, service } from "./model-builder.js";

function build(m: Model): PlanFile {
  const result = buildPlan(m, { now: new Date("2026-12-01T12:00:00Z"), compilerVersion: "0.1.0" });
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return result.value as PlanFile;
}

describe("impact", () => {
  it("merges intervals", () => {
    expect(merge([5, 10, 0, 2, 2, 3, 9, 12, 20, 20])).toEqual([0, 3, 5, 12]);
  });

  it("counts a whole-host step against every service instance on the host", () => {
    const hosts = names("cmp", 4);
    const compute = computeService("nova-compute", hosts, { rolling: rolling({ batches: [1], maxUnavailable: 1 }) });
    // the agent rolls after the computes, so the two never overlap on one host
    const agent = service("ovs-agent", { hosts, plane: "data", after: ["nova-compute"], actions: { upgrade: action(["up"], { takes: 60 }) } });
    const plan = build(model({ hosts: hosts.map((h) => host(h, { instances: 5 })), services: [compute, agent] }));
    const chain = plan.steps.filter((s) => s.service === "nova-compute" && s.hosts[0] === "cmp001");
    const chainTime = chain.reduce((sum, s) => sum + s.estimate.duration, 0);
    // the compute chain keeps cmp001 out for its whole length, the agent's upgrade for 60 s more
    expect(plan.impact.hosts.find((h) => h.host === "cmp001")?.outOfService).toBe(chainTime + 60);
    // while nova-compute has a host in maintenance, the agent on that host is out too
    const agentImpact = plan.impact.services.find((s) => s.service === "ovs-agent");
    expect(agentImpact).toEqual({ service: "ovs-agent", instances: 4, minInService: 3, minShare: 0.75, downtime: 0 });
    expect(plan.impact.services.find((s) => s.service === "nova-compute")).toEqual({ service: "nova-compute", instances: 4, minInService: 3, minShare: 0.75, downtime: 0 });
    expect(plan.impact.instancesMigrated).toBe(20);
    expect(plan.impact.peakDataPlaneOut).toBe(0.25);
  });

  it("shows the downtime of a single-host service and of a non-rolling one", () => {
    const plan = build(
      model({
        services: [
          service("db", { hosts: ["db1"], actions: { upgrade: action(["up"], { takes: 100 }), stop: action(["stop"], { takes: 10 }) } }),
          service("web", { hosts: ["w1", "w2"], after: ["db"], rolling: rolling({ rolling: false, batches: [2], maxUnavailable: 2 }), actions: { upgrade: action(["up"], { takes: 50 }) } }),
        ],
      }),
    );
    expect(plan.impact.services).toEqual([
      { service: "db", instances: 1, minInService: 0, minShare: 0, downtime: 110 },
      { service: "web", instances: 2, minInService: 0, minShare: 0, downtime: 50 },
    ]);
    expect(plan.impact.peakDataPlaneOut).toBe(0);
  });
});
