import { describe, expect, it } from "vitest";
import { type FaultSpec, NO_FAULTS } from "../../src/simulate/faults.js";
import { simulate, type SimulationReport } from "../../src/simulate/simulate.js";
import { WindowCalendar, shapeOfPlanWindow } from "../../src/windows/window-clock.js";
import { action, computeService, host, model, names, rolling, window } from "../compiler/model-builder.js";
import { cloudModel, compiledPlan, controlService, editSteps } from "../support/plan-builder.js";

const faults = (f: Partial<FaultSpec>): FaultSpec => ({ ...NO_FAULTS, ...f });
const versions = (r: SimulationReport) => [...r.model.instances.values()].map((i) => i.version);
const vmsOn = (r: SimulationReport) => Object.fromEntries([...r.model.hosts.values()].map((h) => [h.name, h.instances]));

describe("simulate: a sound plan", () => {
  it("completes with every instance at the new version, no VM lost and every invariant held", async () => {
    const p = compiledPlan(cloudModel({ perDomain: 1 }));
    const r = await simulate(p);
    expect(r.violations).toEqual([]);
    expect(r.outcome).toBe("completed");
    expect(new Set(versions(r))).toEqual(new Set(["2023.1"]));
    expect(r.model.instanceCount).toBe(18);
    expect([...r.model.hosts.values()].every((h) => h.up && h.maintenance.size === 0)).toBe(true);
    expect([...r.model.instances.values()].every((i) => i.running)).toBe(true);
    expect(r.model.services.get("keystone")?.schema).toBe("contracted");
    expect([...r.model.pins.values()]).toEqual([false]);
    // The journal is the runtime's: every step started and succeeded once.
    expect(r.journal.filter((j) => j.type === "step-succeeded")).toHaveLength(p.steps.length);
    expect(r.duration).toBeGreaterThan(0);
    expect(r.planned).toBe(p.timing.total);
  });

  it("runs the same for the same seed, and --slow lengthens the run", async () => {
    const p = compiledPlan(cloudModel({ computes: 8, maxFailures: 3 }));
    const a = await simulate(p, { faults: faults({ failRate: 0.2, seed: 42 }) });
    const b = await simulate(p, { faults: faults({ failRate: 0.2, seed: 42 }) });
    expect(b.journal.map((j) => [j.type, j.step, j.time])).toEqual(a.journal.map((j) => [j.type, j.step, j.time]));
    expect(a.injected.length).toBeGreaterThan(0);
    const base = await simulate(p);
    const slow = await simulate(p, { faults: faults({ slow: { reboot: 3 } }) });
    expect(slow.duration - base.duration).toBeGreaterThanOrEqual(2 * 300 * 4 - 1);
    expect(slow.violations).toEqual([]);
  });
});

describe("simulate: max-failures tolerates failures as a real run does", () => {
  it("a failure within max-failures leaves its host out and the later batches go on; unpin and contract wait for it", async () => {
    const p = compiledPlan(cloudModel({ computes: 8, maxFailures: 1, maxUnavailable: 3 }));
    const r = await simulate(p, { faults: faults({ fail: [{ step: "upgrade", host: "cmp003" }] }) });
    expect(r.violations).toEqual([]);
    expect(r.outcome).toBe("stopped");
    expect(r.leftOut).toEqual({ "nova-compute": ["cmp003"] });
    expect(r.stopReason).toContain("left out");
    const failed = r.journal.filter((j) => j.type === "step-failed");
    expect(failed.map((j) => [j.step, j.tolerated])).toEqual([[expect.stringMatching(/cmp003\/upgrade$/), true]]);
    // Every other compute went through, in the batches after the failure too.
    for (const h of ["cmp001", "cmp002", "cmp004", "cmp005", "cmp006", "cmp007", "cmp008"]) expect(r.model.instance(h, "nova-compute")?.version).toBe("2023.1");
    expect(r.model.instance("cmp003", "nova-compute")?.version).toBe("zed");
    // What needs every compute new did not run: the old one would break.
    const started = new Set(r.journal.filter((j) => j.type === "step-started").map((j) => j.step));
    expect(started.has("nova-compute/done")).toBe(false);
    expect([...started].some((id) => id?.endsWith("/contract"))).toBe(false);
    expect(r.journal.find((j) => j.type === "run-stopped")?.outcome).toBe("hosts-left-out");
  });

  it("a rollback after hosts were left out undoes the computes before the conductors (the order holds across the gap)", async () => {
    const p = compiledPlan(cloudModel({ controllers: 3, computes: 9, domains: 1, instances: 0, maxUnavailable: 2, maxFailures: 1, checkpoint: true, batches: [1] }));
    const r = await simulate(p, { faults: faults({ fail: [{ step: "nova-compute/b1/cmp001/maintenance-enter", host: null }] }), rollbackOnFailure: true });
    expect(r.leftOut).toEqual({ "nova-compute": ["cmp001"] });
    expect(r.outcome).toBe("rolled-back");
    expect(r.violations).toEqual([]);
    expect(new Set(versions(r))).toEqual(new Set(["zed"]));
  });

  it("stops when failures exceed max-failures, and no batch starts after the one that exceeded it", async () => {
    const p = compiledPlan(cloudModel({ computes: 8, maxFailures: 1, maxUnavailable: 3 }));
    const r = await simulate(p, { faults: faults({ fail: [{ step: "upgrade", host: "cmp003" }, { step: "upgrade", host: "cmp004" }] }) });
    expect(r.outcome).toBe("stopped");
    expect(r.stopReason).toContain("more than max-failures 1");
    // The first failure was within max-failures: that host was left out before the second stopped the run.
    expect(r.leftOut).toEqual({ "nova-compute": ["cmp003"] });
    expect(r.model.instance("cmp008", "nova-compute")?.version).toBe("zed");
  });
});

