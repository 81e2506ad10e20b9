/**
 * The journal's cost per step: the directory against PostgreSQL, on the no-op rollout of
 * 200 hosts × 5 steps (each host's chain stop → upgrade → start → check → done, every
 * command `true`), parallelism 16. PostgreSQL is a throwaway local 15 cluster with fsync
 * on (test/runtime/store/pg-cluster.ts), so both stores make every commit durable.
 *
 *   npx tsx bench/state-store.ts [hosts] [rounds]
 *
 * Prints, per store, the whole run's time per step and, measured apart from the commands,
 * the journal alone per step (the records a step makes, committed as the scheduler does).
 *
 * Measured (2 shared cores, 3 rounds, medians): whole run 20.2 s on the directory, 19.9 s on
 * PostgreSQL (the journal is not what bounds it); the journal alone 164 µs/step on the
 * directory, 2,162 µs/step on PostgreSQL (13x: a fenced transaction per group commit
 * against one fsync).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { ExitCode } from "../src/cli/exit-codes.js";
import { runPlan } from "../src/cli/session.js";
import type { PlanStep } from "../src/plan/plan.js";
import { statePaths } from "../src/runtime/state-dir.js";
import { DirectoryStore } from "../src/runtime/store/directory-store.js";
import { PgStore } from "../src/runtime/store/pg-store.js";
import type { StateStore } from "../src/runtime/store/state-store.js";
import { argv, host, makePlan, step, writePlan } from "../test/support/plan-builder.js";
import { startCluster } from "../test/runtime/store/pg-cluster.js";

const hostCount = Number(process.argv[2] ?? 200);
const rounds = Number(process.argv[3] ?? 3);
const ACTIONS = ["stop", "upgrade", "start", "check", "done"] as const;
const steps = hostCount * ACTIONS.length;

function rolloutSteps(): PlanStep[] {
  const out: PlanStep[] = [];
  for (let h = 0; h < hostCount; h++) {
    const name = `cmp${String(h).padStart(3, "0")}`;
    ACTIONS.forEach((action, i) => {
      out.push(step(`cmp/${name}/${action}`, { command: argv(["true"]), hosts: [name], after: i === 0 ? [] : [`cmp/${name}/${ACTIONS[i - 1] ?? ""}`], estimate: { start: i, duration: 1 } }));
    });
  }
  return out;
}

async function wholeRun(state: string | undefined): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "upgradec-bench-"));
  try {
    const hosts = Array.from({ length: hostCount }, (_, h) => host(`cmp${String(h).padStart(3, "0")}`));
    writePlan(dir, makePlan({ dir, name: `bench-${Math.random().toString(36).slice(2, 8)}`, hosts, services: [], steps: rolloutSteps(), parallelism: 16 }));
    const sink = new PassThrough();
    sink.resume();
    const started = performance.now();
    const code = await runPlan({ plan: "plan.json", ...(state !== undefined ? { state } : {}) }, { stdout: sink, stderr: sink, cwd: dir, env: { ...process.env, UPGRADEC_LOCAL_STATE: join(dir, "local") } });
    if (code !== ExitCode.Ok) throw new Error(`the run exited ${code}`);
    return performance.now() - started;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The records `steps` steps make (started, succeeded), 16 at a time, one commit per turn as the scheduler groups them. */
async function journalOnly(store: StateStore, plan: string): Promise<number> {
  const lock = await store.lock({ user: "bench", fingerprint: "f", command: "run", now: Date.now() });
  if (!lock.ok) throw new Error(lock.reason);
  const journal = await store.openJournal(`20261205T000000Z-${Math.random().toString(16).slice(2, 8)}`, null, (t) => t);
  journal.record({ type: "run-started", plan, fingerprint: "f", digest: "d" });
  await journal.mark();
  const started = performance.now();
  for (let i = 0; i < steps; i += 16) {
    const batch = Array.from({ length: Math.min(16, steps - i) }, (_, k) => `s${i + k}`);
    for (const s of batch) journal.record({ type: "step-started", step: s, attempt: 1 });
    await journal.commit();
    for (const s of batch) journal.record({ type: "step-succeeded", step: s, attempt: 1 });
    await journal.commit();
  }
  const elapsed = performance.now() - started;
  await journal.close();
  await lock.release();
  return elapsed;
}

const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? 0;
const perStep = (ms: number): string => `${((ms * 1000) / steps).toFixed(0)} µs/step`;

const cluster = await startCluster({ fsync: true });
try {
  cluster.createDatabase("bench");
  const url = cluster.url("bench");
  const stateDir = mkdtempSync(join(tmpdir(), "upgradec-bench-state-"));
  const results = { dirRun: [] as number[], pgRun: [] as number[], dirJournal: [] as number[], pgJournal: [] as number[] };
  await wholeRun(undefined);
  for (let r = 0; r < rounds; r++) {
    results.dirRun.push(await wholeRun(undefined));
    results.pgRun.push(await wholeRun(url));
    const plan = `journal-${r}`;
    results.dirJournal.push(await journalOnly(new DirectoryStore(statePaths(stateDir, plan), plan, () => Date.now()), plan));
    const pg = await PgStore.open({ url, planName: plan, now: () => Date.now(), leaseSeconds: 30, localRoot: join(stateDir, "local"), say: () => undefined });
    try {
      results.pgJournal.push(await journalOnly(pg, plan));
    } finally {
      await pg.close();
    }
  }
  rmSync(stateDir, { recursive: true, force: true });
  console.log(`no-op rollout: ${hostCount} hosts × ${ACTIONS.length} steps = ${steps} steps, parallelism 16, ${rounds} rounds (medians)`);
  console.log(`  whole run, directory:   ${(median(results.dirRun) / 1000).toFixed(2)} s  ${perStep(median(results.dirRun))}`);
  console.log(`  whole run, PostgreSQL:  ${(median(results.pgRun) / 1000).toFixed(2)} s  ${perStep(median(results.pgRun))}`);
  console.log(`  journal only, directory:  ${perStep(median(results.dirJournal))}  (2 records and 2 group commits per 16 steps, fsync)`);
  console.log(`  journal only, PostgreSQL: ${perStep(median(results.pgJournal))}  (the same, each commit one fenced transaction)`);
  console.log(`  PostgreSQL / directory: whole run ${(median(results.pgRun) / median(results.dirRun)).toFixed(2)}x, journal ${(median(results.pgJournal) / median(results.dirJournal)).toFixed(2)}x`);
} finally {
  await cluster.destroy();
}
