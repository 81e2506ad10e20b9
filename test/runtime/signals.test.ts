import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ExitCode } from "../../src/cli/exit-codes.js";
import { journalOf, spawnCli } from "./harness.js";
import { argv, makePlan, step, tempDir, writePlan } from "./plan-builder.js";

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