describe("simulate: faults and rollback", () => {
  it("a failed upgrade stops the run, and the rollback returns every host to the from version", async () => {
    const p = compiledPlan(cloudModel());
    const r = await simulate(p, { faults: faults({ fail: [{ step: "upgrade", host: "cmp003" }] }), rollbackOnFailure: true });
    expect(r.failed.map((f) => f.step)).toEqual(["nova-compute/b2/cmp003/upgrade"]);
    expect(r.outcome).toBe("rolled-back");
    expect(r.rollback?.target).toBeNull();
    expect(r.violations).toEqual([]);
    expect(new Set(versions(r))).toEqual(new Set(["zed"]));
    expect(r.model.services.get("keystone")?.schema).toBe("none");
    expect([...r.model.hosts.values()].every((h) => h.maintenance.size === 0)).toBe(true);
    expect(r.model.instanceCount).toBe(r.model.totalInstances);
  });

  it("without --rollback-on-failure a failure leaves the run stopped, hosts where they were", async () => {
    const p = compiledPlan(cloudModel());
    const r = await simulate(p, { faults: faults({ fail: [{ step: "nova-compute/b2/cmp003/upgrade", host: null }] }) });
    expect(r.outcome).toBe("stopped");
    expect(r.stopReason).toContain("max-failures");
    expect(r.violations).toEqual([]);
    expect(r.model.instance("cmp001", "nova-compute")?.version).toBe("2023.1");
    expect(r.model.instance("cmp003", "nova-compute")?.version).toBe("zed");
    expect(r.model.hosts.get("cmp003")?.maintenance.has("nova-compute")).toBe(true);
    expect(vmsOn(r)["cmp003"]).toBe(0);
  });

  it("rolls back past a contract through the checkpoint taken before expand", async () => {
    const p = compiledPlan(cloudModel());
    const r = await simulate(p, { faults: faults({ fail: [{ step: "keystone/postcheck", host: null }] }), rollbackOnFailure: true });
    expect(r.outcome).toBe("rolled-back");
    expect(r.rollback?.target).toBe("db-backup");
    expect(r.violations).toEqual([]);
    expect(new Set(versions(r))).toEqual(new Set(["zed"]));
    expect(r.model.services.get("keystone")?.schema).toBe("none");
  });

  it("refuses a rollback past a contract that no checkpoint covers", async () => {
    const p = compiledPlan(cloudModel({ checkpoint: false }));
    const r = await simulate(p, { faults: faults({ fail: [{ step: "keystone/postcheck", host: null }] }), rollbackOnFailure: true });
    expect(r.outcome).toBe("rollback-refused");
    expect(r.rollback?.refused).toContain("point of no return");
    expect(r.violations).toEqual([]);
  });

  it("a host that never comes back stops the run; its VMs were evacuated first", async () => {
    const p = compiledPlan(cloudModel());
    const r = await simulate(p, { faults: faults({ down: ["cmp002"] }) });
    expect(r.outcome).toBe("stopped");
    expect(r.failed[0]?.step).toBe("nova-compute/b2/cmp002/stop");
    expect(r.model.hosts.get("cmp002")?.up).toBe(false);
    expect(vmsOn(r)["cmp002"]).toBe(0);
    expect(r.violations).toEqual([]);
  });

  it("fails an evacuation the other hosts have no room for", async () => {
    const p = compiledPlan(cloudModel({ capacity: 3 }));
    const r = await simulate(p);
    expect(r.outcome).toBe("stopped");
    expect(r.failed[0]?.message).toContain("no room");
    expect(r.model.instanceCount).toBe(18);
    expect(r.violations).toEqual([]);
  });
});

