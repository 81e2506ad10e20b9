/**
 * The compiled plan of examples/upgrade-zed-to-2023.1 obeys the order the OpenStack projects
 * document, asserted on the plan file itself: on each step's `after` closure (the step can
 * only start once these have succeeded) and on the estimates (it is also scheduled after
 * them).
 *
 * Sources: nova https://docs.openstack.org/nova/latest/admin/upgrades.html, keystone
 * https://docs.openstack.org/keystone/latest/admin/upgrading.html, neutron
 * https://docs.openstack.org/neutron/latest/contributor/internals/upgrade.html, cinder
 * https://docs.openstack.org/cinder/latest/admin/upgrades.html, and the control-plane order
 * of openstack-ansible's setup-openstack.yml.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { PlanFile, PlanStep } from "../../src/plan/plan.js";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { compileFile } from "../../src/compiler/compile.js";
import { nodeLoadHost } from "../../src/files/node-host.js";
import { tempDir } from "../support/temp-dir.js";
import { compileExample, examplesRoot } from "./compile-example.js";

let plan: PlanFile;
let closure: Map<string, Set<string>>;

beforeAll(() => {
  const result = compileExample("examples/upgrade-zed-to-2023.1/cloud.upg");
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  expect(result.plan).not.toBeNull();
  plan = result.plan as PlanFile;
  closure = afterClosure(plan.steps);
});

/** The upgrade example with its `checkpoint db-backup` block taken out, compiled from a copy. */
function withoutBackup(): PlanFile {
  const dir = tempDir("upgradec-no-backup-");
  cpSync(join(examplesRoot, "upgrade-zed-to-2023.1"), dir, { recursive: true });
  const path = join(dir, "cloud.upg");
  const text = readFileSync(path, "utf8");
  const stripped = text.replace(/\ncheckpoint db-backup before expand \{[\s\S]*?\n\}\n/, "\n");
  expect(stripped).not.toBe(text);
  writeFileSync(path, stripped);
  const result = compileFile("cloud.upg", nodeLoadHost(dir), { now: new Date("2026-12-01T12:00:00Z"), compilerVersion: "0.0.0-test" });
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return result.plan as PlanFile;
}

/** For every step, every step it transitively waits for. Steps come in topological order. */
function afterClosure(steps: readonly PlanStep[]): Map<string, Set<string>> {
  const index = new Map(steps.map((s) => [s.id, s]));
  const out = new Map<string, Set<string>>();
  const visit = (id: string): Set<string> => {
    const known = out.get(id);
    if (known) return known;
    const all = new Set<string>();
    out.set(id, all);
    const step = index.get(id);
    for (const before of step?.after ?? []) {
      all.add(before);
      for (const further of visit(before)) all.add(further);
    }
    return all;
  };
  // In the plan's (topological) order every predecessor is already known: no deep recursion.
  for (const step of steps) visit(step.id);
  return out;
}

function stepsOf(service: string, filter: (s: PlanStep) => boolean = () => true): PlanStep[] {
  const found = plan.steps.filter((s) => s.service === service && filter(s));
  expect(found.length, `no steps of ${service} matching`).toBeGreaterThan(0);
  return found;
}

const rollout = (s: PlanStep): boolean => s.phase === "rollout" && s.action !== "batch-pause";
/** Where new code starts on a host: the upgrade (kolla recreates the containers) or a start. */
const newCode = (s: PlanStep): boolean => s.phase === "rollout" && (s.action === "upgrade" || s.action === "start");

function phaseStep(service: string, phase: PlanStep["phase"]): PlanStep {
  const [step, ...more] = stepsOf(service, (s) => s.phase === phase);
  expect(more, `${service} has one ${phase} step`).toEqual([]);
  return step as PlanStep;
}

/** `later` waits for every step of `earlier`, and its estimate starts after theirs end. */
function expectAfter(later: readonly PlanStep[], earlier: readonly PlanStep[]): void {
  for (const l of later) {
    const waits = closure.get(l.id) ?? new Set<string>();
    for (const e of earlier) {
      expect(waits.has(e.id), `${l.id} does not wait for ${e.id}`).toBe(true);
      expect(l.estimate.start, `${l.id} is scheduled before ${e.id} ends`).toBeGreaterThanOrEqual(e.estimate.start + e.estimate.duration);
    }
  }
}

