import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ExitCode } from "../../src/cli/exit-codes.js";
import type { LockInfo } from "../../src/runtime/lock.js";
import { resumePlan, runPlan } from "../../src/runtime/session.js";
import { captureIO, journalOf, spawnCli } from "./harness.js";
import { argv, makePlan, step, tempDir, writePlan } from "./plan-builder.js";

async function until(what: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 25));
  }
}

function slowPlan(dir: string) {
  return makePlan({
    dir,
    hosts: [],
    services: [],
    steps: [
      // Holds the lock until the test says: a second CLI may take seconds to start on a busy machine.
      step("wait", { command: argv(["sh", "-c", "echo started >> ran.log; while [ ! -e release ]; do sleep 0.05; done"]) }),
      step("after", { command: argv(["sh", "-c", "echo after >> ran.log"]), after: ["wait"] }),
    ],
  });
}

describe("the run lock", () => {
  it("refuses a second run while the first runs (exit 6, naming the holder), and takes over a dead pid's lock", { timeout: 60_000 }, async () => {
    const dir = tempDir();
    writePlan(dir, slowPlan(dir));
    const first = spawnCli(["run", "plan.json"], dir);
    await until(() => existsSync(join(dir, "ran.log")));
    const holder = JSON.parse(readFileSync(join(dir, ".upgradec", "lock"), "utf8")) as LockInfo;
    expect(holder.pid).toBe(first.pid);
    expect(holder.host).toBe(hostname());

    const second = await spawnCli(["run", "plan.json"], dir);
    expect(second.exitCode).toBe(ExitCode.Locked);
    expect(second.stderr).toContain(`pid ${holder.pid}`);
    expect(second.stderr).toContain(holder.since);

    first.kill("SIGKILL");
    await first;
    // The dead run's lock is still there; resume recognises it as stale and takes over.
    expect(existsSync(join(dir, ".upgradec", "lock"))).toBe(true);
    writeFileSync(join(dir, "release"), "");
    const resumed = captureIO(dir);
    expect(await resumePlan({ plan: "plan.json" }, resumed.io)).toBe(ExitCode.Ok);
    expect(resumed.err()).toContain("stale lock");
    expect(journalOf(dir).at(-1)?.type).toBe("run-finished");
    expect(existsSync(join(dir, ".upgradec", "lock"))).toBe(false);
  });

  it("--force-unlock needs the lock's id", async () => {
    const dir = tempDir();
    writePlan(dir, makePlan({ dir, hosts: [], services: [], steps: [step("one", { command: argv(["true"]) })] }));
    const { mkdirSync } = await import("node:fs");
    mkdirSync(join(dir, ".upgradec"), { recursive: true });
    // Held by a live process (this one) on this host: not stale.
    const lock: LockInfo = { id: "abc123", user: "rey", host: hostname(), pid: process.pid, since: "2026-12-05T22:00:00.000Z", fingerprint: "x", command: "run" };
    writeFileSync(join(dir, ".upgradec", "lock"), JSON.stringify(lock));
    const refused = captureIO(dir);
    expect(await runPlan({ plan: "plan.json" }, refused.io)).toBe(ExitCode.Locked);
    expect(refused.err()).toContain("rey@");
    expect(refused.err()).toContain("--force-unlock abc123");
    expect(await runPlan({ plan: "plan.json", forceUnlock: "wrong" }, captureIO(dir).io)).toBe(ExitCode.Locked);
    expect(await runPlan({ plan: "plan.json", forceUnlock: "abc123" }, captureIO(dir).io)).toBe(ExitCode.Ok);
  });
});

describe("stale locks", () => {
  it("a lock whose pid now belongs to another process (started later) is stale; the holder's own is not", async () => {
    const { isStale, processStart } = await import("../../src/runtime/lock.js");
    const mine = processStart(process.pid);
    const base: LockInfo = { id: "x", user: "rey", host: hostname(), pid: process.pid, since: "2026-12-05T22:00:00.000Z", fingerprint: "f", command: "run" };
    expect(isStale({ ...base, pidStart: mine })).toBe(false);
    if (mine !== null) expect(isStale({ ...base, pidStart: String(Number(mine) - 1) })).toBe(true);
    expect(isStale({ ...base, host: "elsewhere" })).toBe(false);
    expect(isStale({ ...base, pid: 2 ** 22 + 12345 })).toBe(true);
  });
});