describe("simulate: violations are found, each with its event", () => {
  it("an executor fault that loses a VM", async () => {
    const p = compiledPlan(cloudModel());
    const r = await simulate(p, { faults: faults({ lose: [{ step: "evacuate", host: "cmp002" }] }) });
    const lost = r.violations.filter((v) => v.invariant === "instances-kept");
    expect(lost).toHaveLength(1);
    expect(lost[0]?.event.step).toBe("nova-compute/b2/cmp002/evacuate");
    expect(lost[0]?.event.host).toBe("cmp002");
    expect(r.model.instanceCount).toBe(17);
  });

  it("a plan built by hand that takes every compute out at once breaks its caps", async () => {
    const p = compiledPlan(cloudModel({ perDomain: 1, capacity: 100 }));
    const first = p.steps.find((s) => s.id === "nova-compute/b1/cmp001/maintenance-enter");
    const bad = editSteps(p, (s) =>
      s.service !== "nova-compute" ? s : { ...s, unavailable: [], after: s.action === "maintenance-enter" ? (first?.after ?? []) : s.after },
    );
    const r = await simulate(bad);
    const caps = r.violations.filter((v) => v.invariant === "caps");
    expect(caps.length).toBeGreaterThan(0);
    expect(caps[0]?.event.step).toMatch(/^nova-compute\/b\d\/cmp\d+\/maintenance-enter$/);
    expect(caps[0]?.event.what).toBe("maintenance-enter ended");
    expect(caps.some((v) => v.message.includes("per az"))).toBe(true);
  });

  it("a plan that stops every keystone at once, with no downtime declared", async () => {
    const p = compiledPlan(cloudModel());
    const stop1 = p.steps.find((s) => s.id === "keystone/b1/ctl1/stop");
    const bad = editSteps(p, (s) => (s.id === "keystone/b2/ctl2/stop" ? { ...s, after: stop1?.after ?? [] } : s.id === "keystone/b1/ctl1/stop" ? { ...s, unavailable: [] } : s));
    const r = await simulate(bad);
    const api = r.violations.filter((v) => v.invariant === "control-plane-in-service");
    expect(api).toHaveLength(1);
    expect(api[0]?.message).toContain("keystone");
    expect(api[0]?.event.step).toMatch(/^keystone\/b\d\/ctl\d\/stop$/);
  });

  it("a reboot with VMs still on the host", async () => {
    const cmp = names("cmp", 3);
    const m = model({
      hosts: cmp.map((h) => host(h, { instances: 2 })),
      services: [computeService("nova-compute", cmp, { evacuate: null, maintenance: null, rolling: rolling({ batches: [1], maxUnavailable: 1 }) })],
    });
    const r = await simulate(compiledPlan(m));
    const down = r.violations.filter((v) => v.invariant === "no-instance-on-down-host");
    expect(down.map((v) => v.event.host)).toEqual(["cmp001", "cmp002", "cmp003"]);
    expect(down[0]?.event.step).toBe("nova-compute/b1/cmp001/reboot");
  });

  it("computes upgraded before their conductors break the skew rule", async () => {
    const base = cloudModel();
    const services = base.services.map((s) =>
      s.name === "nova-compute" ? { ...s, after: ["keystone"] } : s.name === "nova-conductor" ? { ...s, after: ["nova-compute"], actions: { ...s.actions, pin: undefined, unpin: undefined } } : s,
    );
    const r = await simulate(compiledPlan({ ...base, services }));
    const skew = r.violations.filter((v) => v.invariant === "version-skew");
    expect(skew).toHaveLength(1);
    expect(skew[0]?.event.step).toBe("nova-compute/b1/cmp001/upgrade");
  });

  it("versions mixed with the RPC pin missing", async () => {
    const p = compiledPlan(cloudModel());
    const bad = editSteps(p, (s) => (s.action === "pin" ? { ...s, action: "precheck" } : s));
    const r = await simulate(bad);
    const pin = r.violations.filter((v) => v.invariant === "rpc-pin");
    expect(pin).toHaveLength(1);
    expect(pin[0]?.event.step).toBe("nova-conductor/b1/ctl1/upgrade");
  });

  it("a contract before the rollout runs old code on a contracted schema", async () => {
    const p = compiledPlan(cloudModel());
    const expand = p.steps.find((s) => s.id === "keystone/expand");
    const bad = editSteps(p, (s) => (s.id === "keystone/contract" ? { ...s, after: [expand?.id ?? ""] } : s.id === "keystone/migrate" ? s : s));
    const r = await simulate(bad);
    const schema = r.violations.filter((v) => v.invariant === "schema-consistent");
    expect(schema.length).toBeGreaterThan(0);
    expect(schema[0]?.event.step).toBe("keystone/contract");
  });

  it("a service without a rollback action is not back at from after the rollback", async () => {
    const base = cloudModel();
    const services = base.services.map((s) => (s.name === "nova-conductor" ? { ...s, actions: { ...s.actions, rollback: undefined } } : s));
    const r = await simulate(compiledPlan({ ...base, services }), { faults: faults({ fail: [{ step: "upgrade", host: "cmp001" }] }), rollbackOnFailure: true });
    expect(r.outcome).toBe("rolled-back");
    const back = r.violations.filter((v) => v.invariant === "rollback-restores-from");
    expect(back).toHaveLength(1);
    expect(back[0]?.message).toContain("nova-conductor on ctl1");
  });

  it("a control service on one host alone is out while it upgrades, unless downtime is declared", async () => {
    const m = model({ services: [controlService("horizon", ["ctl1"])] });
    const p = compiledPlan(m);
    const r = await simulate(p);
    expect(p.impact.services.find((s) => s.service === "horizon")?.downtime).toBeGreaterThan(0);
    expect(r.violations).toEqual([]);
    void action;
  });
});

