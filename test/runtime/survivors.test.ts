import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ExitCode } from "../../src/cli/exit-codes.js";
import type { PlanFile } from "../../src/plan/plan.js";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { journalOf } from "./harness.js";
import { argv, makePlan, step, writePlan } from "../support/plan-builder.js";
import { tempDir } from "../support/temp-dir.js";

const BIN = join(fileURLToPath(import.meta.url), "..", "..", "..", "bin", "upgradec.js");

/** The built CLI (`npm run build`): it starts in a fraction of the time the steps sleep, as an operator's resume would. */
function spawnBin(args: readonly string[], cwd: string) {
  return execa(process.execPath, [BIN, ...args], { reject: false, cwd });
}

/**
 * Four steps in two chains, each sleeping 0.3–1 s and appending "B id nanos" and
 * "E id nanos" to `log`. With `doneCheck`, each step's done-check looks for the file its
 * command touches at its very end.
 */
function sleepyPlan(dir: string, doneCheck: boolean): PlanFile {
  const log = join(dir, "log");
  // Once the runner is (about to be) killed, a command that has slept holds its end until the
  // test sees the resume holding the lock: a resume that did not wait for it would start the
  // step again beside it, however slowly the CLI starts on a busy machine.
  const hold = `if [ -e "$1.killed" ]; then while [ ! -e "$1.go" ]; do sleep 0.02; done; fi`;
  const body = (id: string, sleep: string) =>
    argv(["sh", "-c", `echo "B $0 $(date +%s%N)" >> "$1"; sleep ${sleep}; ${hold}; echo "E $0 $(date +%s%N)" >> "$1"; touch "$1.$0.done"`, id, log], {
      timeout: 20,
      grace: 2,
    });
  const done = (id: string) => (doneCheck ? { done: argv(["test", "-e", `${log}.${id}.done`]) } : {});
  return makePlan({
    dir,
    hosts: [],
    services: [],
    parallelism: 2,
    steps: [
      step("a1", { command: body("a1", "0.8"), ...done("a1") }),
      step("a2", { command: body("a2", "0.5"), after: ["a1"], ...done("a2") }),
      step("b1", { command: body("b1", "1"), ...done("b1") }),
      step("b2", { command: body("b2", "0.3"), after: ["b1"], ...done("b2") }),
    ],
  });
}

interface Attempt {
  readonly begin: bigint;
  readonly end: bigint | null;
}

function attempts(dir: string): Map<string, Attempt[]> {
  const out = new Map<string, Attempt[]>();
  const path = join(dir, "log");
  if (!existsSync(path)) return out;
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const [kind, id, at] = line.split(" ");
    if (id === undefined || at === undefined) continue;
    const list = out.get(id) ?? [];
    if (kind === "B") list.push({ begin: BigInt(at), end: null });
    else {
      // An end belongs to the attempt of its step that began last and has not ended.
      const open = [...list].reverse().find((a) => a.end === null);
      if (open) list[list.indexOf(open)] = { ...open, end: BigInt(at) };
    }
    out.set(id, list);
  }
  return out;
}

function begins(dir: string): number {
  const path = join(dir, "log");
  return existsSync(path) ? readFileSync(path, "utf8").split("\n").filter((l) => l.startsWith("B ")).length : 0;
}

