/**
 * Which run a verb acts on, and what status says of it: a plan's state is its own (two plans
 * in one directory keep apart), a run is read only with the plan it started with, and status
 * tells an interruption from a failure and a restricted run from the whole plan.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ExitCode } from "../../src/cli/exit-codes.js";
import { main } from "../../src/cli/main.js";
import { encodeRecord, type JournalRecord } from "../../src/runtime/journal.js";
import { resumePlan, runPlan, showStatus } from "../../src/cli/session.js";
import type { PlanFile } from "../../src/plan/plan.js";
import { captureIO, currentJournalPath, journalOf, spawnCli } from "./harness.js";
import { argv, makePlan, step, writePlan } from "../support/plan-builder.js";
import { tempDir } from "../support/temp-dir.js";

const lines = (dir: string, file = "ran.log"): string[] => (existsSync(join(dir, file)) ? readFileSync(join(dir, file), "utf8").split("\n").filter((l) => l !== "") : []);

/** Three steps a, b, c in a chain, each appending `prefix-id` to ran.log; c fails until `ok` exists. */
function abcPlan(dir: string, name: string, prefix = name, source = `plan "${name}" { kind upgrade }\n`): PlanFile {
  const echo = (id: string) => argv(["sh", "-c", `echo ${prefix}-${id} >> ran.log`]);
  return makePlan({
    dir,
    name,
    hosts: [],
    services: [],
    sources: [{ path: `${name}.upg`, text: source }],
    steps: [
      step("a", { command: echo("a"), estimate: { start: 0, duration: 600 } }),
      step("b", { command: echo("b"), after: ["a"], estimate: { start: 600, duration: 600 } }),
      step("c", { command: argv(["sh", "-c", `test -e ok && echo ${prefix}-c >> ran.log`]), after: ["b"], estimate: { start: 1200, duration: 3600 } }),
    ],
  });
}

describe("status and the run's plan (issue 23 point 6)", () => {
  it("refuses a plan file other than the one the run started with (exit 5), as resume does", async () => {
    const dir = tempDir();
    writePlan(dir, abcPlan(dir, "cloud"));
    expect(await runPlan({ plan: "plan.json" }, captureIO(dir).io)).toBe(ExitCode.Stopped);
    // The same plan name, compiled from other sources: another plan.
    writePlan(dir, abcPlan(dir, "cloud", "cloud", 'plan "cloud" { kind upgrade }\n# changed\n'), "other.json");
    const status = captureIO(dir);
    expect(await showStatus({ plan: "other.json" }, status.io)).toBe(ExitCode.InvalidPlan);
    expect(status.out()).toBe("");
    expect(status.err()).toContain("UPG0805");
    expect(status.err()).toContain("started from another plan");
    const resume = captureIO(dir);
    expect(await resumePlan({ plan: "other.json" }, resume.io)).toBe(ExitCode.InvalidPlan);
    const verify = captureIO(dir);
    expect(await main(["verify", "other.json"], verify.io), verify.err()).toBe(ExitCode.InvalidPlan);
    expect(verify.err()).toContain("another plan file");
    expect(lines(dir)).toEqual(["cloud-a", "cloud-b"]);
  });
});

