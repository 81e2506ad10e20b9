import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ExitCode } from "../../src/cli/exit-codes.js";
import type { LockInfo } from "../../src/runtime/lock.js";
import { resumePlan, runPlan } from "../../src/cli/session.js";
import { captureIO, journalOf, running, spawnCli, until } from "./harness.js";
import { argv, makePlan, step, writePlan } from "../support/plan-builder.js";
import { tempDir } from "../support/temp-dir.js";



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

describe("damaged and foreign locks (issue 23 point 7)", () => {
  const planIn = (dir: string) => writePlan(dir, makePlan({ dir, hosts: [], services: [], steps: [step("one", { command: argv(["sh", "-c", "echo one >> ran.log"]) })] }));
  const ran = (dir: string) => (existsSync(join(dir, "ran.log")) ? readFileSync(join(dir, "ran.log"), "utf8") : "");

  for (const [what, content] of [
    ["an empty lock file", ""],
    ["a lock file that is not JSON", '{"id": "abc'],
    ["a lock file without a holder", '{"id": 5, "pid": "x"}'],
  ] as const) {
    it(`${what} is refused with an id that --force-unlock accepts, and only that id`, async () => {
      const dir = tempDir();
      planIn(dir);
      mkdirSync(join(dir, ".upgradec"), { recursive: true });
      writeFileSync(join(dir, ".upgradec", "lock"), content);
      const refused = captureIO(dir);
      expect(await runPlan({ plan: "plan.json" }, refused.io)).toBe(ExitCode.Locked);
      const id = /--force-unlock (damaged-[0-9a-f]{12})/.exec(refused.err())?.[1];
      expect(id, refused.err()).toBeDefined();
      expect(ran(dir)).toBe("");
      // Another id does not remove it.
      expect(await runPlan({ plan: "plan.json", forceUnlock: "damaged-000000000000" }, captureIO(dir).io)).toBe(ExitCode.Locked);
      expect(readFileSync(join(dir, ".upgradec", "lock"), "utf8")).toBe(content);
      const forced = captureIO(dir);
      expect(await runPlan({ plan: "plan.json", forceUnlock: id ?? "" }, forced.io)).toBe(ExitCode.Ok);
      expect(forced.err()).toContain("removed the damaged lock file");
      expect(ran(dir)).toBe("one\n");
      expect(existsSync(join(dir, ".upgradec", "lock"))).toBe(false);
    });
  }

  it("forcing a live lock held on another host names whose lock it removed (not a 'gone' pid)", async () => {
    const dir = tempDir();
    planIn(dir);
    mkdirSync(join(dir, ".upgradec"), { recursive: true });
    const lock: LockInfo = { id: "feed01", user: "rey", host: "deploy-2.example", pid: 4242, since: "2026-12-05T22:00:00.000Z", fingerprint: "x", command: "run" };
    writeFileSync(join(dir, ".upgradec", "lock"), JSON.stringify(lock));
    const forced = captureIO(dir);
    expect(await runPlan({ plan: "plan.json", forceUnlock: "feed01" }, forced.io)).toBe(ExitCode.Ok);
    expect(forced.err()).toContain("removed the lock of rey@deploy-2.example (pid 4242, upgradec run)");
    expect(forced.err()).not.toContain("gone");
  });
});

describe("status after a kill -9 of the runner (real processes)", () => {
  it("says the holder is gone and which commands still run; resume --kill-survivors stops them first", { timeout: 60_000 }, async () => {
    const dir = tempDir();
    writePlan(
      dir,
      makePlan({
        dir,
        hosts: [],
        services: [],
        // Slow the first time only: the second attempt, after resume, ends at once.
        steps: [step("long", { command: argv(["sh", "-c", 'echo begin >> ran.log; if [ ! -e long.pid ]; then echo $$ > long.pid; sleep 30; fi; echo end >> ran.log']) })],
      }),
    );
    const first = spawnCli(["run", "plan.json", "--skip-checks"], dir);
    await until(() => existsSync(join(dir, "long.pid")) && readFileSync(join(dir, "long.pid"), "utf8").endsWith("\n"));
    const runner = first.pid ?? 0;
    const stepPid = Number(readFileSync(join(dir, "long.pid"), "utf8").trim());
    first.kill("SIGKILL");
    await first;
    try {
      const status = await spawnCli(["status", "plan.json"], dir);
      expect(status.exitCode, status.stderr).toBe(ExitCode.Ok);
      expect(status.stdout).toContain(`pid ${runner}`);
      expect(status.stdout).toContain("that process is gone");
      expect(status.stdout).not.toContain("lock held by");
      expect(status.stdout).toMatch(new RegExp(`long \\(action\\): pid [0-9, ]*\\b${stepPid}\\b`));
      const json = JSON.parse((await spawnCli(["status", "plan.json", "--json"], dir)).stdout) as { holderGone: boolean; processes: { step: string; pids: number[] }[] };
      expect(json.holderGone).toBe(true);
      expect(json.processes.find((p) => p.step === "long")?.pids).toContain(stepPid);

      const resumed = await spawnCli(["resume", "plan.json", "--kill-survivors"], dir);
      expect(resumed.exitCode, resumed.stderr).toBe(ExitCode.Ok);
      expect(resumed.stderr).toContain("stopping them (--kill-survivors)");
      expect(running(stepPid)).toBe(false);
      // The survivor was stopped before the new attempt began: its "end" never came.
      expect(readFileSync(join(dir, "ran.log"), "utf8")).toBe("begin\nbegin\nend\n");
      expect(journalOf(dir).at(-1)?.type).toBe("run-finished");
    } finally {
      try {
        process.kill(-stepPid, "SIGKILL");
      } catch {
        // Stopped already.
      }
    }
  });
});

describe("any lock file content (property)", () => {
  it("is refused with a holder or a damaged-id, never throws, and --force-unlock with the id it names always clears it", async () => {
    const fc = await import("fast-check");
    const { acquireLock } = await import("../../src/runtime/lock.js");
    const dir = tempDir();
    const path = join(dir, "lock");
    const content = fc.oneof(
      fc.string(),
      fc.json(),
      fc.record({ id: fc.string(), user: fc.string(), host: fc.string(), pid: fc.oneof(fc.integer(), fc.string()), since: fc.string(), fingerprint: fc.string(), command: fc.string() }).map((r) => JSON.stringify(r)),
    );
    fc.assert(
      fc.property(content, (text) => {
        writeFileSync(path, text);
        const first = acquireLock({ path, user: "rey", fingerprint: "f", command: "run", now: 0 });
        if (first.ok) {
          // Only a lock of a gone holder on this host is taken over without asking.
          first.release();
          return;
        }
        const id = first.holder?.id ?? first.damagedId;
        expect(id, text).not.toBeNull();
        expect(readFileSync(path, "utf8")).toBe(text);
        const forced = acquireLock({ path, user: "rey", fingerprint: "f", command: "run", now: 0, forceUnlock: id ?? "" });
        expect(forced.ok, text).toBe(true);
        if (forced.ok) forced.release();
        expect(existsSync(path)).toBe(false);
      }),
      { numRuns: 60 },
    );
  });
});
