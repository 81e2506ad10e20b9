/**
 * A command's output through its scratch file (scratch-output.ts), started by this process or
 * by a spawner process (spawner.ts): all of it, in the order written, while it runs, after a
 * timeout, never unredacted on disk, and a spawner that goes with its runner.
 */
import { existsSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { PlanCommandSpec, PlanFile } from "../../src/plan/plan.js";
import { systemClock } from "../../src/runtime/effects.js";
import type { Launcher } from "../../src/runtime/launcher.js";
import { type ProcessExecutor, processExecutor, stringEnv } from "../../src/runtime/process-executor.js";
import { spawnerLauncher } from "../../src/runtime/spawner.js";
import { runSpec, type SpecOutcome, type StepExecContext } from "../../src/runtime/step-exec.js";
import { filesUnder, running, spawnCli, until } from "./harness.js";
import { argv, makePlan, shell, step, writePlan } from "../support/plan-builder.js";
import { tempDir } from "../support/temp-dir.js";

/** Executors and process groups a test made, let go after it. */
const executors: ProcessExecutor[] = [];
const launchers: Launcher[] = [];
const groups: number[] = [];
afterEach(async () => {
  for (const e of executors.splice(0)) e.close();
  for (const l of launchers.splice(0)) await l.close();
  for (const pid of groups.splice(0)) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // Gone.
    }
  }
});

interface Runner {
  readonly dir: string;
  /** Runs `command` as step `id`; its log so far is in `logs`. */
  run(id: string, command: PlanCommandSpec): Promise<{ outcome: SpecOutcome; elapsed: number }>;
  readonly logs: Map<string, string>;
}

function runner(spawner: boolean, steps: readonly string[]): Runner {
  const dir = tempDir();
  const plan: PlanFile = makePlan({ dir, hosts: [], services: [], steps: steps.map((id) => step(id, { command: argv(["true"]) })) });
  const launcher = spawner ? spawnerLauncher(stringEnv(process.env)) : null;
  if (launcher !== null) launchers.push(launcher);
  expect(launcher === null).toBe(!spawner);
  const executor = processExecutor({ baseDir: dir, moduleDir: dir, env: process.env, clock: systemClock, ...(launcher ? { launcher } : {}) });
  executors.push(executor);
  const logs = new Map<string, string>();
  const ctx: StepExecContext = { plan, planDir: dir, clock: systemClock, executor, secrets: {}, redact: (t) => t, log: (id, t) => logs.set(id, (logs.get(id) ?? "") + t) };
  return {
    dir,
    logs,
    async run(id, command) {
      const s = plan.steps.find((x) => x.id === id) ?? step(id);
      const started = Date.now();
      const outcome = await runSpec(ctx, s, command, "action", new AbortController().signal);
      return { outcome, elapsed: Date.now() - started };
    },
  };
}

/** Processes whose parent is `parent` and whose command line contains `word`. */
function childrenOf(parent: number, word: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === parent && readFileSync(`/proc/${name}/cmdline`, "utf8").includes(word) && running(Number(name))) out.push(Number(name));
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

describe.each([
  ["started by the runner", false],
  ["started by a spawner process", true],
])("a command's output, %s", (_name, spawner) => {
  it("reaches the log whole, stdout and stderr in the order they were written", { timeout: 60_000 }, async () => {
    const r = runner(spawner, ["loud"]);
    // Some 1.3 MB, more than a pipe holds and more than one read.
    const { outcome } = await r.run("loud", shell('i=0; while [ $i -lt 40000 ]; do echo "out $i"; echo "err $i" >&2; i=$((i+1)); done'));
    expect(outcome.ok).toBe(true);
    const lines = (r.logs.get("loud") ?? "").split("\n").filter((l) => !l.startsWith("--") && l !== "");
    expect(lines).toHaveLength(80_000);
    for (let i = 0; i < 40_000; i += 997) {
      expect(lines[2 * i]).toBe(`out ${i}`);
      expect(lines[2 * i + 1]).toBe(`err ${i}`);
    }
    expect(lines.at(-1)).toBe("err 39999");
  });

  it("fails the step, not the runner, when Node refuses to start the command (a NUL byte in an argument)", { timeout: 30_000 }, async () => {
    const r = runner(spawner, ["nul", "after"]);
    const { outcome } = await r.run("nul", argv(["printf", "a\u0000b"]));
    expect(outcome.ok).toBe(false);
    expect(outcome.message).toMatch(/null bytes|ERR_INVALID_ARG_VALUE/);
    expect((await r.run("after", argv(["true"]))).outcome.ok).toBe(true);
  });

  it("keeps what a command wrote before its timeout killed it", { timeout: 30_000 }, async () => {
    const r = runner(spawner, ["slow"]);
    const { outcome } = await r.run("slow", shell("echo before the timeout; echo on stderr >&2; exec sleep 30", { timeout: 1, grace: 1 }));
    expect(outcome.ok).toBe(false);
    expect(outcome.timedOut).toBe(true);
    expect(r.logs.get("slow")).toContain("before the timeout\non stderr\n");
  });

  it("streams a long command's output to its log while it runs", { timeout: 60_000 }, async () => {
    const r = runner(spawner, ["long"]);
    // It writes, then waits for the test to let it go: what the log holds before that was read while it ran.
    const done = r.run("long", shell(`echo first; ${waitFor("release")}; echo second`));
    await until(() => (r.logs.get("long") ?? "").includes("first"), 30_000);
    expect(r.logs.get("long")).not.toContain("second");
    writeFileSync(join(r.dir, "release"), "");
    expect((await done).outcome.ok).toBe(true);
    expect(r.logs.get("long")).toContain("first\nsecond\n");
  });

  it("ends the step when the command exits, though a process it left behind holds its output; what that process writes later reaches no other step", { timeout: 60_000 }, async () => {
    const r = runner(spawner, ["warm", "daemon", "next"]);
    await r.run("warm", argv(["true"]));
    // The process left behind writes only once the next command has begun: through a pipe the step would never end.
    const daemon = await r.run("daemon", shell(`(${waitFor("release")}; echo late from the daemon; touch "$PWD/daemon-wrote") & echo $! > "$PWD/daemon.pid"; echo started`));
    const left = Number(readFileSync(join(r.dir, "daemon.pid"), "utf8"));
    groups.push(left);
    expect(daemon.outcome.ok).toBe(true);
    expect(running(left)).toBe(true);
    expect(r.logs.get("daemon")).toContain("started");
    const next = await r.run("next", shell(`touch "$PWD/release"; ${waitFor("daemon-wrote")}; echo own output`));
    expect(next.outcome.ok).toBe(true);
    expect(r.logs.get("next")).toContain("own output");
    expect(r.logs.get("next")).not.toContain("daemon");
  });
});

