import { existsSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { capacityRows, checkPassed, runChecks, windowRows, type CheckReport, type CheckRow } from "../../src/preflight/check.js";
import { renderCheckTable } from "../../src/preflight/render-check.js";
import { runPreflight, withProbes } from "../../src/preflight/preflight.js";
import { preflightForRun } from "../../src/cli/commands/run-gate.js";
import { checkVerb } from "../../src/cli/commands/check.js";
import { ExitCode } from "../../src/cli/exit-codes.js";
import type { PlanCommandSpec, PlanConnection, PlanFile, PlanStep } from "../../src/plan/plan.js";
import { captureIO, journalOf, spawnCli } from "../runtime/harness.js";
import { argv, host, makePlan, service, shell, step, window, writePlan } from "../support/plan-builder.js";
import { tempDir } from "../support/temp-dir.js";

/** A plan with one service on `hosts` whose pre-check is `precheck` (run per host). */
function precheckPlan(dir: string, precheck: PlanCommandSpec, options: { hosts?: string[]; connection?: PlanConnection; extraSteps?: PlanStep[] } = {}): PlanFile {
  const hosts = options.hosts ?? ["h1", "h2"];
  return makePlan({
    dir,
    hosts: hosts.map((h) => host(h, {}, options.connection?.name ?? "local")),
    services: [service("svc", hosts)],
    connections: options.connection ? [options.connection] : [],
    steps: [step("svc/precheck", { phase: "prechecks", action: "precheck", service: "svc", hosts, command: precheck }), ...(options.extraSteps ?? [])],
  });
}

async function check(plan: PlanFile, dir: string, versions: ReadonlyMap<string, PlanCommandSpec> | null = null, timeout = 30): Promise<CheckReport> {
  const withVersions = { ...plan, services: plan.services.map((s) => ({ ...s, version: versions?.get(s.name) ?? s.version })) };
  return withProbes(plan, dir, { env: process.env, parallel: 4, timeout }, (probes) => runChecks({ plan: withVersions, planDir: dir }, probes));
}

const rowsOf = (report: CheckReport, check: CheckRow["check"]): CheckRow[] => report.rows.filter((r) => r.check === check);

describe("upgradec check: pre-checks follow the status-check convention", () => {
  it("passes when every pre-check exits 0", async () => {
    const dir = tempDir();
    const plan = precheckPlan(dir, shell("exit 0"));
    const report = await check(plan, dir);
    const pre = rowsOf(report, "precheck");
    expect(pre.map((r) => [r.host, r.result])).toEqual([
      ["h1", "ok"],
      ["h2", "ok"],
    ]);
    expect(report.failed).toBe(false);
    expect(checkPassed(report, false)).toBe(true);
    expect(checkPassed(report, true)).toBe(true);
  });

  it("exit 1 is a warning: passes, but not under --strict", async () => {
    const dir = tempDir();
    const plan = precheckPlan(dir, shell('echo "2 instances without a flavor"; exit 1'));
    const report = await check(plan, dir);
    expect(rowsOf(report, "precheck").map((r) => r.result)).toEqual(["warning", "warning"]);
    expect(rowsOf(report, "precheck")[0]?.detail).toContain("2 instances without a flavor");
    expect(report.failed).toBe(false);
    expect(checkPassed(report, false)).toBe(true);
    expect(checkPassed(report, true)).toBe(false);
  });

  it("exit 2 is a failure", async () => {
    const dir = tempDir();
    const plan = precheckPlan(dir, shell('if [ "{host}" = h2 ]; then echo "online migrations pending"; exit 2; fi'));
    const report = await check(plan, dir);
    expect(rowsOf(report, "precheck").map((r) => [r.host, r.result])).toEqual([
      ["h1", "ok"],
      ["h2", "failed"],
    ]);
    expect(rowsOf(report, "precheck")[1]?.detail).toContain("online migrations pending");
    expect(checkPassed(report, false)).toBe(false);
  });

  it("any other exit code (3, 255) is an error of the check itself", async () => {
    const dir = tempDir();
    const plan = precheckPlan(dir, shell('if [ "{host}" = h1 ]; then exit 3; else exit 255; fi'));
    const report = await check(plan, dir);
    expect(rowsOf(report, "precheck").map((r) => [r.host, r.result, r.detail])).toEqual([
      ["h1", "error", "exit code 3"],
      ["h2", "error", "exit code 255"],
    ]);
    expect(report.failed).toBe(true);
  });

  it("a pre-check that does not answer within --timeout times out, and the check does not wait for it", async () => {
    const dir = tempDir();
    const plan = precheckPlan(dir, argv(["sleep", "10"]), { hosts: ["h1"] });
    const began = Date.now();
    const report = await check(plan, dir, null, 1);
    expect(Date.now() - began).toBeLessThan(8000);
    expect(rowsOf(report, "precheck").map((r) => r.result)).toEqual(["timed-out"]);
    expect(report.failed).toBe(true);
  });

  it("runs probes in parallel, never more than --parallel at once", async () => {
    const dir = tempDir();
    const hosts = ["h1", "h2", "h3", "h4", "h5"];
    const plan = precheckPlan(dir, shell('echo "+ {host}" >> trace; sleep 0.3; echo "- {host}" >> trace'), { hosts });
    const report = await withProbes(plan, dir, { env: process.env, parallel: 2, timeout: 30 }, (probes) => runChecks({ plan, planDir: dir }, probes));
    expect(rowsOf(report, "precheck").every((r) => r.result === "ok")).toBe(true);
    const trace = readFileSync(join(dir, "trace"), "utf8").trim().split("\n");
    let running = 0;
    let most = 0;
    for (const line of trace) {
      running += line.startsWith("+") ? 1 : -1;
      most = Math.max(most, running);
    }
    expect(trace).toHaveLength(10);
    expect(most).toBe(2);
  });
});

describe("upgradec check: hosts answer their connection's probe", () => {
  it("names the one host that does not answer, and skips its other checks", async () => {
    const dir = tempDir();
    const connection: PlanConnection = { name: "lab", exec: [], probe: shell('test "{host}" != h2') };
    const plan = precheckPlan(dir, shell("exit 0"), { connection });
    const report = await check(plan, dir);
    expect(rowsOf(report, "reachable").map((r) => [r.host, r.result])).toEqual([
      ["h1", "ok"],
      ["h2", "failed"],
    ]);
    const pre = rowsOf(report, "precheck");
    expect(pre.find((r) => r.host === "h1")?.result).toBe("ok");
    expect(pre.find((r) => r.host === "h2")).toMatchObject({ result: "skipped", detail: "h2 did not answer its probe" });
    expect(report.failed).toBe(true);
  });
});

describe("upgradec check: the installed version is the plan's from", () => {
  it("reports the host whose version differs", async () => {
    const dir = tempDir();
    const plan = precheckPlan(dir, shell("exit 0"));
    const versions = new Map([["svc", shell('if [ "{host}" = h2 ]; then echo "nova-api 2023.1"; else echo zed; fi')]]);
    const report = await check(plan, dir, versions);
    const rows = rowsOf(report, "version");
    expect(rows.map((r) => [r.host, r.result])).toEqual([
      ["h1", "ok"],
      ["h2", "failed"],
    ]);
    expect(rows[1]?.detail).toContain("installed: nova-api 2023.1; the plan upgrades from zed");
    expect(report.failed).toBe(true);
  });

  it("says so when a service declares no version query", async () => {
    const dir = tempDir();
    const report = await check(precheckPlan(dir, shell("exit 0")), dir, new Map());
    expect(rowsOf(report, "version")).toEqual([expect.objectContaining({ service: "svc", result: "skipped" })]);
    expect(report.failed).toBe(false);
  });
});

describe("upgradec check: capacity and windows", () => {
  it("fails a batch whose instances do not fit in the other hosts' free capacity", () => {
    const dir = tempDir();
    const plan = makePlan({
      dir,
      hosts: [host("c1", { instances: 10, capacity: 20 }), host("c2", { instances: 15, capacity: 20 }), host("c3", { instances: 5, capacity: 20 })],
      services: [service("nova-compute", ["c1", "c2", "c3"], { evacuate: { strategy: "live-migrate", concurrency: 2, timeout: 600, countVar: "instances", capacityVar: "capacity" }, rolling: { ...service("x", []).rolling, batches: [1, 2] } })],
      steps: [],
    });
    const rows = capacityRows(plan);
    // Batch 2 (c2, c3) moves 20 instances; c1 has room for 10.
    expect(rows).toEqual([expect.objectContaining({ service: "nova-compute", result: "failed" })]);
    expect(rows[0]?.detail).toContain("must move 20 instances; the other hosts have room for 10");
  });

  it("warns when the plan's start is past, and finds the next occurrence of its window", async () => {
    const dir = tempDir();
    const plan = makePlan({
      dir,
      hosts: [host("h1")],
      services: [service("svc", ["h1"])],
      windows: [window("nightly", { zone: "UTC" })],
      steps: [step("svc/b0/h1/upgrade", { service: "svc", hosts: ["h1"], window: "nightly", estimate: { start: 0, duration: 600 } })],
    });
    const rows = await windowRows(plan, Date.parse("2027-01-01T12:00:00Z"));
    expect(rows[0]).toMatchObject({ result: "warning" });
    expect(rows[1]).toMatchObject({ result: "ok", detail: "window nightly: next fitting occurrence 2027-01-01T22:00:00.000Z" });
    const future = await windowRows(plan, Date.parse("2026-01-01T12:00:00Z"));
    expect(future[0]).toMatchObject({ result: "ok" });
  });
});

describe("the check verb and the run's preflight", () => {
  it("exits 0 on warnings, 1 with --strict, 1 on a failure; --format json carries the rows", async () => {
    const dir = tempDir();
    writePlan(dir, precheckPlan(dir, shell('[ "{host}" = h1 ] && exit 1; exit 0')));
    const args = { file: "plan.json", format: "json", parallel: 8, timeout: "30s", strict: false };
    const lax = captureIO(dir);
    expect(await checkVerb.run(args, lax.io)).toBe(ExitCode.Ok);
    const json = JSON.parse(lax.out()) as { passed: boolean; rows: CheckRow[] };
    expect(json.passed).toBe(true);
    expect(json.rows.find((r) => r.check === "precheck" && r.host === "h1")?.result).toBe("warning");
    expect(json.rows.find((r) => r.check === "plan")?.result).toBe("ok");
    expect(await checkVerb.run({ ...args, strict: true }, captureIO(dir).io)).toBe(ExitCode.CompileErrors);

    const failing = tempDir();
    writePlan(failing, precheckPlan(failing, shell("exit 2")));
    const text = captureIO(failing);
    expect(await checkVerb.run({ ...args, format: "text" }, text.io)).toBe(ExitCode.CompileErrors);
    expect(text.out()).toMatch(/^CHECK\s+HOST\s+RESULT\s+DETAIL/);
    expect(text.out()).toContain("NOT READY");
  });

  it("fails on a tampered plan before probing anything", async () => {
    const dir = tempDir();
    const plan = precheckPlan(dir, shell("touch probed"));
    writePlan(dir, { ...plan, plan: { ...plan.plan, name: "edited" } });
    const io = captureIO(dir);
    expect(await checkVerb.run({ file: "plan.json", format: "json", parallel: 8, timeout: "30s", strict: false }, io.io)).toBe(ExitCode.CompileErrors);
    const json = JSON.parse(io.out()) as { rows: CheckRow[] };
    expect(json.rows).toEqual([expect.objectContaining({ check: "plan", result: "failed" })]);
  });

  it("rejects a malformed --timeout as a usage error", async () => {
    const dir = tempDir();
    writePlan(dir, precheckPlan(dir, shell("exit 0")));
    expect(await checkVerb.run({ file: "plan.json", format: "text", parallel: 8, timeout: "soon", strict: false }, captureIO(dir).io)).toBe(ExitCode.Usage);
  });

  it("runPreflight gives run a verdict and an outcome for its journal", async () => {
    const dir = tempDir();
    const path = writePlan(dir, precheckPlan(dir, shell("exit 1")));
    const plan = JSON.parse(readFileSync(path, "utf8")) as PlanFile;
    const lax = await runPreflight(plan, { planPath: path, env: process.env });
    expect(lax).toMatchObject({ passed: true, outcome: "passed-with-warnings" });
    const strict = await runPreflight(plan, { planPath: path, env: process.env, strict: true });
    expect(strict).toMatchObject({ passed: false, outcome: "failed" });
  });

  it("runPreflight and the check verb close the output files of their probes", async () => {
    const dir = tempDir();
    const path = writePlan(dir, precheckPlan(dir, shell("echo probing"), { hosts: ["h1", "h2", "h3"] }));
    const plan = JSON.parse(readFileSync(path, "utf8")) as PlanFile;
    const before = openOutputFiles();
    await runPreflight(plan, { planPath: path, env: process.env });
    await checkVerb.run({ file: "plan.json", format: "text", parallel: 8, timeout: "30s", strict: false }, captureIO(dir).io);
    expect(openOutputFiles()).toEqual(before);
  });

  it("preflightForRun stops a run whose checks fail before anything starts, and lets --skip-checks through", async () => {
    const dir = tempDir();
    const path = writePlan(dir, precheckPlan(dir, shell("exit 2")));
    const loaded = { plan: JSON.parse(readFileSync(path, "utf8")) as PlanFile, path, dir };
    let said = "";
    const write = (text: string): void => {
      said += text;
    };
    const gate = await preflightForRun(loaded, "plan.json", { skip: false, env: process.env, write });
    expect(gate).toEqual({ proceed: false, exitCode: ExitCode.CompileErrors, checks: "failed" });
    expect(said).toContain("--skip-checks");
    expect(existsSync(join(dir, ".upgradec"))).toBe(false);
    const skipped = await preflightForRun(loaded, "plan.json", { skip: true, env: process.env, write });
    expect(skipped).toEqual({ proceed: true, exitCode: 0, checks: "skipped" });
  });

  it("a .upg with errors fails the compile check and probes nothing", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "cloud.upg"), 'plan "x" { kind sideways }\nservice {\n');
    const io = captureIO(dir);
    expect(await checkVerb.run({ file: "cloud.upg", format: "json", parallel: 8, timeout: "30s", strict: false }, io.io)).toBe(ExitCode.CompileErrors);
    const json = JSON.parse(io.out()) as { rows: CheckRow[]; diagnostics: { summary: { errors: number } } };
    expect(json.rows).toEqual([expect.objectContaining({ check: "compile", result: "failed" })]);
    expect(json.diagnostics.summary.errors).toBeGreaterThan(0);
  });
});

