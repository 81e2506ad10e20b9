import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ExitCode } from "../../src/cli/exit-codes.js";
import { planFingerprint, sha256 } from "../../src/plan/digest.js";
import { planDigest } from "../../src/plan/plan-text.js";
import type { PlanFile } from "../../src/plan/plan.js";
import { loadPlan } from "../../src/runtime/plan-load.js";
import { runPlan } from "../../src/cli/session.js";
import { spawnCli } from "./harness.js";
import { argv, makePlan, step, writePlan } from "../support/plan-builder.js";
import { tempDir } from "../support/temp-dir.js";

function simple(dir: string): PlanFile {
  return makePlan({
    dir,
    hosts: [],
    services: [],
    sources: [
      { path: "cloud.upg", text: 'plan "p" { kind upgrade }\n' },
      { path: "inventory/hosts.ini", text: "[compute]\ncmp1\n", kind: "inventory" },
    ],
    steps: [step("touch", { command: argv(["sh", "-c", "echo ran >> ran.log"]) })],
  });
}

describe("starting safely (real processes)", () => {
  it("refuses a stale plan (a source changed), naming the file and the fix, with exit 5, touching nothing", { timeout: 30_000 }, async () => {
    const dir = tempDir();
    writePlan(dir, simple(dir));
    writeFileSync(join(dir, "inventory/hosts.ini"), "[compute]\ncmp1\ncmp2\n");
    const result = await spawnCli(["run", "plan.json"], dir);
    expect(result.exitCode).toBe(ExitCode.InvalidPlan);
    expect(result.stderr).toContain("inventory/hosts.ini changed");
    expect(result.stderr).toContain("upgradec compile cloud.upg -o plan.json");
    expect(existsSync(join(dir, "ran.log"))).toBe(false);
    expect(existsSync(join(dir, ".upgradec"))).toBe(false);
  });

  it("refuses a tampered plan (edited by hand) with exit 5", { timeout: 30_000 }, async () => {
    const dir = tempDir();
    const plan = simple(dir);
    const edited = { ...plan, plan: { ...plan.plan, parallelism: 64 } };
    writeFileSync(join(dir, "plan.json"), JSON.stringify(edited));
    const result = await spawnCli(["run", "plan.json"], dir);
    expect(result.exitCode).toBe(ExitCode.InvalidPlan);
    expect(result.stderr).toContain("edited after it was compiled");
    expect(result.stderr).toContain("UPG0703");
    expect(existsSync(join(dir, "ran.log"))).toBe(false);
  });
});

describe("loadPlan", () => {
  it("finds a missing source, a source deleted, and a plan from another compiler version", async () => {
    const dir = tempDir();
    writePlan(dir, simple(dir));
    expect((await loadPlan("plan.json", { cwd: dir })).diagnostics).toEqual([]);
    const other = await loadPlan("plan.json", { cwd: dir, version: "9.9.9" });
    expect(other.diagnostics[0]?.code).toBe("UPG0704");
    expect(other.diagnostics[0]?.message).toContain("upgradec 9.9.9");
    const { unlinkSync } = await import("node:fs");
    unlinkSync(join(dir, "cloud.upg"));
    const gone = await loadPlan("plan.json", { cwd: dir });
    expect(gone.diagnostics[0]?.message).toContain("cloud.upg no longer exists");
  });

  it("checks <stdlib>/ sources against the installed standard library", async () => {
    const dir = tempDir();
    const stdlib = join(dir, "stdlib");
    mkdirSync(stdlib);
    writeFileSync(join(stdlib, "openstack.upg"), "template keystone {}\n");
    const base = simple(dir);
    const sources = [...base.sources, { path: "<stdlib>/openstack.upg", sha256: sha256("template keystone {}\n"), kind: "upg" as const }];
    const body = { ...base, sources, fingerprint: planFingerprint({ sources, hosts: base.hosts, compilerVersion: base.compiler.version }) };
    const plan = { ...body, digest: planDigest(body) };
    writePlan(dir, plan);
    expect((await loadPlan("plan.json", { cwd: dir, stdlibDir: stdlib })).diagnostics).toEqual([]);
    writeFileSync(join(stdlib, "openstack.upg"), "template keystone { takes 5m }\n");
    const stale = await loadPlan("plan.json", { cwd: dir, stdlibDir: stdlib });
    expect(stale.diagnostics[0]?.message).toContain("<stdlib>/openstack.upg changed");
  });

  it("refuses a plan that does not hold together (an `after` naming no step), and one that is not JSON", async () => {
    const dir = tempDir();
    const plan = makePlan({ dir, hosts: [], services: [], steps: [step("a", { after: ["nope"] })] });
    writePlan(dir, plan);
    const bad = await loadPlan("plan.json", { cwd: dir });
    expect(bad.diagnostics[0]?.code).toBe("UPG0702");
    expect(bad.diagnostics[0]?.notes?.join("\n")).toContain("after nope");
    writeFileSync(join(dir, "broken.json"), "{ not json");
    expect((await loadPlan("broken.json", { cwd: dir })).diagnostics[0]?.code).toBe("UPG0701");
    const { captureIO } = await import("./harness.js");
    expect(await runPlan({ plan: "broken.json" }, captureIO(dir).io)).toBe(ExitCode.InvalidPlan);
    expect(readFileSync(join(dir, "plan.json"), "utf8")).toContain('"nope"');
  });
});

describe("fingerprint", () => {
  it("refuses a plan whose fingerprint does not match its sources, hosts and compiler version", async () => {
    const dir = tempDir();
    const plan = simple(dir);
    const body = { ...plan, fingerprint: "0".repeat(64) };
    writePlan(dir, { ...body, digest: planDigest(body) });
    const result = await loadPlan("plan.json", { cwd: dir });
    expect(result.diagnostics[0]?.code).toBe("UPG0704");
    expect(result.diagnostics[0]?.message).toContain("fingerprint does not match");
  });
});