describe("the spawner process", () => {
  it("lost while its command runs: the step ends when the command's group has gone, its status unknown; later commands start from the runner", { timeout: 60_000 }, async () => {
    const r = runner(true, ["orphaned", "after"]);
    let settled = false;
    const orphaned = r.run("orphaned", shell(`touch "$PWD/began"; ${waitFor("release")}`)).finally(() => (settled = true));
    await until(() => existsSync(join(r.dir, "began")));
    const spawners = childrenOf(process.pid, "spawner-process");
    expect(spawners).toHaveLength(1);
    process.kill(spawners[0] ?? 0, "SIGKILL");
    await until(() => !running(spawners[0] ?? 0));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    // The command still runs: the step waits for it rather than letting it run again beside itself.
    expect(settled).toBe(false);
    writeFileSync(join(r.dir, "release"), "");
    const { outcome } = await orphaned;
    expect(outcome.ok).toBe(false);
    expect(outcome.message).toContain("exit status is unknown");
    const after = await r.run("after", shell("echo still runs"));
    expect(after.outcome.ok).toBe(true);
    expect(r.logs.get("after")).toContain("still runs");
  });
});

describe("secrets and the scratch files (the CLI as a process)", () => {
  const secret = "s3cr3t-scratch-Pa55";

  function secretPlan(dir: string, sleep: string): void {
    const plan = makePlan({
      dir,
      hosts: [],
      services: [],
      secrets: [{ name: "pw", source: "env", ref: "TEST_SCRATCH_PW" }],
      steps: [step("tell", { command: argv(["sh", "-c", `echo "the password is $1"; echo "$1" >&2; echo $$ > "$2"; ${sleep}`, "sh", "{secret.pw}", join(dir, "cmd.pid")]) })],
    });
    writePlan(dir, plan);
  }

  function filesWithSecret(dirs: readonly string[]): string[] {
    return dirs.flatMap((d) => filesUnder(d)).filter((f) => readFileSync(f, "latin1").includes(secret));
  }

  it("a finished run leaves no file holding the secret, in the state directory or the temporary one", { timeout: 60_000 }, async () => {
    const dir = tempDir();
    const tmp = tempDir("upgradec-tmp-");
    secretPlan(dir, "true");
    const r = await spawnCli(["run", "plan.json", "--skip-checks"], dir, { TMPDIR: tmp, TEST_SCRATCH_PW: secret });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(filesWithSecret([join(dir, ".upgradec"), tmp])).toEqual([]);
    // (tsx, which runs the CLI from source here, keeps its cache there.)
    expect(readdirSync(tmp).filter((f) => !f.startsWith("tsx-"))).toEqual([]);
    const log = filesUnder(join(dir, ".upgradec")).find((f) => f.endsWith("tell.log")) ?? "";
    expect(readFileSync(log, "utf8")).toContain("the password is ***");
  });

  it("after a kill -9 mid-step: no file holds the secret, the command's output file is unlinked, and the spawner has gone with the runner while the command runs on", { timeout: 60_000 }, async () => {
    const dir = tempDir();
    const tmp = tempDir("upgradec-tmp-");
    secretPlan(dir, "sleep 30");
    const child = spawnCli(["run", "plan.json", "--skip-checks"], dir, { TMPDIR: tmp, TEST_SCRATCH_PW: secret });
    void child.catch(() => undefined);
    await until(() => existsSync(join(dir, "cmd.pid")) && readFileSync(join(dir, "cmd.pid"), "utf8").endsWith("\n"));
    const cmd = Number(readFileSync(join(dir, "cmd.pid"), "utf8"));
    groups.push(cmd);
    const runnerPid = child.pid ?? 0;
    const spawners = childrenOf(runnerPid, "spawner");
    expect(spawners).toHaveLength(1);
    // The command's stdout is a file already removed from the temporary directory.
    const out = readlinkSync(`/proc/${cmd}/fd/1`);
    expect(out.startsWith(tmp)).toBe(true);
    expect(out.endsWith("(deleted)")).toBe(true);
    child.kill("SIGKILL");
    await child;
    await until(() => !running(spawners[0] ?? 0), 10_000);
    expect(running(cmd)).toBe(true);
    expect(filesWithSecret([join(dir, ".upgradec"), tmp])).toEqual([]);
    // (tsx, which runs the CLI from source here, keeps its cache there.)
    expect(readdirSync(tmp).filter((f) => !f.startsWith("tsx-"))).toEqual([]);
  });
});

/** Shell text that waits until the test creates `name` in the command's directory. */
function waitFor(name: string): string {
  return `while [ ! -e "$PWD/${name}" ]; do sleep 0.05; done`;
}
