/**
 * The runtime on a PostgreSQL state, as operators meet it: the CLI as processes against a
 * real PostgreSQL 15 (pg-cluster.ts). Asserts on the journal in the database, the steps' own
 * begin/end log and exit codes.
 */
import { cpSync, existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExitCode } from "../../../src/cli/exit-codes.js";
import type { PlanFile } from "../../../src/plan/plan.js";
import type { JournalRecord } from "../../../src/runtime/journal.js";
import { PgStore } from "../../../src/runtime/store/pg-store.js";
import { interrupted, journalOf as journalOfDir, readStepLog, spawnCli, type StepLogLine } from "../harness.js";
import { argv, host, makePlan, rollingSteps, writePlan } from "../../support/plan-builder.js";
import { tempDir } from "../../support/temp-dir.js";
import { type PgCluster, requirePostgres, startCluster } from "./pg-cluster.js";

const enabled = requirePostgres();

/** Steps that log "B step host ns" and "E step host ns" to `log`, each with a timeout of `timeout` s and 1 s of grace. */
function workPlan(dir: string, name: string, sleep: string, timeout = 2): PlanFile {
  const log = join(dir, "log");
  const { steps, services } = rollingSteps(
    [
      { name: "api", hosts: ["a1", "a2"], batches: [1, 1], maxUnavailable: 1 },
      { name: "cmp", hosts: ["c1", "c2", "c3", "c4"], batches: [1, 3], maxUnavailable: 2, after: ["api"] },
    ],
    (id, h) => argv(["sh", "-c", `echo "B $0 $1 $(date +%s%N)" >> "$2"; sleep ${sleep}; echo "E $0 $1 $(date +%s%N)" >> "$2"; echo "$0 ran"`, id, h ?? "-", log], { timeout, grace: 1 }),
  );
  const hosts = ["a1", "a2", "c1", "c2", "c3", "c4"].map((h) => host(h));
  return makePlan({ dir, name, hosts, services, steps, parallelism: 3 });
}

/** No two attempts of one step overlap: per step, by time, B and E alternate. Returns the attempts per step. */
function checkNoOverlap(lines: readonly StepLogLine[]): Map<string, number> {
  const byStep = new Map<string, StepLogLine[]>();
  for (const l of lines) byStep.set(l.step, [...(byStep.get(l.step) ?? []), l]);
  const attempts = new Map<string, number>();
  for (const [step, ls] of byStep) {
    const sorted = [...ls].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    sorted.forEach((l, i) => expect(l.kind, `${step}: attempts overlap: ${sorted.map((x) => `${x.kind}@${x.at}`).join(" ")}`).toBe(i % 2 === 0 ? "B" : "E"));
    attempts.set(step, sorted.filter((l) => l.kind === "B").length);
  }
  return attempts;
}