describe("upgradec check as a process", () => {
  it("parses its options and exits 1 when a pre-check times out", async () => {
    const dir = tempDir();
    writePlan(dir, precheckPlan(dir, argv(["sleep", "10"]), { hosts: ["h1"] }));
    const result = await spawnCli(["check", "plan.json", "--timeout", "1s", "--parallel", "2", "--format", "json"], dir);
    expect(result.exitCode).toBe(ExitCode.CompileErrors);
    const json = JSON.parse(String(result.stdout)) as { rows: CheckRow[] };
    expect(json.rows.find((r) => r.check === "precheck")).toMatchObject({ host: "h1", result: "timed-out", detail: "no answer within 1s" });
  });
});


describe("upgradec run checks the cloud first", () => {
  it("refuses to start when a pre-check fails: exit 1, no journal, the failing check named", async () => {
    const dir = tempDir();
    writePlan(dir, precheckPlan(dir, shell("echo database unreachable >&2; exit 2")));
    const result = await spawnCli(["run", "plan.json"], dir);
    expect(result.exitCode).toBe(ExitCode.CompileErrors);
    expect(result.stderr).toContain("--skip-checks");
    // The checks ran under the run's lock, and left neither a run nor the lock behind.
    expect(existsSync(join(dir, ".upgradec", "runs"))).toBe(false);
    expect(existsSync(join(dir, ".upgradec", "current"))).toBe(false);
    expect(existsSync(join(dir, ".upgradec", "plans"))).toBe(false);
    expect(existsSync(join(dir, ".upgradec", "lock"))).toBe(false);
  });

  it("records what the checks found in the run-started record, and --skip-checks as skipped", async () => {
    const checked = tempDir();
    writePlan(checked, precheckPlan(checked, shell("exit 0")));
    expect((await spawnCli(["run", "plan.json"], checked)).exitCode).toBe(ExitCode.Ok);
    expect(journalOf(checked).find((r) => r.type === "run-started")?.checks).toBe("passed");

    const skipped = tempDir();
    writePlan(skipped, precheckPlan(skipped, shell("exit 2")));
    const run = await spawnCli(["run", "plan.json", "--skip-checks"], skipped);
    // The pre-check still runs as the plan's first step, and fails there: the run stops.
    expect(run.exitCode).toBe(ExitCode.Stopped);
    const started = journalOf(skipped).find((r) => r.type === "run-started");
    expect(started?.checks).toBe("skipped");
  });

  it("treats a pre-check's exit 1 as a warning, as OpenStack's upgrade checks mean it, and 2 as a failure", async () => {
    const warned = tempDir();
    writePlan(warned, precheckPlan(warned, shell("echo 'WARNING: policy file' ; exit 1")));
    expect((await spawnCli(["run", "plan.json"], warned)).exitCode).toBe(ExitCode.Ok);
    const records = journalOf(warned);
    expect(records.find((r) => r.type === "run-started")?.checks).toBe("passed-with-warnings");
    expect(records.some((r) => r.type === "step-succeeded" && r.step === "svc/precheck")).toBe(true);

    const failed = tempDir();
    writePlan(failed, precheckPlan(failed, shell("exit 2")));
    expect((await spawnCli(["run", "plan.json", "--skip-checks"], failed)).exitCode).toBe(ExitCode.Stopped);
    expect(journalOf(failed).some((r) => r.type === "step-failed" && r.step === "svc/precheck")).toBe(true);
  });
});

