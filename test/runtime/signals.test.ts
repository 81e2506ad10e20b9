import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ExitCode } from "../../src/cli/exit-codes.js";
import { journalOf, running, spawnCli, until } from "./harness.js";
import { argv, makePlan, step, writePlan } from "../support/plan-builder.js";
import { tempDir } from "../support/temp-dir.js";

describe("Ctrl-C (real processes)", () => {
  it("stops gracefully: the running step finishes, nothing new starts, exit 3, and resume goes on", { timeout: 60_000 }, async () => {
    const dir = tempDir();
    const plan = makePlan({
      dir,
      hosts: [],
      services: [],
      steps: [
        step("first", { command: argv(["sh", "-c", "echo first >> ran.log; sleep 1; echo first-done >> ran.log"]) }),
        step("second", { command: argv(["sh", "-c", "echo second >> ran.log"]), after: ["first"] }),
      ],
    });
    writePlan(dir, plan);
    const child = spawnCli(["run", "plan.json"], dir);
    const end = Date.now() + 20_000;
    while (!existsSync(join(dir, "ran.log")) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    child.kill("SIGINT");
    const result = await child;
    expect(result.exitCode).toBe(ExitCode.Stopped);
    expect(readFileSync(join(dir, "ran.log"), "utf8")).toBe("first\nfirst-done\n");
    const journal = journalOf(dir);
    expect(journal.some((r) => r.type === "step-succeeded" && r.step === "first")).toBe(true);
    expect(journal.at(-1)).toMatchObject({ type: "run-stopped", message: "stopped by the operator" });
    const resumed = await spawnCli(["resume", "plan.json"], dir);
    expect(resumed.exitCode).toBe(ExitCode.Ok);
    expect(readFileSync(join(dir, "ran.log"), "utf8")).toBe("first\nfirst-done\nsecond\n");
  });
});

describe("done-checks on resume (real processes)", () => {
  it("a step interrupted by kill -9 runs again, unless its done-check says it is done", { timeout: 60_000 }, async () => {
    const dir = tempDir();
    const plan = makePlan({
      dir,
      hosts: [],
      services: [],
      steps: [
        step("install", {
          command: argv(["sh", "-c", "echo install >> ran.log; touch installed; sleep 10"]),
          done: argv(["test", "-e", "installed"]),
        }),
        step("restart", {
          // Slow the first time only, so the test can kill the runtime while it runs.
          command: argv(["sh", "-c", "echo restart >> ran.log; if [ ! -e slow-once ]; then touch slow-once; sleep 10; fi"]),
          done: argv(["test", "-e", "restarted"]),
          after: ["install"],
        }),
        step("after", { command: argv(["sh", "-c", "echo after >> ran.log"]), after: ["restart"] }),
      ],
    });
    writePlan(dir, plan);
    const ran = (): string => (existsSync(join(dir, "ran.log")) ? readFileSync(join(dir, "ran.log"), "utf8") : "");
    const waitFor = async (text: string): Promise<void> => {
      const end = Date.now() + 20_000;
      while (!ran().includes(text) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    };
    const first = spawnCli(["run", "plan.json"], dir);
    await waitFor("install");
    first.kill("SIGKILL");
    await first;
    // install's effect is there (its done-check passes): recorded done, not run again.
    const second = spawnCli(["resume", "plan.json"], dir);
    await waitFor("restart");
    second.kill("SIGKILL");
    await second;
    // restart's done-check fails: it runs again.
    const third = await spawnCli(["resume", "plan.json"], dir);
    expect(third.exitCode, third.stderr).toBe(ExitCode.Ok);
    expect(ran()).toBe("install\nrestart\nrestart\nafter\n");
    const journal = journalOf(dir);
    expect(journal.filter((r) => r.type === "step-succeeded" && r.step === "install")).toEqual([expect.objectContaining({ byDoneCheck: true })]);
    expect(journal.filter((r) => r.type === "step-succeeded" && r.step === "restart")[0]?.byDoneCheck).toBeUndefined();
  });
});



describe("SIGHUP (real processes)", () => {
  it("stops gracefully as SIGTERM does: the running step finishes, the journal says stopped, the lock is released", { timeout: 60_000 }, async () => {
    const dir = tempDir();
    writePlan(
      dir,
      makePlan({
        dir,
        hosts: [],
        services: [],
        steps: [
          step("first", { command: argv(["sh", "-c", "echo first >> ran.log; sleep 1; echo first-done >> ran.log"]) }),
          step("second", { command: argv(["sh", "-c", "echo second >> ran.log"]), after: ["first"] }),
        ],
      }),
    );
    const child = spawnCli(["run", "plan.json", "--skip-checks"], dir);
    await until(() => existsSync(join(dir, "ran.log")));
    child.kill("SIGHUP");
    const result = await child;
    expect(result.signal).toBeUndefined();
    expect(result.exitCode).toBe(ExitCode.Stopped);
    expect(readFileSync(join(dir, "ran.log"), "utf8")).toBe("first\nfirst-done\n");
    expect(journalOf(dir).at(-1)).toMatchObject({ type: "run-stopped", message: "stopped by the operator" });
    expect(existsSync(join(dir, ".upgradec", "lock"))).toBe(false);
  });
});

describe("a second SIGINT (real processes)", () => {
  it("stops the running commands, journals them as interrupted, releases the lock, and resume runs them again", { timeout: 60_000 }, async () => {
    const dir = tempDir();
    writePlan(
      dir,
      makePlan({
        dir,
        hosts: [],
        services: [],
        steps: [
          // Slow the first time only; writes its pid so the test can see it stopped.
          step("long", { command: argv(["sh", "-c", "echo long >> ran.log; if [ ! -e long.pid ]; then echo $$ > long.pid; sleep 30; fi"], { grace: 1 }) }),
          step("after", { command: argv(["sh", "-c", "echo after >> ran.log"]), after: ["long"] }),
        ],
      }),
    );
    const child = spawnCli(["run", "plan.json", "--skip-checks"], dir);
    await until(() => existsSync(join(dir, "long.pid")) && readFileSync(join(dir, "long.pid"), "utf8").endsWith("\n"));
    const stepPid = Number(readFileSync(join(dir, "long.pid"), "utf8").trim());
    try {
      child.kill("SIGINT");
      await new Promise((r) => setTimeout(r, 300));
      const sentAt = Date.now();
      child.kill("SIGINT");
      const result = await child;
      expect(result.exitCode, result.stderr).toBe(ExitCode.Stopped);
      // At once: the step's 30 s sleep was not waited for.
      expect(Date.now() - sentAt).toBeLessThan(10_000);
      expect(running(stepPid)).toBe(false);
      expect(existsSync(join(dir, ".upgradec", "lock"))).toBe(false);
      const journal = journalOf(dir);
      // Started and not finished: interrupted, not failed (resume asks a done-check, or runs it again).
      expect(journal.filter((r) => r.step === "long").map((r) => r.type)).toEqual(["step-started"]);
      expect(journal.at(-1)).toMatchObject({ type: "run-stopped", outcome: "interrupted" });
      const status = await spawnCli(["status", "plan.json"], dir);
      expect(status.stdout).toContain("started, not finished");
      expect(status.stdout).toContain("interrupted by the operator");
      const resumed = await spawnCli(["resume", "plan.json"], dir);
      expect(resumed.exitCode, resumed.stderr).toBe(ExitCode.Ok);
      expect(readFileSync(join(dir, "ran.log"), "utf8")).toBe("long\nlong\nafter\n");
    } finally {
      try {
        process.kill(-stepPid, "SIGKILL");
      } catch {
        // Stopped already.
      }
    }
  });
});

describe("SIGINT during a rollback (real processes)", () => {
  it("says the rollback was stopped, not that an undo failed; rollback again finishes it", { timeout: 60_000 }, async () => {
    const dir = tempDir();
    writePlan(
      dir,
      makePlan({
        dir,
        hosts: [],
        services: [],
        steps: [
          step("one", { command: argv(["sh", "-c", "echo one >> ran.log"]), undo: argv(["sh", "-c", "echo undo-one >> ran.log"]) }),
          step("two", {
            command: argv(["sh", "-c", "echo two >> ran.log"]),
            after: ["one"],
            // Undone first; slow the first time only, so the test can interrupt the rollback there.
            undo: argv(["sh", "-c", "echo undo-two >> ran.log; if [ ! -e undo.once ]; then touch undo.once; sleep 1; fi"]),
          }),
        ],
      }),
    );
    expect((await spawnCli(["run", "plan.json", "--skip-checks"], dir)).exitCode).toBe(ExitCode.Ok);
    const child = spawnCli(["rollback", "plan.json"], dir);
    await until(() => existsSync(join(dir, "undo.once")));
    child.kill("SIGINT");
    const result = await child;
    expect(result.exitCode).toBe(ExitCode.Stopped);
    expect(result.stderr).not.toContain("undo fail");
    expect(journalOf(dir).some((r) => r.type === "undo-failed")).toBe(false);
    const status = await spawnCli(["status", "plan.json"], dir);
    expect(status.stdout).not.toContain("failed undo");
    expect(status.stdout).toContain("rollback stopped before it finished");
    expect((await spawnCli(["rollback", "plan.json"], dir)).exitCode).toBe(ExitCode.RolledBack);
    expect(readFileSync(join(dir, "ran.log"), "utf8")).toBe("one\ntwo\nundo-two\nundo-one\n");
  });
});

describe("signals in --help", () => {
  it("run, resume and rollback say what each signal does", async () => {
    for (const verb of ["run", "resume", "rollback"]) {
      const help = await spawnCli([verb, "--help"], tempDir());
      expect(help.stdout).toContain("SIGHUP");
      expect(help.stdout).toContain("second time");
      expect(help.stdout).toContain("--kill-survivors");
      expect(help.stdout).toContain("nohup");
    }
  });
});
