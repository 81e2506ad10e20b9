import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { withProbes } from "../../src/preflight/preflight.js";
import { verifyVerb } from "../../src/cli/commands/verify.js";
import { ExitCode } from "../../src/cli/exit-codes.js";
import type { PlanCommandSpec, PlanFile, PlanStep } from "../../src/plan/plan.js";
import { resumePlan, runPlan } from "../../src/cli/session.js";
import { openCurrentRun } from "../../src/verify/open-run.js";
import { runVerify, type Problem, type VerifyReport } from "../../src/verify/verify.js";
import { captureIO, spawnCli } from "../runtime/harness.js";
import { host, makePlan, service, shell, step, writePlan } from "../support/plan-builder.js";
import { tempDir } from "../support/temp-dir.js";

interface Fixture {
  /** The upgrade's command (default: write `to` into HOST.ver). */
  readonly upgrade?: PlanCommandSpec;
  readonly maintenanceExit?: PlanCommandSpec;
  /** A done-check on maintenance-exit: exits 0 when the host is out of maintenance. */
  readonly exitDone?: PlanCommandSpec;
  readonly health?: PlanCommandSpec;
  readonly postcheck?: PlanCommandSpec;
}

const HOSTS = ["h1", "h2"];

/**
 * Per host: maintenance-enter (creates HOST.maint), upgrade (HOST.ver holds the version),
 * maintenance-exit (removes HOST.maint), health; then a post-check. Files in the plan's
 * directory stand for the hosts' state.
 */
function fixturePlan(dir: string, f: Fixture = {}): PlanFile {
  const steps: PlanStep[] = [];
  let previous: string[] = [];
  for (const h of HOSTS) {
    const chain: [PlanStep["action"], PlanCommandSpec, Partial<PlanStep>][] = [
      ["maintenance-enter", shell("touch {host}.maint"), {}],
      ["upgrade", f.upgrade ?? shell("echo {to} > {host}.ver"), {}],
      ["maintenance-exit", f.maintenanceExit ?? shell("rm -f {host}.maint"), { done: f.exitDone ?? null }],
      ["health", f.health ?? shell("test -f {host}.ver"), { health: { every: 1, within: 2, healthyFor: 0, onDeadline: "stop" } }],
    ];
    for (const [action, command, extra] of chain) {
      const id = `svc/b0/${h}/${action}`;
      steps.push(step(id, { service: "svc", hosts: [h], action, command, after: previous, batch: 0, ...extra }));
      previous = [id];
    }
  }
  steps.push(step("svc/postcheck", { phase: "postchecks", action: "postcheck", service: "svc", command: f.postcheck ?? shell("test -f h1.ver && test -f h2.ver"), after: previous }));
  const plan = makePlan({ dir, hosts: HOSTS.map((h) => host(h)), services: [service("svc", HOSTS, { version: versions.get("svc") ?? null })], steps });
  writePlan(dir, plan);
  return plan;
}

const versions = new Map([["svc", shell("cat {host}.ver")]]);

async function verify(dir: string, plan: PlanFile): Promise<VerifyReport> {
  const opened = openCurrentRun(plan, dir, { cwd: dir });
  if (opened.kind === "unreadable") throw new Error(opened.reason);
  const run = opened.kind === "run" ? { id: opened.id, state: opened.state } : null;
  return withProbes(plan, dir, { env: process.env, parallel: 4, timeout: 10 }, (probes) => runVerify({ plan, planDir: dir, planArg: "plan.json", run }, probes));
}

async function verifyExit(dir: string): Promise<{ code: number; out: string }> {
  const io = captureIO(dir);
  const code = await verifyVerb.run({ plan: "plan.json", format: "text", parallel: 4, timeout: "10s" }, io.io);
  return { code, out: io.out() };
}

const only = (problems: readonly Problem[], check: Problem["check"]): Problem[] => problems.filter((p) => p.check === check);