describe("simulate: declared downtime", () => {
  it("a service without the rolling tag may lose every instance (its stated policy); the gate accepts it", async () => {
    const p = compiledPlan(cloudModel({ controllers: 2, computes: 2, instances: 0, maxUnavailable: 1, batches: [1], checkpoint: false, contract: false, allAtOnce: true }));
    expect(p.impact.services.find((s) => s.service === "heat-api")?.downtime).toBe(0);
    let fewestHeat = Infinity;
    const r = await simulate(p, {
      faults: faults({ failRate: 0.1, seed: 10 }),
      rollbackOnFailure: true,
      onEvent: (_e, m) => {
        fewestHeat = Math.min(fewestHeat, 2 - (m.services.get("heat-api")?.out.size ?? 0));
      },
    });
    expect(r.outcome).toBe("rolled-back");
    // The rollback undoes heat-api on both controllers at once, as its cap (all hosts) allows.
    expect(fewestHeat).toBe(0);
    expect(r.violations).toEqual([]);
  });
});

describe("simulate: windows, through the runtime's own gate", () => {
  it("starts every window-bound chain inside an occurrence, over as many nights as it takes", async () => {
    const base = cloudModel({ computes: 8, batches: [1, 2], maxUnavailable: 2 });
    const nightly = window("nightly", { from: 22 * 60, to: 23 * 60, zone: "Europe/Berlin", cutoff: 300 });
    const services = base.services.map((s) => (s.name === "nova-compute" ? { ...s, window: "nightly" } : s));
    const p = compiledPlan({ ...base, services, windows: [nightly] });
    const r = await simulate(p);
    expect(r.outcome).toBe("completed");
    expect(r.violations).toEqual([]);
    const pw = p.windows[0];
    if (!pw) throw new Error("the plan lost its window");
    const bound = new Set(p.steps.filter((s) => s.window === "nightly").map((s) => s.id));
    const starts = r.journal.filter((j) => j.type === "step-started" && bound.has(j.step ?? "")).map((j) => Date.parse(j.time));
    expect(starts.length).toBe(bound.size);
    const calendar = new WindowCalendar(shapeOfPlanWindow(pw), Date.parse(p.plan.start));
    const occurrenceAt = (t: number): number => calendar.openAt(calendar.secondsOf(t));
    for (const t of starts) expect(occurrenceAt(t)).toBeGreaterThanOrEqual(0);
    // One hour a night cannot hold eight computes at two at a time: it takes several nights.
    const nights = new Set(starts.map(occurrenceAt));
    expect(nights.size).toBeGreaterThan(1);
    expect(r.duration).toBeGreaterThan(24 * 3600);
  });
});
