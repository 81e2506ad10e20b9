import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { buildPlan } from "../../../src/compiler/build-plan.js";
import type { Model } from "../../../src/compiler/model.js";
import { planFingerprint } from "../../../src/plan/digest.js";
import { planDigest } from "../../../src/plan/plan-text.js";
import type { PlanFile } from "../../../src/plan/plan.js";
import { validatePlanFile } from "../../../src/plan/validate.js";
import { action, checkpoint, computeService, host, model, names, rolling, service, window } from "../model-builder.js";

const NOW = new Date("2026-12-01T12:00:00Z");

function cloud(): Model {
  const computes = names("cmp", 12);
  return model({
    hosts: [host("ctl1", {}, ["control"]), ...computes.map((h, i) => host(h, { az: `az${i % 3}`, instances: i, zz: "last", aa: ["x", "y"] }, ["compute"]))],
    windows: [window("nightly", { days: ["mon", "tue", "wed", "thu", "fri"], cutoff: 1800 })],
    checkpoints: [checkpoint("db-backup", "expand", { note: "all databases" })],
    secrets: [{ name: "os-password", source: "env", ref: "OS_PASSWORD" }],
    connections: [{ name: "ssh", exec: ["ssh", "{host}", "--"], probe: null }],
    services: [
      service("keystone", { hosts: ["ctl1"], actions: { upgrade: action(["up"]), expand: action(["keystone-manage", "db_sync", "--expand"]), contract: action(["keystone-manage", "db_sync", "--contract"]) } }),
      computeService("nova-compute", computes, {
        after: ["keystone"],
        rolling: rolling({ batches: [1, 3], maxUnavailable: 3, domain: "az", maxUnavailablePerDomain: 1, pause: 120 }),
        reboot: { action: action(["systemctl", "reboot"]), window: "nightly", takes: 300 },
      }),
    ],
  });
}

function build(m: Model, start?: string): PlanFile {
  const result = buildPlan(m, { now: NOW, compilerVersion: "0.1.0", ...(start ? { start } : {}) });
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return result.value as PlanFile;
}

