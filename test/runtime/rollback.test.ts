import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ExitCode } from "../../src/cli/exit-codes.js";
import type { PlanFile } from "../../src/plan/plan.js";
import { resumePlan, rollbackPlan, runPlan, showStatus } from "../../src/cli/session.js";
import { captureIO, journalOf } from "./harness.js";
import { host, makePlan, rolling, service, shell, step, writePlan } from "../support/plan-builder.js";
import { tempDir } from "../support/temp-dir.js";

/**
 * Per host: stop (nothing to undo), upgrade (appends a line to the host's config; undo
 * deletes the last line), configure (rewrites a value; undo rewrites it back). Every undo
 * appends its step id to undo.log. The upgrade of `failOn` fails without touching anything.
 */
function filePlan(dir: string, failOn: string | null): PlanFile {
  const hosts = ["h1", "h2", "h3"];
  const steps = hosts.flatMap((h, i) => {
    const conf = `${h}.conf`;
    const prev = i === 0 ? [] : [`svc/b${i - 1}/${hosts[i - 1]}/configure`];
    const undoLog = (id: string) => `echo ${id} >> undo.log; `;
    return [
      step(`svc/b${i}/${h}/stop`, { service: "svc", hosts: [h], batch: i, action: "stop", after: prev, command: shell("true"), unavailable: [{ host: h, service: "svc" }] }),
      step(`svc/b${i}/${h}/upgrade`, {
        service: "svc",
        hosts: [h],
        batch: i,
        after: [`svc/b${i}/${h}/stop`],
        command: shell(h === failOn ? "echo cannot reach the mirror; echo giving up >&2; exit 1" : `echo "version=2023.1" >> ${conf}`),
        undo: shell(`${undoLog(`svc/b${i}/${h}/upgrade`)}sed -i '$d' ${conf}`),
        unavailable: [{ host: h, service: "svc" }],
      }),
      step(`svc/b${i}/${h}/configure`, {
        service: "svc",
        hosts: [h],
        batch: i,
        action: "start",
        after: [`svc/b${i}/${h}/upgrade`],
        command: shell(`sed -i 's/^mode=old$/mode=new/' ${conf}`),
        undo: shell(`${undoLog(`svc/b${i}/${h}/configure`)}sed -i 's/^mode=new$/mode=old/' ${conf}`),
        unavailable: [{ host: h, service: "svc" }],
      }),
    ];
  });
  return makePlan({
    dir,
    hosts: hosts.map((h) => host(h)),
    services: [service("svc", hosts, { rolling: rolling({ batches: [1, 1, 1], maxUnavailable: 1 }) })],
    steps,
  });
}

