import { describe, expect, it } from "vitest";
import { buildPlan } from "../../../src/compiler/build-plan.js";
import type { Model } from "../../../src/compiler/model.js";
import type { PlanFile, PlanStep } from "../../../src/plan/plan.js";
import { action, checkpoint, computeService, host, model, names, rolling, service } from "../model-builder.js";

const NOW = new Date("2026-12-01T12:00:00Z");

function build(m: Model): PlanFile {
  const result = buildPlan(m, { now: NOW, compilerVersion: "0.1.0" });
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  expect(errors).toEqual([]);
  if (!result.value) throw new Error("no plan");
  return result.value;
}

function step(plan: PlanFile, id: string): PlanStep {
  const s = plan.steps.find((x) => x.id === id);
  if (!s) throw new Error(`no step ${id}; have ${plan.steps.map((x) => x.id).slice(0, 40).join(", ")}`);
  return s;
}

const PHASES = ["prechecks", "checkpoint", "expand", "pin", "rollout", "migrate", "unpin", "contract", "cleanup", "postchecks"];

function openstack(): Model {
  const keystone = service("keystone", {
    hosts: ["ctl1", "ctl2", "ctl3"],
    actions: {
      precheck: action(["keystone-status", "upgrade", "check"]),
      expand: action(["keystone-manage", "db_sync", "--expand"]),
      stop: action(["systemctl", "stop", "keystone"]),
      upgrade: action(["apt-get", "install", "-y", "keystone"]),
      start: action(["systemctl", "start", "keystone"]),
      contract: action(["keystone-manage", "db_sync", "--contract"]),
      postcheck: action(["openstack", "token", "issue"]),
    },
  });
  const conductor = service("nova-conductor", {
    hosts: ["ctl1", "ctl2", "ctl3"],
    after: ["keystone"],
    actions: {
      precheck: action(["nova-status", "upgrade", "check"]),
      expand: action(["nova-manage", "db", "sync"]),
      pin: action(["crudini", "--set", "/etc/nova/nova.conf", "upgrade_levels", "compute", "auto"]),
      upgrade: action(["apt-get", "install", "-y", "nova-conductor"]),
      migrate: action(["nova-manage", "db", "online_data_migrations"]),
      unpin: action(["crudini", "--del", "/etc/nova/nova.conf", "upgrade_levels", "compute"]),
      cleanup: action(["apt-get", "autoremove", "-y"]),
    },
  });
  const compute = computeService("nova-compute", names("cmp", 5), { after: ["nova-conductor"] });
  return model({
    hosts: [host("ctl1"), host("ctl2"), host("ctl3"), ...names("cmp", 5).map((h) => host(h, { instances: 3, az: "az1" }))],
    services: [compute, keystone, conductor],
  });
}