async function journalIn(url: string, plan: string): Promise<JournalRecord[]> {
  const store = await PgStore.open({ url, planName: plan, now: () => Date.now(), leaseSeconds: 30, localRoot: "/tmp/upgradec-test-attempts", say: () => undefined });
  try {
    const current = await store.currentRun();
    if (current.kind === "damaged") throw new Error(`damaged: ${current.reason}`);
    return current.kind === "run" ? [...current.read.records] : [];
  } finally {
    await store.close();
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: () => boolean, ms: number): Promise<void> {
  const began = Date.now();
  while (!what() && Date.now() - began < ms) await sleep(10);
}

describe.runIf(enabled)("a run's state in PostgreSQL (real processes)", () => {
  let cluster: PgCluster;
  let db = 0;
  beforeAll(async () => {
    cluster = await startCluster();
  }, 60_000);
  afterAll(async () => {
    await cluster.destroy();
  });
  const freshDb = (): string => {
    const name = `rt${++db}`;
    cluster.createDatabase(name);
    return cluster.url(name);
  };
  /** The environment of a runner on its own deployment host: its own registry of running commands. */
  const hostEnv = (url: string, hostName: string, extra: Record<string, string> = {}): Record<string, string> => ({
    UPGRADEC_STATE: url,
    UPGRADEC_LOCAL_STATE: join(tempDir("upgradec-host-"), hostName),
    ...extra,
  });

  it("runs a plan, and status and verify answer from another directory with only the URL", { timeout: 120_000 }, async () => {
    const url = freshDb();
    const dir = tempDir();
    writePlan(dir, workPlan(dir, "cloud", "0"));
    const run = await spawnCli(["run", "plan.json", "--skip-checks", "--state", url], dir);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(existsSync(join(dir, ".upgradec"))).toBe(false);
    const records = await journalIn(url, "cloud");
    expect(records.at(-1)?.type).toBe("run-finished");
    expect(records.filter((r) => r.type === "step-succeeded")).toHaveLength(22);
    // Another machine: a copy of the plan and its sources, no state beside it.
    const elsewhere = tempDir();
    for (const f of ["plan.json", "cloud.upg"]) cpSync(join(dir, f), join(elsewhere, f));
    const status = await spawnCli(["status", "plan.json", "--json"], elsewhere, { UPGRADEC_STATE: url });
    expect(status.exitCode, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ phase: "finished" });
    const verify = await spawnCli(["verify", "plan.json", "--format", "json"], elsewhere, { UPGRADEC_STATE: url });
    expect(verify.exitCode, verify.stderr + verify.stdout).toBe(0);
    expect(existsSync(join(elsewhere, ".upgradec"))).toBe(false);
  });

  it("refuses a second operator's run of the same plan, naming the holder (exit 6)", { timeout: 120_000 }, async () => {
    const url = freshDb();
    const dir = tempDir();
    writePlan(dir, workPlan(dir, "cloud", "0.3"));
    const first = spawnCli(["run", "plan.json", "--skip-checks"], dir, hostEnv(url, "deploy1"));
    await waitFor(() => existsSync(join(dir, "log")), 30_000);
    const other = tempDir();
    for (const f of ["plan.json", "cloud.upg"]) cpSync(join(dir, f), join(other, f));
    const second = await spawnCli(["run", "plan.json", "--skip-checks"], other, hostEnv(url, "deploy2"));
    expect(second.exitCode, second.stderr).toBe(ExitCode.Locked);
    expect(second.stderr).toContain("UPG0801");
    expect(second.stderr).toMatch(new RegExp(`locked by \\S+@\\S+ \\(pid ${first.pid ?? 0}, upgradec run\\)`));
    expect((await first).exitCode).toBe(0);
    expect(checkNoOverlap(readStepLog(dir)).size).toBe(22);
  });

  it("runs two plans in one database side by side, neither blocking the other", { timeout: 120_000 }, async () => {
    const url = freshDb();
    const dirs = [tempDir(), tempDir()];
    const names = ["alpha", "beta"];
    dirs.forEach((d, i) => writePlan(d, workPlan(d, names[i] ?? "", "0.2")));
    const runs = await Promise.all(dirs.map((d) => spawnCli(["run", "plan.json", "--skip-checks"], d, hostEnv(url, "deploy"))));
    for (const r of runs) expect(r.exitCode, r.stderr).toBe(0);
    const spans = dirs.map((d) => {
      const ls = readStepLog(d);
      return { from: ls[0]?.at ?? 0n, to: ls.at(-1)?.at ?? 0n };
    });
    // They ran at the same time, not one after the other.
    expect(spans[0]!.from < spans[1]!.to && spans[1]!.from < spans[0]!.to).toBe(true);
    for (const n of names) expect((await journalIn(url, n)).at(-1)?.type).toBe("run-finished");
  });

  it("waits for PostgreSQL restarted mid-run, reconnects and goes on, losing nothing", { timeout: 180_000 }, async () => {
    const url = freshDb();
    const dir = tempDir();
    writePlan(dir, workPlan(dir, "cloud", "0.2", 30));
    const run = spawnCli(["run", "plan.json", "--skip-checks"], dir, hostEnv(url, "deploy1"));
    await waitFor(() => readStepLog(dir).length >= 4, 30_000);
    await cluster.stop();
    await sleep(2500);
    await cluster.start();
    const done = await run;
    expect(done.exitCode, done.stderr).toBe(0);
    expect(done.stderr).toContain("cannot be reached");
    const attempts = checkNoOverlap(readStepLog(dir));
    expect(attempts.size).toBe(22);
    for (const [step, n] of attempts) expect(n, step).toBe(1);
    const records = await journalIn(url, "cloud");
    expect(records.map((r) => r.seq)).toEqual(records.map((_, i) => i + 1));
    expect(records.filter((r) => r.type === "step-succeeded")).toHaveLength(22);
    expect(records.at(-1)?.type).toBe("run-finished");
  });

  it("moves a run from a directory to the database and back (state push / pull), records verbatim", { timeout: 120_000 }, async () => {
    const url = freshDb();
    const dir = tempDir();
    writePlan(dir, workPlan(dir, "cloud", "0"));
    const run = await spawnCli(["run", "plan.json", "--skip-checks", "--only", "api/precheck"], dir);
    expect(run.exitCode, run.stderr).toBe(0);
    const local = journalOfDir(dir);
    const push = await spawnCli(["state", "push", "plan.json", "--state", url], dir);
    expect(push.exitCode, push.stderr).toBe(0);
    const inDb = await journalIn(url, "cloud");
    expect(inDb).toEqual(local);
    // A second push finds the same run there: it is copied again, not doubled.
    expect((await spawnCli(["state", "push", "plan.json", "--state", url], dir)).exitCode).toBe(0);
    expect(await journalIn(url, "cloud")).toEqual(local);
    const elsewhere = tempDir();
    for (const f of ["plan.json", "cloud.upg"]) cpSync(join(dir, f), join(elsewhere, f));
    const pull = await spawnCli(["state", "pull", "plan.json", "--dir", "st"], elsewhere, { UPGRADEC_STATE: url });
    expect(pull.exitCode, pull.stderr).toBe(0);
    expect(journalOfDir(elsewhere, "st")).toEqual(local);
    const status = await spawnCli(["status", "plan.json", "--state", "st", "--json"], elsewhere);
    expect(status.exitCode, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ phase: "finished" });
    // The step's log came along.
    expect(readdirSync(join(elsewhere, "st", "runs", local[0]?.run ?? "", "logs"))).toContain("api~precheck.log");
  });

  it("refuses a database URL with a password in it (exit 2), and writes nothing", { timeout: 60_000 }, async () => {
    const dir = tempDir();
    writePlan(dir, workPlan(dir, "cloud", "0"));
    const run = await spawnCli(["run", "plan.json", "--skip-checks", "--state", cluster.url("postgres").replace("upgradec@", "upgradec:hunter2@")], dir);
    expect(run.exitCode).toBe(ExitCode.Usage);
    expect(run.stderr).toContain("PGPASSWORD");
    expect(run.stderr).not.toContain("hunter2");
    expect(existsSync(join(dir, "log"))).toBe(false);
  });

  it("kill -9 of the active runner at random moments: a standby takes over; no step lost, no attempts overlapping (20 trials)", { timeout: 1_200_000 }, async () => {
    let tookOver = 0;
    let waitedInFlight = 0;
    for (let trial = 0; trial < 20; trial++) {
      const url = freshDb();
      const dir = tempDir();
      writePlan(dir, workPlan(dir, "cloud", "0.0" + String(2 + (trial % 5))));
      const env = { UPGRADEC_LEASE: "1" };
      const active = spawnCli(["run", "plan.json", "--skip-checks"], dir, hostEnv(url, "deploy1", env));
      let ended = false;
      void active.finally(() => (ended = true)).catch(() => undefined);
      await waitFor(() => ended || existsSync(join(dir, "log")), 30_000);
      // The standby: another deployment host (its own registry of commands) with a copy of the plan.
      const standbyDir = join(tempDir(), "standby");
      mkdirSync(standbyDir);
      for (const f of ["plan.json", "cloud.upg"]) cpSync(join(dir, f), join(standbyDir, f));
      const standby = spawnCli(["run", "plan.json", "--skip-checks", "--standby"], standbyDir, hostEnv(url, "deploy2", env));
      // A random moment inside the run, whatever the machine's speed: after the k-th of 22 steps
      // began (k in 1..20), plus up to 10 ms, while that step is likely still in flight.
      const k = 1 + Math.floor(Math.random() * 20);
      await waitFor(() => ended || readStepLog(dir).filter((l) => l.kind === "B").length >= k, 60_000);
      await sleep(Math.floor(Math.random() * 10));
      active.kill("SIGKILL");
      const first = await active;
      const second = await standby;
      const records = await journalIn(url, "cloud");
      if (first.signal === "SIGKILL") {
        expect(second.exitCode, `trial ${trial}: ${second.stderr}`).toBe(0);
        // Killed before it wrote the end of its run: the standby must take the run over, not start another.
        const resumedAt = records.findIndex((r) => r.type === "run-resumed");
        const firstFinished = (resumedAt < 0 ? records : records.slice(0, resumedAt)).some((r) => r.type === "run-finished");
        if (!firstFinished) expect(second.stderr, `trial ${trial}: killed mid-run (after step ${k} began) but not taken over`).toContain("taking over run");
        if (second.stderr.includes("taking over run")) tookOver += 1;
        if (/in flight on the lost runner: \S/.test(second.stderr)) waitedInFlight += 1;
      } else {
        expect(first.exitCode, first.stderr).toBe(0);
      }
      // Orphans of the killed runner finish their step (a short sleep).
      await sleep(200);
      const attempts = checkNoOverlap(readStepLog(dir));
      expect(attempts.size, `trial ${trial}: every step ran`).toBe(22);
      expect(records.at(-1)?.type, `trial ${trial}`).toBe("run-finished");
      const twice = [...attempts].filter(([, n]) => n > 1).map(([s]) => s);
      const wasInFlight = interrupted(records.slice(0, records.findIndex((r) => r.type === "run-resumed") + 1 || records.length));
      for (const s of twice) expect(wasInFlight.has(s), `trial ${trial}: ${s} ran twice without being in flight`).toBe(true);
    }
    expect(tookOver).toBeGreaterThanOrEqual(15);
    expect(waitedInFlight).toBeGreaterThanOrEqual(5);
  });
});