describe("the upgrade of examples/upgrade-zed-to-2023.1", () => {
  it("plans every service of the example", () => {
    const names = plan.services.map((s) => s.name);
    for (const n of ["keystone", "placement-api", "glance-api", "cinder-api", "nova-conductor", "nova-api", "nova-compute", "neutron-server", "neutron-l3-agent"]) {
      expect(names).toContain(n);
    }
    expect(plan.services.find((s) => s.name === "nova-compute")?.hosts).toHaveLength(40);
  });

  it("syncs each database before the new code of its service starts anywhere", () => {
    const schemaOwners: Record<string, readonly string[]> = {
      keystone: ["keystone"],
      "placement-api": ["placement-api"],
      "glance-api": ["glance-api"],
      "cinder-scheduler": ["cinder-scheduler", "cinder-volume", "cinder-backup", "cinder-api"],
      "nova-conductor": ["nova-conductor", "nova-scheduler", "nova-novncproxy", "nova-api", "nova-compute"],
      "neutron-server": ["neutron-server", "neutron-openvswitch-agent", "neutron-l3-agent", "neutron-dhcp-agent", "neutron-metadata-agent"],
      "heat-engine": ["heat-engine", "heat-api"],
    };
    for (const [owner, services] of Object.entries(schemaOwners)) {
      const expand = phaseStep(owner, "expand");
      for (const service of services) expectAfter(stepsOf(service, newCode), [expand]);
    }
  });

  it("runs nova's api_db sync before its db sync, in one expand before every nova service", () => {
    const expand = phaseStep("nova-conductor", "expand");
    const script = expand.command?.command;
    const text = script?.kind === "argv" ? script.argv.join(" ") : script?.kind === "shell" ? script.script : "";
    expect(text.indexOf("nova-manage api_db sync")).toBeGreaterThanOrEqual(0);
    expect(text.indexOf("nova-manage api_db sync")).toBeLessThan(text.indexOf("nova-manage db sync"));
  });

  it("rolls the control plane in openstack-ansible's order: keystone, placement, glance, cinder, nova, neutron", () => {
    const order = ["keystone", "placement-api", "glance-api", "cinder-api", "nova-conductor", "neutron-server"];
    for (let i = 1; i < order.length; i++) {
      expectAfter(stepsOf(order[i] as string, newCode), stepsOf(order[i - 1] as string, rollout));
    }
  });

  it("upgrades the database, queue and load balancer before keystone", () => {
    for (const infra of ["mariadb", "rabbitmq", "load-balancer"]) expectAfter(stepsOf("keystone", newCode), stepsOf(infra, rollout));
  });

  it("upgrades placement before any nova service", () => {
    for (const nova of ["nova-conductor", "nova-scheduler", "nova-api", "nova-compute"]) {
      expectAfter(stepsOf(nova, newCode), stepsOf("placement-api", rollout));
    }
  });

  it("starts nova-conductor first and nova-api last among nova's control services", () => {
    for (const other of ["nova-scheduler", "nova-novncproxy", "nova-api"]) expectAfter(stepsOf(other, newCode), stepsOf("nova-conductor", rollout));
    for (const other of ["nova-scheduler", "nova-novncproxy"]) expectAfter(stepsOf("nova-api", newCode), stepsOf(other, rollout));
  });

  it("pins the compute RPC version before any nova service runs the new code", () => {
    const pin = phaseStep("nova-conductor", "pin");
    for (const nova of ["nova-conductor", "nova-scheduler", "nova-api", "nova-compute"]) expectAfter(stepsOf(nova, newCode), [pin]);
  });

  it("upgrades every conductor before any compute, and computes are never newer than conductors", () => {
    expectAfter(stepsOf("nova-compute", newCode), stepsOf("nova-conductor", rollout));
    const compute = plan.services.find((s) => s.name === "nova-compute");
    expect(compute?.skew).toContainEqual({ kind: "never-newer-than", services: ["nova-conductor"] });
  });

  it("upgrades neutron-server before its agents", () => {
    for (const agent of ["neutron-openvswitch-agent", "neutron-l3-agent", "neutron-dhcp-agent", "neutron-metadata-agent"]) {
      expectAfter(stepsOf(agent, newCode), stepsOf("neutron-server", rollout));
    }
  });

  it("takes each compute out of the scheduler and empties it before upgrading it", () => {
    for (const upgrade of stepsOf("nova-compute", (s) => s.phase === "rollout" && s.action === "upgrade")) {
      const host = upgrade.hosts[0] as string;
      const chain = stepsOf("nova-compute", (s) => s.phase === "rollout" && s.hosts[0] === host);
      const enter = chain.find((s) => s.action === "maintenance-enter");
      const evacuate = chain.find((s) => s.action === "evacuate");
      const health = chain.find((s) => s.action === "health");
      const exit = chain.find((s) => s.action === "maintenance-exit");
      expect(enter && evacuate && health && exit, `chain of ${host}`).toBeTruthy();
      expectAfter([upgrade], [enter as PlanStep, evacuate as PlanStep]);
      expectAfter([exit as PlanStep], [health as PlanStep]);
    }
  });

  it("runs nova's online data migrations only after every compute is upgraded", () => {
    const migrate = phaseStep("nova-conductor", "migrate");
    expectAfter([migrate], stepsOf("nova-compute", rollout));
    // Rewritten data has no undo of its own: the way back is the database checkpoint.
    expect(migrate.undo).not.toBe("irreversible");
    expect(withoutBackup().steps.find((s) => s.id === migrate.id)?.undo, "no way back without a database checkpoint").toBe("irreversible");
  });

  it("releases the RPC pin only after the last compute runs the new code", () => {
    const unpin = phaseStep("nova-compute", "unpin");
    expectAfter([unpin], stepsOf("nova-compute", rollout));
    expectAfter([unpin], stepsOf("nova-conductor", rollout));
  });

  it("contracts keystone's schema only after every keystone node runs the new code", () => {
    const contract = phaseStep("keystone", "contract");
    expectAfter([contract], stepsOf("keystone", rollout));
    expect(new Set(stepsOf("keystone", newCode).flatMap((s) => s.hosts))).toEqual(new Set(["ctl01", "ctl02", "ctl03"]));
  });

  it("contracts neutron's and glance's schemas only after their last old node is gone", () => {
    expectAfter([phaseStep("neutron-server", "contract")], stepsOf("neutron-server", rollout));
    expectAfter([phaseStep("glance-api", "contract")], stepsOf("glance-api", rollout));
  });

  it("rolls keystone one node at a time", () => {
    const upgrades = stepsOf("keystone", (s) => s.phase === "rollout" && s.action === "upgrade").sort((a, b) => a.estimate.start - b.estimate.start);
    for (let i = 1; i < upgrades.length; i++) {
      const previous = upgrades[i - 1] as PlanStep;
      expect((upgrades[i] as PlanStep).estimate.start).toBeGreaterThanOrEqual(previous.estimate.start + previous.estimate.duration);
    }
  });

  it("names an irreversible schema step as the point of no return once the database backup is taken out", () => {
    expect(plan.impact.pointOfNoReturn).toBeNull();
    const bare = withoutBackup();
    const point = bare.impact.pointOfNoReturn;
    expect(point).not.toBeNull();
    const step = bare.steps.find((s) => s.id === point?.step);
    expect(step?.undo).toBe("irreversible");
    expect(["migrate", "contract"]).toContain(step?.phase);
  });
});

describe("the same upgrade with a database checkpoint (examples/failed-upgrade-rollback)", () => {
  it("takes the backup before the first schema change, and has no point of no return", () => {
    const result = compileExample("examples/failed-upgrade-rollback/cloud.upg");
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const p = result.plan as PlanFile;
    const checkpoint = p.steps.find((s) => s.checkpoint === "db-backup");
    expect(checkpoint?.undo).not.toBeNull();
    const all = afterClosure(p.steps);
    for (const expand of p.steps.filter((s) => s.phase === "expand")) {
      expect(all.get(expand.id)?.has(checkpoint?.id ?? ""), `${expand.id} after the backup`).toBe(true);
    }
    expect(p.impact.pointOfNoReturn).toBeNull();
    expect(p.steps.filter((s) => s.phase === "contract" || s.phase === "migrate").every((s) => s.undo !== "irreversible")).toBe(true);
  });
});