describe("expand", () => {
  it("lays the phases out in order, each step after the previous phase", () => {
    const plan = build(openstack());
    const order = plan.steps.map((s) => PHASES.indexOf(s.phase));
    for (let i = 1; i < order.length; i++) expect(order[i]).toBeGreaterThanOrEqual(order[i - 1] as number);
    expect(new Set(plan.steps.map((s) => s.phase))).toEqual(new Set(["prechecks", "expand", "pin", "rollout", "migrate", "unpin", "contract", "cleanup", "postchecks"]));
    // estimates agree with `after`
    const byId = new Map(plan.steps.map((s) => [s.id, s]));
    for (const s of plan.steps) {
      for (const a of s.after) {
        const p = byId.get(a);
        expect(p, `${s.id} after ${a}`).toBeDefined();
        expect(s.estimate.start).toBeGreaterThanOrEqual((p?.estimate.start ?? 0) + (p?.estimate.duration ?? 0));
      }
    }
    expect(new Set(plan.steps.map((s) => s.id)).size).toBe(plan.steps.length);
  });

  it("orders per-service steps by service dependency and the rollout control plane first", () => {
    const plan = build(openstack());
    expect(step(plan, "nova-conductor/expand").after).toEqual(["keystone/expand"]);
    expect(step(plan, "keystone/expand").after.toSorted()).toEqual(["keystone/precheck", "nova-conductor/precheck"]);
    // nova-conductor rolls after keystone finished; computes after every control-plane service
    expect(step(plan, "nova-conductor/b1/ctl1/upgrade").after).toEqual(["keystone/done"]);
    expect(step(plan, "nova-compute/b1/cmp001/maintenance-enter").after).toEqual(["nova-conductor/done"]);
    expect(step(plan, "nova-conductor/b1/ctl1/upgrade").estimate.start).toBeGreaterThanOrEqual(step(plan, "keystone/done").estimate.start);
  });

  it("gives each host its chain, with ids, batches and what it takes out of service", () => {
    const plan = build(openstack());
    const chain = plan.steps.filter((s) => s.hosts[0] === "cmp002" && s.service === "nova-compute");
    expect(chain.map((s) => s.id)).toEqual([
      "nova-compute/b2/cmp002/maintenance-enter",
      "nova-compute/b2/cmp002/evacuate",
      "nova-compute/b2/cmp002/stop",
      "nova-compute/b2/cmp002/upgrade",
      "nova-compute/b2/cmp002/reboot",
      "nova-compute/b2/cmp002/start",
      "nova-compute/b2/cmp002/health",
      "nova-compute/b2/cmp002/maintenance-exit",
    ]);
    // a data-plane service in maintenance takes the whole host out for the whole chain
    for (const s of chain) expect(s.unavailable).toEqual([{ host: "cmp002" }]);
    expect(chain.every((s) => s.batch === 1)).toBe(true);
    // steps of a chain run back to back
    for (let i = 1; i < chain.length; i++) expect(chain[i]?.estimate.start).toBe((chain[i - 1]?.estimate.start ?? 0) + (chain[i - 1]?.estimate.duration ?? 0));
    // control plane without maintenance: only the instance is out
    expect(step(plan, "keystone/b1/ctl1/stop").unavailable).toEqual([{ host: "ctl1", service: "keystone" }]);
    // batches 1, 2, 2 for five hosts; a pause marker after each, `done` after the last
    expect(plan.services.find((s) => s.name === "nova-compute")?.rolling.batches).toEqual([1, 2, 2]);
    expect(step(plan, "nova-compute/b1/pause").action).toBe("batch-pause");
    expect(step(plan, "nova-compute/b1/pause").command).toBeNull();
    expect(step(plan, "nova-compute/b2/cmp002/maintenance-enter").after).toEqual(["nova-compute/b1/pause"]);
    expect(step(plan, "nova-compute/b1/pause").after).toEqual(["nova-compute/b1/cmp001/health"]);
    expect(step(plan, "nova-compute/done").after).toContain("nova-compute/b3/cmp005/maintenance-exit");
    // the previous batch's tails (maintenance-exit after the gate) are waited for too
    expect(step(plan, "nova-compute/b2/pause").after).toContain("nova-compute/b1/cmp001/maintenance-exit");
    expect(step(plan, "nova-compute/b1/cmp001/health").health).toEqual({ every: 10, within: 600, healthyFor: 30, onDeadline: "stop" });
  });

  it("pauses between batches for the policy's pause", () => {
    const m = model({ services: [service("api", { hosts: names("api", 3), rolling: rolling({ batches: [1], pause: 120 }) })] });
    const plan = build(m);
    expect(step(plan, "api/b1/pause").estimate.duration).toBe(120);
    expect(step(plan, "api/b2/api002/upgrade").estimate.start).toBe(step(plan, "api/b1/api001/upgrade").estimate.duration + 120);
    expect(step(plan, "api/done").estimate.duration).toBe(0);
  });

  it("derives undo per action", () => {
    const plan = build(openstack());
    const compute = (a: string): PlanStep => step(plan, `nova-compute/b1/cmp001/${a}`);
    expect(compute("maintenance-enter").undo).toEqual(compute("maintenance-exit").command);
    expect(compute("maintenance-exit").undo).toEqual(compute("maintenance-enter").command);
    expect(compute("stop").undo).toEqual(compute("start").command);
    expect(compute("upgrade").undo).toMatchObject({ command: { kind: "argv", argv: ["apt-get", "install", "-y", "nova-compute={from}"] } });
    expect(compute("reboot").undo).toBeNull();
    expect(compute("evacuate").undo).toBeNull();
    expect(step(plan, "nova-conductor/pin").undo).toEqual(step(plan, "nova-conductor/unpin").command);
    expect(step(plan, "keystone/expand").undo).toBeNull();
    expect(step(plan, "keystone/contract").undo).toBe("irreversible");
    expect(step(plan, "nova-conductor/migrate").undo).toBe("irreversible");
  });

  it("names the point of no return, and a checkpoint with a restore removes it", () => {
    const plan = build(openstack());
    expect(plan.impact.pointOfNoReturn?.step).toBe("nova-conductor/migrate");
    expect(plan.impact.pointOfNoReturn?.reason).toMatch(/no checkpoint with a restore before it/);

    const base = openstack();
    const withBackup = build({ ...base, checkpoints: [checkpoint("db-backup", "expand")] });
    expect(withBackup.impact.pointOfNoReturn).toBeNull();
    const cp = step(withBackup, "checkpoint/db-backup");
    expect(cp.phase).toBe("checkpoint");
    expect(cp.checkpoint).toBe("db-backup");
    expect(cp.undo).toMatchObject({ command: { argv: ["restore", "db-backup"] } });
    expect(cp.after.toSorted()).toEqual(["keystone/precheck", "nova-conductor/precheck"]);
    expect(step(withBackup, "keystone/expand").after).toEqual(["checkpoint/db-backup"]);
    expect(withBackup.checkpoints).toEqual([{ name: "db-backup", step: "checkpoint/db-backup", restore: cp.undo, note: null }]);

    // a checkpoint after the contract does not help it
    const late = build({ ...base, checkpoints: [checkpoint("late", "cleanup")] });
    expect(late.impact.pointOfNoReturn?.step).toBe("nova-conductor/migrate");
    const marked = build(model({ services: [service("x", { hosts: ["h1"], actions: { upgrade: action(["up"], { undo: "irreversible" }) } })] }));
    expect(marked.impact.pointOfNoReturn).toEqual({ step: "x/b1/h1/upgrade", reason: "x/b1/h1/upgrade is marked `undo irreversible`" });
  });

  it("runs per-host actions marked once on the first host only, and per-service ones on one host", () => {
    const m = model({
      services: [
        service("glance", {
          hosts: ["g1", "g2"],
          actions: { upgrade: action(["up"]), stop: action(["stop"], { once: true }), expand: action(["glance-manage", "db", "expand"]) },
        }),
      ],
    });
    const plan = build(m);
    expect(plan.steps.filter((s) => s.action === "stop").map((s) => s.id)).toEqual(["glance/b1/g1/stop"]);
    expect(step(plan, "glance/expand").hosts).toEqual(["g1"]);
  });

  it("makes an upgrade step that runs nothing when the service has no upgrade action, and says so", () => {
    const m = model({ services: [service("odd", { hosts: ["h1"], actions: {} })] });
    const result = buildPlan(m, { now: NOW, compilerVersion: "0.1.0" });
    expect(result.diagnostics.map((d) => d.code)).toEqual(["UPG0580"]);
    expect(result.diagnostics[0]?.severity).toBe("warning");
    expect(result.value?.steps.find((s) => s.id === "odd/b1/h1/upgrade")?.command).toBeNull();
  });

  it("plans a service without the rolling tag all at once, with its downtime", () => {
    const m = model({ services: [service("horizon", { hosts: ["w1", "w2", "w3"], rolling: rolling({ rolling: false, batches: [3], maxUnavailable: 3 }) })] });
    const plan = build(m);
    const ups = plan.steps.filter((s) => s.action === "upgrade");
    expect(ups.map((s) => s.estimate.start)).toEqual([0, 0, 0]);
    const svc = plan.impact.services.find((s) => s.service === "horizon");
    expect(svc).toEqual({ service: "horizon", instances: 3, minInService: 0, minShare: 0, downtime: ups[0]?.estimate.duration });
  });
});