describe("two plans in one directory keep their state apart (issue 16 point 12)", () => {
  it("a stopped run of one does not stop a run of the other, and each status shows its own run", async () => {
    const dir = tempDir();
    writePlan(dir, abcPlan(dir, "upgrade", "up"), "upgrade.json");
    writePlan(dir, abcPlan(dir, "update", "upd"), "update.json");
    expect(await runPlan({ plan: "upgrade.json" }, captureIO(dir).io)).toBe(ExitCode.Stopped);
    writeFileSync(join(dir, "ok"), "");
    const other = captureIO(dir);
    expect(await runPlan({ plan: "update.json" }, other.io), other.err()).toBe(ExitCode.Ok);
    expect(lines(dir)).toEqual(["up-a", "up-b", "upd-a", "upd-b", "upd-c"]);
    const upgrade = captureIO(dir);
    expect(await showStatus({ plan: "upgrade.json", json: true }, upgrade.io)).toBe(ExitCode.Ok);
    expect(JSON.parse(upgrade.out())).toMatchObject({ phase: "stopped" });
    const update = captureIO(dir);
    expect(await showStatus({ plan: "update.json", json: true }, update.io)).toBe(ExitCode.Ok);
    expect(JSON.parse(update.out())).toMatchObject({ phase: "finished" });
    // The stopped one goes on where it was.
    expect(await resumePlan({ plan: "upgrade.json" }, captureIO(dir).io)).toBe(ExitCode.Ok);
    expect(lines(dir)).toEqual(["up-a", "up-b", "upd-a", "upd-b", "upd-c", "up-c"]);
    expect(readdirSync(join(dir, ".upgradec", "plans")).sort()).toEqual(["update", "upgrade"]);
  });

  it("reads the shared `current` of older layouts: its run resumes, and another plan's run starts beside it", async () => {
    const dir = tempDir();
    writePlan(dir, abcPlan(dir, "upgrade", "up"), "upgrade.json");
    writePlan(dir, abcPlan(dir, "update", "upd"), "update.json");
    expect(await runPlan({ plan: "upgrade.json" }, captureIO(dir).io)).toBe(ExitCode.Stopped);
    // Rewrite the state as the version before per-plan pointers and journal marks left it.
    const journal = currentJournalPath(dir);
    const runId = readFileSync(join(dir, ".upgradec", "plans", "upgrade"), "utf8");
    const legacy = journalOf(dir).map(({ sum: _sum, prev: _prev, ...rest }: JournalRecord) => encodeRecord(rest));
    writeFileSync(journal, legacy.join("\n") + "\n");
    rmSync(join(dir, ".upgradec", "runs", runId.trim(), "journal.mark"));
    rmSync(join(dir, ".upgradec", "plans"), { recursive: true });
    writeFileSync(join(dir, ".upgradec", "current"), runId);
    writeFileSync(join(dir, "ok"), "");
    const refused = captureIO(dir);
    expect(await runPlan({ plan: "upgrade.json" }, refused.io)).toBe(ExitCode.Stopped);
    expect(refused.err()).toContain(`run ${runId.trim()} of plan upgrade did not finish`);
    expect(await runPlan({ plan: "update.json" }, captureIO(dir).io)).toBe(ExitCode.Ok);
    const resumed = captureIO(dir);
    expect(await resumePlan({ plan: "upgrade.json" }, resumed.io), resumed.err()).toBe(ExitCode.Ok);
    expect(lines(dir)).toEqual(["up-a", "up-b", "upd-a", "upd-b", "upd-c", "up-c"]);
  });
});

describe("run over an unfinished run (issue 16 point 12)", () => {
  it("exits 3 (stopped, state kept), runs nothing, and says how to resume", async () => {
    const dir = tempDir();
    writePlan(dir, abcPlan(dir, "cloud"));
    expect(await runPlan({ plan: "plan.json" }, captureIO(dir).io)).toBe(ExitCode.Stopped);
    const again = captureIO(dir);
    expect(await runPlan({ plan: "plan.json" }, again.io)).toBe(ExitCode.Stopped);
    expect(again.err()).toContain("did not finish");
    expect(again.err()).toContain("error UPG0806");
    expect(again.err()).toContain("upgradec resume plan.json");
    expect(lines(dir)).toEqual(["cloud-a", "cloud-b"]);
    expect(readdirSync(join(dir, ".upgradec", "runs"))).toHaveLength(1);
    // --start-over abandons it: a new run, which names the old one, runs every step again.
    const old = readFileSync(join(dir, ".upgradec", "plans", "cloud"), "utf8").trim();
    writeFileSync(join(dir, "ok"), "");
    expect(await runPlan({ plan: "plan.json", startOver: true }, captureIO(dir).io)).toBe(ExitCode.Ok);
    expect(lines(dir)).toEqual(["cloud-a", "cloud-b", "cloud-a", "cloud-b", "cloud-c"]);
    expect(journalOf(dir)[0]).toMatchObject({ type: "run-started", abandoned: old });
    expect(readdirSync(join(dir, ".upgradec", "runs"))).toHaveLength(2);
  });
});

