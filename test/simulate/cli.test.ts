/**
 * `upgradec simulate` through the CLI in-process: exit codes, the JUnit file, JSON output.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { ExitCode } from "../../src/cli/exit-codes.js";
import { main } from "../../src/cli/main.js";
import { cloudModel, compiledPlan } from "../support/plan-builder.js";
import { tempDir } from "../support/temp-dir.js";

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on("data", (c: Buffer) => chunks.push(c.toString()));
  return { stream, text: () => chunks.join("") };
}

async function cli(dir: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = capture();
  const err = capture();
  const code = await main(["simulate", ...args], { stdout: out.stream, stderr: err.stream, cwd: dir, env: { NO_COLOR: "1" } });
  return { code, stdout: out.text(), stderr: err.text() };
}

function planDir(): string {
  const dir = tempDir("upgradec-sim-");
  writeFileSync(join(dir, "plan.json"), JSON.stringify(compiledPlan(cloudModel()), null, 2));
  return dir;
}

describe("upgradec simulate (CLI)", () => {
  it("exits 0 for a run that completes, and says so", async () => {
    const r = await cli(planDir(), "plan.json");
    expect(r.code).toBe(ExitCode.Ok);
    expect(r.stdout).toContain("simulation: completed");
    expect(r.stdout).toMatch(/invariants: all \d+ held/);
  });

  it("exits 9 on a violation, with the event in the summary, the JSON and the JUnit file", async () => {
    const dir = planDir();
    const r = await cli(dir, "plan.json", "--lose", "evacuate@cmp002", "--junit", "sim.xml", "--format", "json");
    expect(r.code).toBe(ExitCode.SimulationViolation);
    const json = JSON.parse(r.stdout) as { violations: { invariant: string; event: { step: string; host: string } }[]; final: { vms: { now: number; atStart: number } } };
    expect(json.violations.map((v) => v.invariant)).toEqual(["instances-kept"]);
    expect(json.violations[0]?.event).toMatchObject({ step: "nova-compute/b2/cmp002/evacuate", host: "cmp002" });
    expect(json.final.vms).toEqual({ now: 17, atStart: 18 });
    const xml = readFileSync(join(dir, "sim.xml"), "utf8");
    expect(xml.match(/<testcase /g)).toHaveLength(9);
    expect(xml.match(/<failure /g)).toHaveLength(1);
    expect(xml).toMatch(/<testcase [^>]*name="instances-kept[^"]*"[^/]*>\s*<failure/);
  });

  it("the text summary names each violation with its event", async () => {
    const r = await cli(planDir(), "plan.json", "--lose", "nova-compute/b2/cmp002/evacuate");
    expect(r.code).toBe(ExitCode.SimulationViolation);
    expect(r.stdout).toContain("invariants: 1 violation(s)");
    expect(r.stdout).toMatch(/\[instances-kept\] 1 instance\(s\) lost: 17 of 18 left\n\s+at \+\S+ \(2026-12-0\dT[\d:.]+Z\) evacuate ended: nova-compute\/b2\/cmp002\/evacuate on cmp002/);
  });

  it("a stopped run with every invariant held exits 0; 3 with --require-complete; a rollback 4", async () => {
    const dir = planDir();
    const stopped = await cli(dir, "plan.json", "--fail", "upgrade@cmp003");
    expect(stopped.code).toBe(ExitCode.Ok);
    expect(stopped.stdout).toContain("simulation: stopped");
    expect(stopped.stdout).toContain("nova-compute/b2/cmp003/upgrade");
    expect((await cli(dir, "plan.json", "--fail", "upgrade@cmp003", "--require-complete")).code).toBe(ExitCode.Stopped);
    const back = await cli(dir, "plan.json", "--fail", "upgrade@cmp003", "--rollback-on-failure", "--require-complete");
    expect(back.code).toBe(ExitCode.RolledBack);
    expect(back.stdout).toContain("rolled back to the start");
  });

  it("rejects faults that name nothing in the plan (2), a tampered plan (5), a .upg that does not compile (1)", async () => {
    const dir = planDir();
    const typo = await cli(dir, "plan.json", "--fail", "upgrad@cmp003");
    expect(typo.code).toBe(ExitCode.Usage);
    expect(typo.stderr).toContain("upgrad");
    expect((await cli(dir, "plan.json", "--slow", "reboot=fast")).code).toBe(ExitCode.Usage);
    expect((await cli(dir, "plan.json", "--down", "nosuchhost")).code).toBe(ExitCode.Usage);

    const p = JSON.parse(readFileSync(join(dir, "plan.json"), "utf8")) as { plan: { parallelism: number } };
    p.plan.parallelism = 1;
    writeFileSync(join(dir, "edited.json"), JSON.stringify(p));
    const edited = await cli(dir, "edited.json");
    expect(edited.code).toBe(ExitCode.InvalidPlan);
    expect(edited.stderr).toContain("edited");
    writeFileSync(join(dir, "broken.json"), "{ not json");
    expect((await cli(dir, "broken.json")).code).toBe(ExitCode.InvalidPlan);

    writeFileSync(join(dir, "bad.upg"), 'plan "x" {\n  kind upgrade\n  from "zed" to\n}\nservice {\n');
    const bad = await cli(dir, "bad.upg");
    expect(bad.code).toBe(ExitCode.CompileErrors);
    expect(bad.stderr).toContain("bad.upg");
  });

  it("the same seed gives the same JSON", async () => {
    const dir = planDir();
    const a = await cli(dir, "plan.json", "--fail-rate", "0.1", "--seed", "7", "--format", "json");
    const b = await cli(dir, "plan.json", "--fail-rate", "0.1", "--seed", "7", "--format", "json");
    expect(a.stdout).toBe(b.stdout);
    expect(JSON.parse(a.stdout)).toHaveProperty("injected");
  });
});

describe("upgradec simulate: a fault that never fires is reported", () => {
  function noRebootProject(): string {
    const dir = tempDir("upgradec-sim-down-");
    writeFileSync(join(dir, "hosts.ini"), "[app]\na1\na2\na3\n");
    writeFileSync(
      join(dir, "plan.upg"),
      `plan "no-reboot" {
  kind upgrade
  from "zed" to "2023.1"
}
inventory "hosts.ini"

service app {
  on app
  tags rolling-upgrade
  upgrade ["true"]
  start ["true"]
}
`,
    );
    return dir;
  }

  it("--down HOST where nothing reboots or stops it: a warning line, and `unfired` in the JSON", async () => {
    const dir = noRebootProject();
    const text = await cli(dir, "plan.upg", "--down", "a2");
    expect(text.code).toBe(ExitCode.Ok);
    expect(text.stderr).toContain("upgradec simulate: warning: fault --down a2 never fired: no step of the plan reboots or stops a2");
    expect(text.stdout).toContain("warning: fault --down a2 never fired");
    const json = await cli(dir, "plan.upg", "--down", "a2", "--format", "json");
    const report = JSON.parse(json.stdout) as { unfired: { fault: string; why: string }[]; outcome: string };
    expect(report.unfired).toEqual([{ fault: "--down a2", why: expect.stringContaining("no step of the plan reboots or stops a2") }]);
    expect(report.outcome).toBe("completed");
  });

  it("a fault that fired is not reported as unfired", async () => {
    const dir = noRebootProject();
    const json = await cli(dir, "plan.upg", "--fail", "upgrade@a2", "--format", "json");
    expect((JSON.parse(json.stdout) as { unfired: unknown[] }).unfired).toEqual([]);
    expect(json.stderr).not.toContain("never fired");
  });

  it("a --fail the run never reaches (it stopped before) is reported", async () => {
    const dir = noRebootProject();
    const json = await cli(dir, "plan.upg", "--fail", "upgrade@a1", "--fail", "start@a3", "--format", "json");
    const report = JSON.parse(json.stdout) as { unfired: { fault: string }[]; outcome: string };
    expect(report.outcome).toBe("stopped");
    expect(report.unfired.map((u) => u.fault)).toEqual(["--fail start@a3"]);
  });
});
