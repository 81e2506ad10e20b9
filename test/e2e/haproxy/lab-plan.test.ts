/**
 * The lab's plans as the compiler makes them (no HAProxy needed): both compile cleanly, the
 * HAProxy steps come from `use haproxy`, and each instance goes through drain, stop, switch,
 * start, health and ready, one instance at a time, with the undos a rollback needs.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileFile } from "../../../src/compiler/compile.js";
import { nodeLoadHost } from "../../../src/files/node-host.js";
import { renderDiagnostics } from "../../../src/diagnostics/render.js";
import type { PlanCommandSpec, PlanFile, PlanStep } from "../../../src/plan/plan.js";
import { repoRoot } from "./lab-control.js";

function compile(name: string): PlanFile {
  const result = compileFile(`examples/lab-haproxy/${name}`, nodeLoadHost(repoRoot), { now: new Date("2026-12-01T12:00:00Z"), compilerVersion: "0.0.0-test" });
  expect(result.diagnostics, renderDiagnostics(result.diagnostics, result.texts, { color: false })).toEqual([]);
  expect(result.plan).not.toBeNull();
  return result.plan as PlanFile;
}

function argv(spec: PlanCommandSpec | "irreversible" | null): readonly string[] {
  if (spec === null || spec === "irreversible" || spec.command.kind !== "argv") return [];
  return spec.command.argv;
}

const HOSTS = ["api1", "api2", "api3"];
const CHAIN = ["maintenance-enter", "stop", "upgrade", "start", "health", "maintenance-exit"];

describe.each(["upgrade.upg", "upgrade-broken.upg"])("examples/lab-haproxy/%s", (name) => {
  let compiled: PlanFile | null = null;
  // Compiled in the first test that needs it, so a compile error is a failed test.
  const planOf = (): PlanFile => (compiled ??= compile(name));
  const hostSteps = (host: string): PlanStep[] => planOf().steps.filter((s) => s.hosts.length === 1 && s.hosts[0] === host);

  it("reads the haproxy module of the standard library and the lab's inventory", () => {
    const plan = planOf();
    expect(plan.sources.map((s) => s.path)).toContain("<stdlib>/haproxy.upg");
    expect(plan.sources.some((s) => s.kind === "inventory" && s.path.endsWith("inventory.ini"))).toBe(true);
    expect(plan.hosts.map((h) => h.name)).toEqual(HOSTS);
    expect(plan.hosts.every((h) => h.connection === "local")).toBe(true);
  });

  it("rolls the service one instance at a time", () => {
    const plan = planOf();
    const api = plan.services.find((s) => s.name === "api");
    expect(api?.extends).toBe("api-server");
    expect(api?.hosts).toEqual(HOSTS);
    expect(api?.rolling).toMatchObject({ rolling: true, batches: [1, 1, 1], maxUnavailable: 1 });
    expect(api?.tags).toEqual(expect.arrayContaining(["rolling-upgrade", "zero-downtime"]));
    const impact = plan.impact.services.find((s) => s.service === "api");
    expect(impact).toMatchObject({ instances: 3, minInService: 2, downtime: 0 });
  });

  it("takes each instance through drain, stop, switch, start, health and ready, in that order", () => {
    for (const host of HOSTS) {
      const steps = hostSteps(host);
      expect(steps.map((s) => s.action), host).toEqual(CHAIN);
      for (let i = 1; i < steps.length; i++) expect(steps[i]?.after, `${host}: ${steps[i]?.id}`).toContain(steps[i - 1]?.id);
    }
  });

  it("drains and readies through the standard library's runtime API client, each undoing the other", () => {
    const client = "{stdlib}/haproxy-runtime-api.js";
    expect(existsSync(join(repoRoot, "src", "stdlib", "haproxy-runtime-api.js"))).toBe(true);
    for (const host of HOSTS) {
      const [enter, , upgrade, , health, exit] = hostSteps(host);
      expect(argv(enter?.command ?? null).slice(0, 3)).toEqual(["node", client, "drain"]);
      expect(argv(enter?.command ?? null)).toEqual(expect.arrayContaining(["--backend", "{haproxy-backend}", "--server", "{host}"]));
      expect(argv(enter?.undo ?? null).slice(0, 3)).toEqual(["node", client, "ready"]);
      expect(argv(exit?.command ?? null).slice(0, 3)).toEqual(["node", client, "ready"]);
      expect(argv(exit?.undo ?? null).slice(0, 3)).toEqual(["node", client, "drain"]);
      expect(argv(upgrade?.command ?? null)).toEqual(["node", "lab.js", "switch", "{host}", "{to}"]);
      expect(argv(upgrade?.undo ?? null)).toEqual(["node", "lab.js", "switch", "{host}", "{from}"]);
      expect(health?.health).toEqual({ every: 1, within: 8, healthyFor: 1, onDeadline: "stop" });
    }
    const api = planOf().services.find((s) => s.name === "api");
    expect(api?.vars).toMatchObject({ "haproxy-socket": "haproxy.sock", "haproxy-backend": "api" });
  });
});