describe("expand edge cases", () => {
  it("keeps order when every per-host action is `once` (hosts after the first have no chain)", () => {
    const m = model({
      services: [
        service("a", { hosts: ["h1"], actions: { upgrade: action(["up"], { takes: 100 }) } }),
        service("b", { hosts: ["h1", "h2", "h3"], after: ["a"], actions: { upgrade: action(["up"], { once: true, takes: 50 }) } }),
      ],
    });
    const plan = build(m);
    expect(plan.steps.filter((s) => s.service === "b" && s.action === "upgrade").map((s) => s.id)).toEqual(["b/b1/h1/upgrade"]);
    // the empty batches' markers still come after what went before
    for (const s of plan.steps.filter((x) => x.service === "b")) expect(s.estimate.start).toBeGreaterThanOrEqual(100);
    expect(plan.timing.total).toBe(150);
  });

  it("refuses two steps with one id as a compiler error, naming the id", () => {
    // A checkpoint named `expand` and a service named `checkpoint` would both make
    // `checkpoint/expand` (the language reserves `checkpoint`; a model can still say it).
    const m = model({
      services: [service("checkpoint", { hosts: ["h1"], actions: { upgrade: action(["up"]), expand: action(["x"]) } })],
      checkpoints: [checkpoint("expand", "expand")],
    });
    const result = buildPlan(m, { now: new Date("2026-12-01T12:00:00Z"), compilerVersion: "0.1.0" });
    expect(result.value).toBeNull();
    expect(result.diagnostics.filter((d) => d.severity === "error").map((d) => d.message)).toEqual([expect.stringContaining("two steps have the id `checkpoint/expand`")]);
  });

  it("plans services with no hosts without a rollout, and an empty model", () => {
    const plan = build(model({ services: [service("ghost", { hosts: [], actions: { upgrade: action(["up"]), expand: action(["x"]) } })] }));
    expect(plan.steps.map((s) => s.id)).toEqual(["ghost/expand"]);
    expect(plan.steps[0]?.hosts).toEqual([]);
    const empty = build(model({ services: [] }));
    expect(empty.steps).toEqual([]);
    expect(empty.timing).toMatchObject({ total: 0, criticalPath: [], windowsUsed: [] });
  });
});

describe("expand warnings", () => {
  it("warns about a reboot or an evacuation that has no command", () => {
    const m = model({
      services: [computeService("c", ["h1"], { reboot: { action: null, window: null, takes: 60 }, evacuate: { strategy: "live-migrate", concurrency: 1, timeout: 60, run: null, countVar: "instances", capacityVar: null } })],
    });
    const result = buildPlan(m, { now: NOW, compilerVersion: "0.1.0" });
    expect(result.diagnostics.map((d) => [d.code, d.severity])).toEqual([
      ["UPG0585", "warning"],
      ["UPG0586", "warning"],
    ]);
    const steps = result.value?.steps.filter((s) => s.hosts[0] === "h1").map((s) => [s.action, s.command === null]);
    expect(steps).toContainEqual(["reboot", true]);
    expect(steps?.map((s) => s[0])).not.toContain("evacuate");
  });
});