/** Until `n` attempts have begun (or the run ended). */
async function waitForBegins(dir: string, n: number, running: () => boolean): Promise<void> {
  const end = Date.now() + 30_000;
  while (begins(dir) < n && running() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
}

/** kill -9 of the runner at a random moment while steps sleep, then at once `resume`, until the run finishes. */
async function killAndResume(dir: string, trial: number): Promise<{ killed: boolean; waited: boolean }> {
  const child = spawnBin(["run", "plan.json", "--skip-checks"], dir);
  let running = true;
  void child.finally(() => (running = false));
  // A random moment while steps sleep: after the first to fourth step began, 0-400 ms in.
  await waitForBegins(dir, 1 + Math.floor(Math.random() * 4), () => running);
  const timer = setTimeout(() => {
    writeFileSync(join(dir, "log.killed"), "");
    child.kill("SIGKILL");
  }, Math.floor(Math.random() * 400));
  const first = await child;
  clearTimeout(timer);
  if (first.signal !== "SIGKILL") {
    writeFileSync(join(dir, "log.go"), "");
    expect(first.exitCode, first.stderr).toBe(ExitCode.Ok);
    return { killed: false, waited: false };
  }
  const resume = spawnBin(["resume", "plan.json"], dir);
  let ended = false;
  void resume.finally(() => (ended = true));
  // Let the held commands end once the resume holds the lock (or has ended).
  const holder = (): number | null => {
    try {
      return (JSON.parse(readFileSync(join(dir, ".upgradec", "lock"), "utf8")) as { pid: number }).pid;
    } catch {
      return null;
    }
  };
  while (!ended && holder() !== resume.pid) await new Promise((r) => setTimeout(r, 10));
  writeFileSync(join(dir, "log.go"), "");
  const next = await resume;
  expect(next.exitCode, `trial ${trial} (${dir}): resume: ${next.stderr}`).toBe(ExitCode.Ok);
  return { killed: true, waited: next.stderr.includes("still running") };
}

function assertNoOverlapNoneLost(dir: string, plan: PlanFile, trial: number, exactlyOnce: boolean): number {
  const all = attempts(dir);
  let doubles = 0;
  for (const s of plan.steps) {
    const list = all.get(s.id) ?? [];
    // None lost: the last attempt ran to its end.
    expect(list.length, `trial ${trial} (${dir}): ${s.id} never ran`).toBeGreaterThanOrEqual(1);
    expect(list.at(-1)?.end, `trial ${trial} (${dir}): ${s.id}'s last attempt did not end`).not.toBeNull();
    // No two attempts overlap: each begins after the one before it ended.
    for (let i = 1; i < list.length; i++) {
      const before = list[i - 1] as Attempt;
      const now = list[i] as Attempt;
      expect(before.end !== null && before.end < now.begin, `trial ${trial} (${dir}): two attempts of ${s.id} overlap`).toBe(true);
    }
    if (list.length > 1) doubles += 1;
    if (exactlyOnce) expect(list.length, `trial ${trial} (${dir}): ${s.id} ran ${list.length} times despite its done-check`).toBe(1);
  }
  expect(journalOf(dir).at(-1)?.type).toBe("run-finished");
  return doubles;
}

/** `trials` trials, four at a time (each in its own directory), with their counts. */
async function trials(count: number, doneCheck: boolean): Promise<{ killed: number; waited: number; doubles: number }> {
  const totals = { killed: 0, waited: 0, doubles: 0 };
  const one = async (trial: number): Promise<void> => {
    const dir = tempDir();
    const plan = sleepyPlan(dir, doneCheck);
    writePlan(dir, plan);
    const { killed, waited } = await killAndResume(dir, trial);
    if (killed) totals.killed += 1;
    if (waited) totals.waited += 1;
    totals.doubles += assertNoOverlapNoneLost(dir, plan, trial, doneCheck);
  };
  for (let first = 0; first < count; first += 4) {
    await Promise.all([0, 1, 2, 3].filter((k) => first + k < count).map((k) => one(first + k)));
  }
  return totals;
}

describe("kill -9 of the runner, then an immediate resume (real processes)", () => {
  it("never starts an attempt of a step while an earlier one still runs, and loses none (20 trials)", { timeout: 180_000 }, async () => {
    const { killed, waited } = await trials(20, false);
    expect(killed).toBeGreaterThanOrEqual(15);
    // The resumes did find commands of the killed runner still running, and waited for them.
    expect(waited).toBeGreaterThanOrEqual(5);
  });

  it("with done-checks, runs every step exactly once (20 trials, 0 doubles)", { timeout: 180_000 }, async () => {
    const { killed, waited, doubles } = await trials(20, true);
    expect(killed).toBeGreaterThanOrEqual(15);
    expect(waited).toBeGreaterThanOrEqual(5);
    expect(doubles).toBe(0);
  });
});
