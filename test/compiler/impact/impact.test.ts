import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildPlan } from "../../../src/compiler/build-plan.js";
import type { DraftStep } from "../../../src/compiler/expand/draft.js";
import { impact, merge } from "../../../src/compiler/impact/impact.js";
import type { Model } from "../../../src/compiler/model.js";
import type { PlanFile } from "../../../src/plan/plan.js";
import { action, computeService, host, model, names, rolling, service } from "../model-builder.js";

function build(m: Model): PlanFile {
  const result = buildPlan(m, { now: new Date("2026-12-01T12:00:00Z"), compilerVersion: "0.1.0" });
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return result.value as PlanFile;
}

describe("impact", () => {
  it("merges intervals", () => {
    expect(merge([5, 10, 0, 2, 2, 3, 9, 12, 20, 20])).toEqual([0, 3, 5, 12]);
  });

  it("merges any intervals from two lists into the disjoint ones that cover the same time, few or many", () => {
    // The reference: the instants covered, as a sorted list of [start, end) built one interval at a time.
    const reference = (lists: number[][]): number[] => {
      const spans = lists.flatMap((l) => l.flatMap((v, k) => (k % 2 === 0 && k + 1 < l.length && (l[k + 1] as number) > v ? [[v, l[k + 1] as number] as const] : [])));
      spans.sort((a, b) => a[0] - b[0]);
      const out: number[] = [];
      for (const [s, e] of spans) {
        if (out.length > 0 && s <= (out[out.length - 1] as number)) out[out.length - 1] = Math.max(out[out.length - 1] as number, e);
        else out.push(s, e);
      }
      return out;
    };
    const time = fc.integer({ min: 0, max: 50 });
    const list = fc.array(time, { maxLength: 160 });
    fc.assert(
      fc.property(list, list, fc.boolean(), (a, b, noSecond) => {
        const got = noSecond ? merge(a) : merge(a, b);
        expect(got).toEqual(reference(noSecond ? [a] : [a, b]));
        for (let k = 2; k < got.length; k += 2) expect(got[k] as number).toBeGreaterThan(got[k - 1] as number);
      }),
      { numRuns: 500 },
    );
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

  it("agrees with counting, instant by instant, what each step takes out", () => {
    const hostNames = ["h0", "h1", "h2", "h3", "h4"];
    const m = model({
      hosts: hostNames.map((h) => host(h)),
      services: [service("a", { hosts: ["h0", "h1", "h2", "h3"], plane: "data" }), service("b", { hosts: ["h2", "h3", "h4"] })],
    });
    // A whole host, or a service's instance on one of its hosts.
    const placed = fc.oneof(
      fc.constantFrom(...hostNames).map((h) => ({ host: h, service: null })),
      ...m.services.map((svc) => fc.constantFrom(...svc.hosts).map((h) => ({ host: h, service: svc.name as string | null }))),
    );
    const span = fc.record({
      on: placed,
      start: fc.integer({ min: 0, max: 40 }).map((t) => t / 2),
      duration: fc.integer({ min: 0, max: 20 }).map((t) => t / 2),
    }).map(({ on, start, duration }) => ({ ...on, start, duration }));
    fc.assert(
      fc.property(fc.array(span, { maxLength: 25 }), (spans) => {
        const steps = spans.map(
          (x, i): DraftStep => ({
            id: `s${i}`, phase: "rollout", service: x.service, hosts: [x.host], action: "upgrade", command: null, after: [], estimate: { start: 0, duration: x.duration },
            window: null, unavailable: [x.service === null ? { host: x.host } : { host: x.host, service: x.service }], batch: 0, checkpoint: null,
            undo: null, done: null, health: null,
          }),
        );
        const got = impact(m, { steps, irreversible: new Map() }, Float64Array.from(spans.map((x) => x.start)));
        // Every instant that matters: each span's start and end, and the middle of each gap between two of them.
        const points = [...new Set(spans.flatMap((x) => [x.start, x.start + x.duration]))].sort((p, q) => p - q);
        const out = (h: string, svc: string | null, t: number): boolean =>
          spans.some((x) => x.duration > 0 && x.host === h && (x.service === null || svc === null || x.service === svc) && x.start <= t && t < x.start + x.duration);
        for (const svc of m.services) {
          let peak = 0;
          let full = 0;
          points.forEach((t, k) => {
            const n = svc.hosts.filter((h) => out(h, svc.name, t)).length;
            peak = Math.max(peak, n);
            if (n === svc.hosts.length && k + 1 < points.length) full += (points[k + 1] as number) - t;
          });
          expect(got.services.find((x) => x.service === svc.name)).toMatchObject({ instances: svc.hosts.length, minInService: svc.hosts.length - peak, downtime: full });
        }
        for (const h of hostNames) {
          let time = 0;
          points.forEach((t, k) => {
            if (k + 1 < points.length && out(h, null, t)) time += (points[k + 1] as number) - t;
          });
          expect(got.hosts.find((x) => x.host === h)?.outOfService).toBe(time);
        }
        const dataHosts = ["h0", "h1", "h2", "h3"];
        const dataPeak = Math.max(0, ...points.map((t) => dataHosts.filter((h) => out(h, null, t)).length));
        expect(got.peakDataPlaneOut).toBe(Math.round((dataPeak / dataHosts.length) * 10_000) / 10_000);
      }),
      { numRuns: 400 },
    );
  });
});