describe("upgradec verify after a clean run", () => {
  it("finds nothing wrong and exits 0", async () => {
    const dir = tempDir();
    const plan = fixturePlan(dir);
    expect(await runPlan({ plan: "plan.json" }, captureIO(dir).io)).toBe(ExitCode.Ok);
    const report = await verify(dir, plan);
    expect(report.problems).toEqual([]);
    expect(report.run?.phase).toBe("finished");
    const ok = (check: string) => report.rows.filter((r) => r.check === check && r.result === "ok").map((r) => r.host);
    expect(ok("version")).toEqual(["h1", "h2"]);
    expect(ok("health")).toEqual(["h1", "h2"]);
    expect(ok("postcheck")).toEqual([null]);
    expect(ok("journal")).toEqual([null]);
    expect(ok("maintenance")).toEqual(["h1", "h2"]);
    const cli = await verifyExit(dir);
    expect(cli.code).toBe(ExitCode.Ok);
    expect(cli.out).toContain("OK: the cloud is where the plan leaves it");
  });

  it("names a host whose version is not `to`, with the steps that upgrade it again", async () => {
    const dir = tempDir();
    const plan = fixturePlan(dir);
    expect(await runPlan({ plan: "plan.json" }, captureIO(dir).io)).toBe(ExitCode.Ok);
    writeFileSync(join(dir, "h2.ver"), "zed\n");
    const report = await verify(dir, plan);
    const [problem] = only(report.problems, "version");
    expect(report.problems).toHaveLength(1);
    expect(problem).toMatchObject({ host: "h2", service: "svc", step: "svc/b0/h2/upgrade", problem: "svc on h2 runs zed, not 2023.1" });
    expect(problem?.remedy.commands).toEqual(["upgradec run plan.json --only svc/b0/h2/upgrade --only svc/b0/h2/health"]);
    expect(problem?.remedy.retrySafe).toBeNull();
    expect(report.rollback).toEqual({ possible: true, command: "upgradec rollback plan.json", reason: "to the start of the run" });
  });

  it("asks a maintenance-exit's done-check when there is one: a host put back in maintenance is found", async () => {
    const dir = tempDir();
    const plan = fixturePlan(dir, { exitDone: shell("test ! -f {host}.maint") });
    expect(await runPlan({ plan: "plan.json" }, captureIO(dir).io)).toBe(ExitCode.Ok);
    writeFileSync(join(dir, "h1.maint"), "");
    const report = await verify(dir, plan);
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0]).toMatchObject({ check: "maintenance", host: "h1", step: "svc/b0/h1/maintenance-exit" });
    expect(report.problems[0]?.remedy).toMatchObject({ commands: ["upgradec run plan.json --only svc/b0/h1/maintenance-exit"], retrySafe: true });
  });
});

describe("upgradec verify: post-checks on the live cloud", () => {
  it("a failing post-check is a problem, exit 1 a warning only", async () => {
    const dir = tempDir();
    const plan = fixturePlan(dir, { postcheck: shell("if [ -f broken ]; then echo 'cell1 has 3 instances in ERROR'; exit 2; fi; [ ! -f shaky ]") });
    expect(await runPlan({ plan: "plan.json" }, captureIO(dir).io)).toBe(ExitCode.Ok);
    writeFileSync(join(dir, "shaky"), "");
    const warned = await verify(dir, plan);
    expect(warned.problems).toEqual([]);
    expect(warned.rows.find((r) => r.check === "postcheck")).toMatchObject({ result: "warning" });
    writeFileSync(join(dir, "broken"), "");
    const report = await verify(dir, plan);
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0]).toMatchObject({ check: "postcheck", step: "svc/postcheck" });
    expect(report.problems[0]?.problem).toContain("cell1 has 3 instances in ERROR");
    expect(report.problems[0]?.remedy.commands).toEqual(["upgradec verify plan.json"]);
    expect((await verifyExit(dir)).code).toBe(ExitCode.VerifyFailed);
  });
});

describe("upgradec verify after a run that left a host in maintenance", () => {
  it("names the host and the maintenance-exit step, and tells to resume (the run did not finish)", async () => {
    const dir = tempDir();
    const plan = fixturePlan(dir, { maintenanceExit: shell('[ "{host}" != h2 ] && rm -f {host}.maint') });
    expect(await runPlan({ plan: "plan.json" }, captureIO(dir).io)).toBe(ExitCode.Stopped);
    expect(existsSync(join(dir, "h2.maint"))).toBe(true);
    const report = await verify(dir, plan);
    expect(report.run?.phase).toBe("stopped");
    const maintenance = only(report.problems, "maintenance");
    expect(maintenance).toHaveLength(1);
    expect(maintenance[0]).toMatchObject({ host: "h2", service: "svc", step: "svc/b0/h2/maintenance-exit" });
    expect(maintenance[0]?.problem).toContain("h2 was left in maintenance");
    expect(maintenance[0]?.remedy.commands).toEqual(["upgradec resume plan.json"]);
    const journal = only(report.problems, "journal");
    expect(journal.map((p) => p.step)).toEqual([null, "svc/b0/h2/maintenance-exit"]);
    expect(journal[1]?.problem).toContain("failed on h2");
    expect(report.rollback.possible).toBe(true);
    const cli = await verifyExit(dir);
    expect(cli.code).toBe(ExitCode.VerifyFailed);
    expect(cli.out).toContain("paste:    upgradec resume plan.json");
    expect(cli.out).toContain("rollback: possible");
  });

  it("says rollback is no longer possible past the point of no return", async () => {
    const dir = tempDir();
    const base = fixturePlan(dir, { maintenanceExit: shell('[ "{host}" != h2 ] && rm -f {host}.maint') });
    const plan = makePlan({
      dir,
      hosts: base.hosts,
      services: base.services,
      steps: base.steps.map((s) => (s.id === "svc/b0/h1/upgrade" ? { ...s, undo: "irreversible" as const } : s)),
    });
    writePlan(dir, plan);
    expect(await runPlan({ plan: "plan.json" }, captureIO(dir).io)).toBe(ExitCode.Stopped);
    const report = await verify(dir, plan);
    expect(report.rollback.possible).toBe(false);
    expect(report.rollback.reason).toContain("step svc/b0/h1/upgrade is a point of no return");
  });
});