describe("emit", () => {
  it("gives byte-identical JSON for the same inputs", () => {
    const a = JSON.stringify(build(cloud(), "2026-12-07T22:00"), null, 2);
    const b = JSON.stringify(build(cloud(), "2026-12-07T22:00"), null, 2);
    expect(a).toBe(b);
    // host vars in sorted order whatever the model's order
    const plan = JSON.parse(a) as PlanFile;
    expect(Object.keys(plan.hosts[1]?.vars ?? {})).toEqual(["aa", "az", "instances", "zz"]);
  });

  it("fills the plan file completely and it validates against the schema", () => {
    const plan = build(cloud());
    const checked = validatePlanFile(JSON.parse(JSON.stringify(plan)));
    expect(checked).toEqual({ ok: true, plan: JSON.parse(JSON.stringify(plan)) });
    expect(plan.format).toBe("upgradec.plan/1");
    expect(plan.plan.start).toBe("2026-12-05T22:00:00.000+01:00");
    expect(plan.plan.startSource).toBe("plan");
    expect(plan.services.find((s) => s.name === "nova-compute")?.rolling).toMatchObject({ batches: [1, 3, 3, 3, 2], maxUnavailable: 3, domain: "az", maxUnavailablePerDomain: 1, pause: 120 });
    expect(plan.windows).toEqual([{ name: "nightly", days: ["mon", "tue", "wed", "thu", "fri"], from: "22:00", to: "06:00", zone: "Europe/Berlin", cutoff: 1800 }]);
    // Saturday start: the computes wait for Monday night; windows used are listed with dates
    expect(plan.timing.windowsUsed[0]).toEqual({ window: "nightly", start: "2026-12-07T22:00:00.000+01:00", end: "2026-12-08T06:00:00.000+01:00" });
    expect(plan.timing.total).toBe(Math.max(...plan.steps.map((s) => s.estimate.start + s.estimate.duration)));
    expect(DateTime.fromISO(plan.timing.end).toMillis() - DateTime.fromISO(plan.plan.start).toMillis()).toBe(plan.timing.total * 1000);
    expect(plan.timing.end).toMatch(/\+01:00$/);
    expect(plan.impact.instancesMigrated).toBe(names("cmp", 12).reduce((sum, _h, i) => sum + i, 0));
    expect(plan.impact.pointOfNoReturn).toBeNull();
    expect(plan.impact.hosts.find((h) => h.host === "cmp001")?.outOfService).toBe(
      plan.steps.filter((s) => s.hosts[0] === "cmp001" && s.service === "nova-compute").reduce((sum, s) => sum + s.estimate.duration, 0),
    );
    const compute = plan.impact.services.find((s) => s.service === "nova-compute");
    expect(compute?.instances).toBe(12);
    expect(compute?.downtime).toBe(0);
    expect(compute?.minInService).toBeGreaterThanOrEqual(9);
    expect(plan.impact.peakDataPlaneOut).toBeLessThanOrEqual(3 / 12 + 1e-9);
  });

  it("validates every kind of command, undo and health gate", () => {
    const shell = { ...action("x"), spec: { command: { kind: "shell" as const, script: "systemctl stop x && sleep 1" }, timeout: 60, grace: 10, retries: 2, backoff: 5, env: { A: "1" }, cwd: "/tmp" } };
    const mod = { ...action("x"), spec: { command: { kind: "module" as const, module: "./actions/lb.ts", export: "drain" }, timeout: null, grace: 10, retries: 0, backoff: 5, env: {}, cwd: null } };
    const m = model({
      services: [
        service("lb", {
          hosts: ["h1"],
          actions: { stop: mod, upgrade: action(["up"], { undo: "irreversible", done: action(["check"]).spec }), start: shell },
          health: { action: shell, every: 5, within: 60, healthyFor: 10, onDeadline: "rollback" },
          rolling: rolling({ deadline: { seconds: 3600, onDeadline: "rollback" }, maxFailures: { count: 1, scope: "batch", cancel: true } }),
        }),
      ],
    });
    const plan = build(m);
    expect(validatePlanFile(JSON.parse(JSON.stringify(plan)))).toMatchObject({ ok: true });
    expect(plan.digest).toBe(planDigest(plan));
  });

  it("fails validation when a required field is missing or a field is unknown", () => {
    const plan = JSON.parse(JSON.stringify(build(cloud()))) as Record<string, unknown>;
    const steps = plan["steps"] as Record<string, unknown>[];
    delete steps[3]?.["unavailable"];
    const r = validatePlanFile(plan);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors).toContain("/steps/3: must have required property 'unavailable'");
    const noTiming = JSON.parse(JSON.stringify(build(cloud()))) as Record<string, unknown>;
    delete noTiming["timing"];
    expect(validatePlanFile(noTiming).ok).toBe(false);
    const badStart = JSON.parse(JSON.stringify(build(cloud()))) as { plan: { start: string } };
    badStart.plan.start = "next tuesday";
    expect(validatePlanFile(badStart)).toMatchObject({ ok: false, errors: ["/plan/start: must match format \"date-time\""] });
    expect(validatePlanFile(null)).toMatchObject({ ok: false, errors: ["/: must be object"] });
    const extra = { ...(JSON.parse(JSON.stringify(build(cloud()))) as object), surprise: 1 };
    expect(validatePlanFile(extra)).toMatchObject({ ok: false, errors: ["/: must NOT have additional properties (surprise)"] });
  });

  it("computes the fingerprint over sources, inventory and compiler version, and the digest over the file", () => {
    const m = cloud();
    const plan = build(m);
    expect(plan.fingerprint).toBe(planFingerprint({ sources: m.sources, hosts: m.hosts, compilerVersion: "0.1.0" }));
    expect(plan.digest).toBe(planDigest(plan));
    const newer = buildPlan(m, { now: NOW, compilerVersion: "0.2.0" }).value as PlanFile;
    expect(newer.fingerprint).not.toBe(plan.fingerprint);
    const edited = buildPlan({ ...m, sources: [{ path: "cloud.upg", sha256: "d".repeat(64), kind: "upg" }] }, { now: NOW, compilerVersion: "0.1.0" }).value as PlanFile;
    expect(edited.fingerprint).not.toBe(plan.fingerprint);
    const moved = buildPlan({ ...m, hosts: m.hosts.map((h) => (h.name === "cmp001" ? { ...h, vars: { ...h.vars, az: "az9" } } : h)) }, { now: NOW, compilerVersion: "0.1.0" }).value as PlanFile;
    expect(moved.fingerprint).not.toBe(plan.fingerprint);
    // a hand edit changes the digest
    const tampered = { ...plan, steps: plan.steps.slice(1) };
    expect(planDigest(tampered)).not.toBe(plan.digest);
  });

  it("takes the start from --start over the plan, with or without an offset, and refuses a bad one", () => {
    const local = build(cloud(), "2026-12-07T23:00");
    expect(local.plan).toMatchObject({ start: "2026-12-07T23:00:00.000+01:00", startSource: "option", zone: "Europe/Berlin" });
    const offset = build(cloud(), "2026-12-07T22:00:00Z");
    expect(offset.plan.start).toBe("2026-12-07T23:00:00.000+01:00");
    const bad = buildPlan(cloud(), { now: NOW, compilerVersion: "0.1.0", start: "tomorrow" });
    expect(bad.value).toBeNull();
    expect(bad.diagnostics.map((d) => d.code)).toContain("UPG0583");
    // no start anywhere, no window bound: now rounded up to the minute
    const plain = model({ plan: { start: null }, services: [service("a", { hosts: ["h1"] })] });
    const assumed = buildPlan(plain, { now: new Date("2026-12-01T12:00:30Z"), compilerVersion: "0.1.0" }).value as PlanFile;
    expect(assumed.plan).toMatchObject({ start: "2026-12-01T12:01:00.000Z", startSource: "assumed", zone: "UTC" });
  });

  it("records source paths and entry relative to the plan file's directory when it is written elsewhere (compile -o), keeping stdlib paths", () => {
    const plan = build(cloud());
    const moved = buildPlan(cloud(), { now: NOW, compilerVersion: "0.1.0", relocate: { from: "/repo", to: "/repo/out/plans" } }).value as PlanFile;
    expect(moved.entry).toBe("../../cloud.upg");
    expect(moved.sources.map((s) => s.path)).toEqual(["../../cloud.upg", "<stdlib>/openstack.upg", "../../inventory/hosts.ini"]);
    expect(moved.digest).toBe(planDigest(moved));
    expect(moved.fingerprint).toBe(planFingerprint({ sources: moved.sources, hosts: moved.hosts, compilerVersion: "0.1.0" }));
    expect(moved.fingerprint).not.toBe(plan.fingerprint);
    expect(validatePlanFile(JSON.parse(JSON.stringify(moved))).ok).toBe(true);
    // Everything but the paths, and the hashes over them, is the same plan.
    const { fingerprint: _f, digest: _d, sources: _s, entry: _e, ...rest } = moved;
    const { fingerprint: _f2, digest: _d2, sources: _s2, entry: _e2, ...same } = plan;
    expect(rest).toEqual(same);
    const here = buildPlan(cloud(), { now: NOW, compilerVersion: "0.1.0", relocate: { from: "/repo", to: "/repo" } }).value as PlanFile;
    expect(JSON.stringify(here)).toBe(JSON.stringify(plan));
  });
});