describe("stop on failure, then rollback (real processes)", () => {
  it("stops with exit 3 naming the step, then undoes in reverse order and restores every file byte for byte", async () => {
    const dir = tempDir();
    const original = (h: string) => `# ${h}\nmode=old\nlisten = 0.0.0.0:8774\n`;
    for (const h of ["h1", "h2", "h3"]) writeFileSync(join(dir, `${h}.conf`), original(h));
    const plan = filePlan(dir, "h3");
    writePlan(dir, plan);

    const run = captureIO(dir);
    expect(await runPlan({ plan: "plan.json" }, run.io)).toBe(ExitCode.Stopped);
    const journal = journalOf(dir);
    expect(journal.filter((r) => r.type === "step-failed").map((r) => [r.step, r.host, r.exitCode])).toEqual([["svc/b2/h3/upgrade", "h3", 1]]);
    expect(journal.at(-1)?.type).toBe("run-stopped");
    expect(run.err()).toContain("giving up");
    expect(readFileSync(join(dir, "h1.conf"), "utf8")).not.toBe(original("h1"));

    const status = captureIO(dir);
    expect(await showStatus({ plan: "plan.json", json: true }, status.io)).toBe(ExitCode.Ok);
    const report = JSON.parse(status.out()) as { byService: Record<string, { done: number; failed: number; pending: number }> };
    expect(report.byService["svc"]).toMatchObject({ done: 7, failed: 1, pending: 1 });

    const back = captureIO(dir);
    expect(await rollbackPlan({ plan: "plan.json" }, back.io)).toBe(ExitCode.RolledBack);
    for (const h of ["h1", "h2", "h3"]) expect(readFileSync(join(dir, `${h}.conf`), "utf8")).toBe(original(h));
    const undone = readFileSync(join(dir, "undo.log"), "utf8").trim().split("\n");
    expect(undone).toEqual(["svc/b1/h2/configure", "svc/b1/h2/upgrade", "svc/b0/h1/configure", "svc/b0/h1/upgrade"]);
    const after = journalOf(dir);
    expect(after.at(-1)?.type).toBe("rollback-finished");
    // Steps with nothing to undo are marked undone too.
    expect(after.some((r) => r.type === "step-undone" && r.step === "svc/b0/h1/stop")).toBe(true);

    // Done is done: a second rollback has nothing left.
    expect(await rollbackPlan({ plan: "plan.json" }, captureIO(dir).io)).toBe(ExitCode.RolledBack);
    expect(readFileSync(join(dir, "undo.log"), "utf8").trim().split("\n")).toHaveLength(4);
  });

  it("refuses --skip without --yes-i-fixed-it, and with it marks the step done and goes on", async () => {
    const dir = tempDir();
    for (const h of ["h1", "h2", "h3"]) writeFileSync(join(dir, `${h}.conf`), "mode=old\n");
    writePlan(dir, filePlan(dir, "h3"));
    expect(await runPlan({ plan: "plan.json" }, captureIO(dir).io)).toBe(ExitCode.Stopped);
    const refused = captureIO(dir);
    expect(await resumePlan({ plan: "plan.json", skip: ["svc/b2/h3/upgrade"] }, refused.io)).toBe(ExitCode.Usage);
    expect(refused.err()).toContain("error UPG0807: --skip");
    expect(journalOf(dir).some((r) => r.type === "step-skipped")).toBe(false);
    expect(await resumePlan({ plan: "plan.json", skip: ["svc/b2/h3/upgrade"], yesIFixedIt: true }, captureIO(dir).io)).toBe(ExitCode.Ok);
    const journal = journalOf(dir);
    expect(journal.filter((r) => r.type === "step-skipped").map((r) => r.step)).toEqual(["svc/b2/h3/upgrade"]);
    expect(journal.some((r) => r.type === "step-succeeded" && r.step === "svc/b2/h3/configure")).toBe(true);
    expect(journal.at(-1)?.type).toBe("run-finished");
  });
});

describe("a rollback is journaled and resumable", () => {
  it("stops on a failed undo, and `rollback` again continues where it stopped without repeating undone steps", async () => {
    const dir = tempDir();
    const log = (what: string) => shell(`echo ${what} >> actions.log`);
    const plan = makePlan({
      dir,
      hosts: [],
      services: [],
      steps: [
        step("one", { command: log("one"), undo: log("undo-one") }),
        step("two", { command: log("two"), undo: shell("test -e fixed && echo undo-two >> actions.log"), after: ["one"] }),
        step("three", { command: log("three"), undo: log("undo-three"), after: ["two"] }),
        step("four", { command: shell("exit 1"), after: ["three"] }),
      ],
    });
    writePlan(dir, plan);
    expect(await runPlan({ plan: "plan.json" }, captureIO(dir).io)).toBe(ExitCode.Stopped);
    const first = captureIO(dir);
    expect(await rollbackPlan({ plan: "plan.json" }, first.io)).toBe(ExitCode.Stopped);
    expect(first.err()).toContain("undo failed: two");
    expect(journalOf(dir).at(-1)?.type).toBe("rollback-stopped");
    // A forward resume is refused while a rollback is unfinished.
    expect(await resumePlan({ plan: "plan.json" }, captureIO(dir).io)).toBe(ExitCode.Usage);
    writeFileSync(join(dir, "fixed"), "");
    expect(await rollbackPlan({ plan: "plan.json" }, captureIO(dir).io)).toBe(ExitCode.RolledBack);
    expect(readFileSync(join(dir, "actions.log"), "utf8")).toBe("one\ntwo\nthree\nundo-three\nundo-two\nundo-one\n");
    // After a rollback, resume runs the plan forward again.
    expect(await resumePlan({ plan: "plan.json" }, captureIO(dir).io)).toBe(ExitCode.Stopped);
    expect(readFileSync(join(dir, "actions.log"), "utf8")).toBe("one\ntwo\nthree\nundo-three\nundo-two\nundo-one\none\ntwo\nthree\n");
  });
});