describe("upgradec check: the notifiers' programs", () => {
  /** A plan whose notifiers run `commands`; nothing else to check. */
  function notifyPlan(dir: string, commands: readonly PlanCommandSpec[]): PlanFile {
    const plan = precheckPlan(dir, shell("exit 0"));
    return { ...plan, notify: commands.map((command, i) => ({ name: `n${i + 1}`, events: ["run-stopped"], vars: {}, command })) };
  }

  it("warns (UPG0901, with the fix) when a notifier's program is not on this machine, argv or shell, and not when it is", async () => {
    const dir = tempDir();
    const missing = "upgradec-test-no-such-mailer";
    const plan = notifyPlan(dir, [
      argv([missing, "--", "{text}"]),
      shell(`{ printf 'Subject: %s\\n\\n' {text}; cat; } | ${missing} -i -- ops@example.org`),
      argv(["sh", "-c", "cat >/dev/null"]),
    ]);
    const report = await check(plan, dir);
    const rows = rowsOf(report, "notify");
    expect(rows.map((r) => [r.result, r.code ?? null, r.detail])).toEqual([
      ["warning", "UPG0901", `notifier n1: ${missing} is not found on this machine (PATH): its deliveries would fail`],
      ["ok", null, "notifier n2: cat is installed"],
      ["warning", "UPG0901", `notifier n2: ${missing} is not found on this machine (PATH): its deliveries would fail`],
      ["ok", null, "notifier n3: sh is installed"],
    ]);
    expect(rows[0]?.help).toBe(`install ${missing} where upgradec runs, or change notifier n1's \`run\``);
    expect(report.failed).toBe(false);
    expect(report.warnings).toBe(2);
    expect(checkPassed(report, true)).toBe(false);
    // The table a user reads names the code and the fix.
    expect(renderCheckTable(report, false)).toContain(`UPG0901: notifier n1: ${missing} is not found on this machine (PATH): its deliveries would fail; help: install ${missing}`);
  });
});

/** This process's descriptors of commands' scratch output files (scratch-output.ts). */
function openOutputFiles(): string[] {
  return readdirSync("/proc/self/fd")
    .map((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`);
      } catch {
        return "";
      }
    })
    .filter((target) => target.includes("upgradec-output-"))
    .sort();
}