describe("status after Ctrl-C and after --only (issue 16 point 12)", () => {
  it("says a run stopped by SIGINT was interrupted, not that it failed", { timeout: 60_000 }, async () => {
    const dir = tempDir();
    writePlan(
      dir,
      makePlan({
        dir,
        hosts: [],
        services: [],
        steps: [
          step("first", { command: argv(["sh", "-c", "echo first >> ran.log; sleep 1"]) }),
          step("second", { command: argv(["sh", "-c", "echo second >> ran.log"]), after: ["first"] }),
        ],
      }),
    );
    const child = spawnCli(["run", "plan.json", "--skip-checks"], dir);
    const end = Date.now() + 20_000;
    while (!existsSync(join(dir, "ran.log")) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    child.kill("SIGINT");
    expect((await child).exitCode).toBe(ExitCode.Stopped);
    expect(journalOf(dir).at(-1)).toMatchObject({ type: "run-stopped", outcome: "interrupted" });
    const text = captureIO(dir);
    expect(await showStatus({ plan: "plan.json" }, text.io)).toBe(ExitCode.Ok);
    expect(text.out()).toContain("interrupted by the operator");
    expect(text.out()).not.toContain("failure");
    const json = captureIO(dir);
    await showStatus({ plan: "plan.json", json: true }, json.io);
    expect(JSON.parse(json.out())).toMatchObject({ phase: "stopped", stop: { interrupted: true } });
  });

  it("gives the remaining estimate of the steps --only chose, not of the whole plan", async () => {
    const dir = tempDir();
    const plan = abcPlan(dir, "cloud");
    writePlan(dir, plan);
    expect(plan.timing.total).toBe(4800);
    // b and c chosen: b succeeds, c fails (no `ok`).
    expect(await runPlan({ plan: "plan.json", only: ["b", "c"] }, captureIO(dir).io)).toBe(ExitCode.Stopped);
    const json = captureIO(dir);
    expect(await showStatus({ plan: "plan.json", json: true }, json.io)).toBe(ExitCode.Ok);
    // Left: c (3600 s); a is not chosen, b is done.
    expect(JSON.parse(json.out())).toMatchObject({ remaining: 3600, scope: { only: ["b", "c"], steps: 2 } });
    const text = captureIO(dir);
    await showStatus({ plan: "plan.json" }, text.io);
    expect(text.out()).toContain("restricted to 2 step(s) of 3: --only b c");
  });
});

describe("the stale-plan fix and --state (issue 16 point 12)", () => {
  it("names the entry relative to the directory the user is in, not the plan's", async () => {
    const dir = tempDir();
    const deploy = join(dir, "deploy");
    mkdirSync(deploy);
    writePlan(deploy, abcPlan(deploy, "cloud"));
    writeFileSync(join(deploy, "cloud.upg"), 'plan "cloud" { kind update }\n');
    const io = captureIO(dir);
    expect(await runPlan({ plan: "deploy/plan.json" }, io.io)).toBe(ExitCode.InvalidPlan);
    expect(io.err()).toContain("upgradec compile deploy/cloud.upg -o deploy/plan.json");
  });

  it("refuses a --state URL of an unsupported scheme (exit 2) and creates nothing", { timeout: 30_000 }, async () => {
    const dir = tempDir();
    writePlan(dir, abcPlan(dir, "cloud"));
    for (const state of ["mysql://db.example/upgradec", "s3:bucket"]) {
      const io = captureIO(dir);
      expect(await runPlan({ plan: "plan.json", state }, io.io)).toBe(ExitCode.Usage);
      expect(io.err()).toContain("UPG0809");
      expect(io.err()).toContain("--state DIR");
      const status = captureIO(dir);
      expect(await showStatus({ plan: "plan.json", state }, status.io)).toBe(ExitCode.Usage);
    }
    const verify = await spawnCli(["verify", "plan.json", "--state", "mysql://db.example/upgradec"], dir);
    expect(verify.exitCode, verify.stderr).toBe(ExitCode.Usage);
    expect(readdirSync(dir).sort()).toEqual(["cloud.upg", "plan.json"]);
    expect(lines(dir)).toEqual([]);
    // A file: URL is a directory.
    expect(await runPlan({ plan: "plan.json", state: `file://${join(dir, "st")}` }, captureIO(dir).io)).toBe(ExitCode.Stopped);
    expect(existsSync(join(dir, "st", "plans", "cloud"))).toBe(true);
  });
});