describe("on-deadline rollback", () => {
  it("a health gate that never passes rolls the run back by itself (exit 4)", { timeout: 30_000 }, async () => {
    const dir = tempDir();
    const plan = makePlan({
      dir,
      hosts: [host("h1")],
      services: [service("svc", ["h1"])],
      steps: [
        step("svc/b0/h1/upgrade", { service: "svc", hosts: ["h1"], batch: 0, command: shell("echo upgraded >> actions.log"), undo: shell("echo downgraded >> actions.log") }),
        step("svc/b0/h1/health", {
          service: "svc",
          hosts: ["h1"],
          batch: 0,
          action: "health",
          after: ["svc/b0/h1/upgrade"],
          command: shell("echo probe >> probes.log; exit 1"),
          health: { every: 0.2, within: 1, healthyFor: 0, onDeadline: "rollback" },
        }),
      ],
    });
    writePlan(dir, plan);
    const io = captureIO(dir);
    expect(await runPlan({ plan: "plan.json" }, io.io)).toBe(ExitCode.RolledBack);
    expect(readFileSync(join(dir, "actions.log"), "utf8")).toBe("upgraded\ndowngraded\n");
    expect(readFileSync(join(dir, "probes.log"), "utf8").trim().split("\n").length).toBeGreaterThanOrEqual(4);
    const types = journalOf(dir).map((r) => r.type);
    expect(types.slice(-4)).toEqual(["rollback-started", "step-undo-started", "step-undone", "rollback-finished"]);
  });
});

describe("points of no return and checkpoints", () => {
  function contractPlan(dir: string, withCheckpoint: boolean): PlanFile {
    const log = (what: string) => shell(`echo ${what} >> actions.log`);
    const steps = [
      ...(withCheckpoint
        ? [step("db/backup", { phase: "checkpoint", action: "checkpoint", checkpoint: "db-backup", command: log("backup"), undo: log("restore") })]
        : []),
      step("db/expand", { phase: "expand", action: "expand", command: log("expand"), undo: log("unexpand"), after: withCheckpoint ? ["db/backup"] : [] }),
      step("db/contract", { phase: "contract", action: "contract", command: log("contract"), undo: "irreversible", after: ["db/expand"] }),
      step("api/cleanup", { phase: "cleanup", action: "cleanup", command: shell("exit 1"), after: ["db/contract"] }),
    ];
    return makePlan({
      dir,
      hosts: [],
      services: [],
      steps,
      checkpoints: withCheckpoint ? [{ name: "db-backup", step: "db/backup", restore: log("restore"), note: null }] : [],
    });
  }

  it("refuses to cross a completed irreversible step with no checkpoint before it, and says what is possible", async () => {
    const dir = tempDir();
    writePlan(dir, contractPlan(dir, false));
    expect(await runPlan({ plan: "plan.json" }, captureIO(dir).io)).toBe(ExitCode.Stopped);
    const back = captureIO(dir);
    expect(await rollbackPlan({ plan: "plan.json" }, back.io)).toBe(ExitCode.RollbackRefused);
    expect(back.err()).toContain("db/contract is a point of no return");
    expect(back.err()).toContain("error UPG0808");
    expect(back.err()).toContain("upgradec resume");
    expect(readFileSync(join(dir, "actions.log"), "utf8")).toBe("expand\ncontract\n");
    expect(journalOf(dir).some((r) => r.type.startsWith("rollback"))).toBe(false);
  });

  it("crosses it when a checkpoint taken before it restores the state: the restore runs last", async () => {
    const dir = tempDir();
    writePlan(dir, contractPlan(dir, true));
    expect(await runPlan({ plan: "plan.json" }, captureIO(dir).io)).toBe(ExitCode.Stopped);
    expect(await rollbackPlan({ plan: "plan.json" }, captureIO(dir).io)).toBe(ExitCode.RolledBack);
    expect(readFileSync(join(dir, "actions.log"), "utf8")).toBe("backup\nexpand\ncontract\nunexpand\nrestore\n");
    const undone = journalOf(dir).filter((r) => r.type === "step-undone").map((r) => r.step);
    expect(undone).toEqual(["db/contract", "db/expand", "db/backup"]);
    expect(existsSync(join(dir, ".upgradec", "lock"))).toBe(false);
  });
});