describe("upgradec verify after a skipped step", () => {
  it("reports the skipped step with the command that runs it, once the run has finished", async () => {
    const dir = tempDir();
    // h2's upgrade fails; the operator skips it (claiming to have fixed it) and the run finishes.
    const plan = fixturePlan(dir, { upgrade: shell('[ "{host}" != h2 ] && echo {to} > {host}.ver'), health: shell("exit 0"), postcheck: shell("exit 0") });
    expect(await runPlan({ plan: "plan.json" }, captureIO(dir).io)).toBe(ExitCode.Stopped);
    expect(await resumePlan({ plan: "plan.json", skip: ["svc/b0/h2/upgrade"], yesIFixedIt: true }, captureIO(dir).io)).toBe(ExitCode.Ok);
    const report = await verify(dir, plan);
    expect(report.run?.phase).toBe("finished");
    const skipped = only(report.problems, "journal");
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toMatchObject({ host: "h2", step: "svc/b0/h2/upgrade" });
    expect(skipped[0]?.problem).toContain("was skipped");
    expect(skipped[0]?.remedy.commands).toEqual(["upgradec run plan.json --only svc/b0/h2/upgrade"]);
    expect(skipped[0]?.remedy.retryNote).toContain("no done-check");
    // The live check agrees: h2 never got the new version.
    expect(only(report.problems, "version").map((p) => p.host)).toEqual(["h2"]);
    expect((await verifyExit(dir)).code).toBe(ExitCode.VerifyFailed);
  });
});

describe("upgradec verify with no run", () => {
  it("runs the live checks only and says the journal was not read", async () => {
    const dir = tempDir();
    const plan = fixturePlan(dir);
    const report = await verify(dir, plan);
    expect(report.run).toBeNull();
    expect(report.rows.find((r) => r.check === "journal")).toMatchObject({ result: "skipped" });
    // One problem for the plan that has not run, naming the hosts not at `to`.
    const version = only(report.problems, "version");
    expect(version).toHaveLength(1);
    expect(version[0]?.problem).toMatch(/^no run of this plan: .*\bh1\b.*\bh2\b/);
    expect(report.rollback.possible).toBe(false);
  });
});

describe("upgradec verify: secrets", () => {
  it("a secret that cannot be read is a problem with its remedy", async () => {
    const dir = tempDir();
    const base = fixturePlan(dir);
    const plan = makePlan({ dir, hosts: base.hosts, services: base.services, steps: base.steps, secrets: [{ name: "os-password", source: "env", ref: "UPGRADEC_TEST_UNSET_SECRET" }] });
    const env = { ...process.env };
    delete env["UPGRADEC_TEST_UNSET_SECRET"];
    const report = await withProbes(plan, dir, { env, parallel: 2, timeout: 5 }, (probes) => runVerify({ plan, planDir: dir, planArg: "plan.json", run: null }, probes));
    expect(only(report.problems, "secrets")).toEqual([expect.objectContaining({ problem: expect.stringContaining("UPGRADEC_TEST_UNSET_SECRET") })]);
  });
});

describe("upgradec verify as a process", () => {
  it("exits 8 with the remedy on stdout after a run that stopped", async () => {
    const dir = tempDir();
    fixturePlan(dir, { maintenanceExit: shell('[ "{host}" != h2 ] && rm -f {host}.maint') });
    expect(await runPlan({ plan: "plan.json" }, captureIO(dir).io)).toBe(ExitCode.Stopped);
    const result = await spawnCli(["verify", "plan.json", "--format", "json"], dir);
    expect(result.exitCode).toBe(ExitCode.VerifyFailed);
    const json = JSON.parse(String(result.stdout)) as VerifyReport;
    expect(json.problems.find((p) => p.check === "maintenance")).toMatchObject({ host: "h2", step: "svc/b0/h2/maintenance-exit" });
  });
});

