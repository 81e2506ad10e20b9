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
  // From the k-th begin on (k in `log.k`, chosen by the trial), a command that has slept holds
  // its end until the test lets it go (`log.go`): the k-th command is then alive whatever the
  // machine's speed, so the runner killed after it began is killed mid-run, and its resume finds
  // that command still running; a resume that did not wait for it would start a step beside it.
  const hold = `if [ ! -e "$1.go" ] && [ "$(grep -c '^B ' "$1")" -ge "$(cat "$1.k")" ]; then while [ ! -e "$1.go" ]; do sleep 0.02; done; fi`;
  const body = (id: string, sleep: string) =>
    argv(["sh", "-c", `echo "B $0 $(date +%s%N)" >> "$1"; sleep ${sleep}; ${hold}; echo "E $0 $(date +%s%N)" >> "$1"; touch "$1.$0.done"`, id, log], {
      // Far beyond the test's own wait: a resume that starts late on a loaded machine must still
      // meet the held command within its timeout (past it, the resume would stop it instead).
      timeout: 120,
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

interface LogLine {
  readonly kind: string;
  readonly id: string;
  readonly at: bigint;
}

function logLines(dir: string): LogLine[] {
  const path = join(dir, "log");
  if (!existsSync(path)) return [];
  const out: LogLine[] = [];
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const [kind, id, at] = line.split(" ");
    if (kind === undefined || id === undefined || at === undefined) continue;
    out.push({ kind, id, at: BigInt(at) });
  }
  return out;
}

function attempts(lines: readonly LogLine[]): Map<string, Attempt[]> {
  const out = new Map<string, Attempt[]>();
  for (const { kind, id, at } of lines) {
    const list = out.get(id) ?? [];
    if (kind === "B") list.push({ begin: at, end: null });
    else {
      // An end belongs to the attempt of its step that began last and has not ended.
      const open = [...list].reverse().find((a) => a.end === null);
      if (open) list[list.indexOf(open)] = { ...open, end: at };
    }
    out.set(id, list);
  }
  return out;
}

function begins(dir: string): number {
  return logLines(dir).filter((l) => l.kind === "B").length;
}

async function until(done: () => boolean): Promise<void> {
  const end = Date.now() + 60_000;
  while (!done() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
}

/** What one trial saw: the log when the runner had died (before any held command was let go), and the resume's output. */
interface Trial {
  readonly atKill: readonly LogLine[];
  readonly resumeStderr: string;
}

/**
 * kill -9 of the runner once the k-th step began (k random in 1..4; then 0–400 ms more), then
 * at once `resume`, until the run finishes. The k-th command holds its end, so the kill is
 * always mid-run and the resume always meets a command of the killed runner.
 */
async function killAndResume(dir: string, trial: number): Promise<Trial> {
  const k = 1 + Math.floor(Math.random() * 4);
  writeFileSync(join(dir, "log.k"), `${k}\n`);
  try {
    const child = spawnBin(["run", "plan.json", "--skip-checks"], dir);
    let running = true;
    void child.finally(() => (running = false));
    await until(() => begins(dir) >= k || !running);
    await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 400)));
    child.kill("SIGKILL");
    const first = await child;
    const atKill = logLines(dir);
    expect(first.signal, `trial ${trial} (${dir}): the runner ended before the kill, after step ${k} began: ${first.stderr}`).toBe("SIGKILL");
    const resume = spawnBin(["resume", "plan.json"], dir);
    let ended = false;
    void resume.finally(() => (ended = true));
    let stderr = "";
    resume.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    // Let the held commands end once the resume says it waits for them, starts a command of its
    // own (the log then shows whether that overlapped one still held), or has ended.
    await until(() => ended || stderr.includes("still running") || begins(dir) > atKill.filter((l) => l.kind === "B").length);
    writeFileSync(join(dir, "log.go"), "");
    const next = await resume;
    expect(next.exitCode, `trial ${trial} (${dir}): resume: ${next.stderr}`).toBe(ExitCode.Ok);
    return { atKill, resumeStderr: next.stderr };
  } finally {
    // Whatever failed, no held command outlives the trial.
    writeFileSync(join(dir, "log.go"), "");
  }
}

function show(lines: readonly LogLine[]): string {
  return lines.map((l) => `  ${l.kind} ${l.id} ${l.at}`).join("\n");
}

/**
 * What must hold in every trial, given what it saw: no two attempts of a step overlap, none is
 * lost, the resume waited for the killed runner's commands (at least the k-th, held) and
 * began nothing before the last of them ended.
 */
function assertTrial(dir: string, plan: PlanFile, trial: number, seen: Trial, exactlyOnce: boolean): void {
  const lines = logLines(dir);
  const all = attempts(lines);
  const where = `trial ${trial} (${dir}); log at the kill:\n${show(seen.atKill)}\nlog:\n${show(lines)}\nresume:\n${seen.resumeStderr}\n`;
  for (const s of plan.steps) {
    const list = all.get(s.id) ?? [];
    // None lost: the last attempt ran to its end.
    expect(list.length, `trial ${trial} (${dir}): ${s.id} never ran`).toBeGreaterThanOrEqual(1);
    expect(list.at(-1)?.end, `trial ${trial} (${dir}): ${s.id}'s last attempt did not end`).not.toBeNull();
    // No two attempts overlap: each begins after the one before it ended.
    for (let i = 1; i < list.length; i++) {
      const before = list[i - 1] as Attempt;
      const now = list[i] as Attempt;
      expect(before.end !== null && before.end < now.begin, `${where}two attempts of ${s.id} overlap`).toBe(true);
    }
    if (exactlyOnce) expect(list.length, `trial ${trial} (${dir}): ${s.id} ran ${list.length} times despite its done-check`).toBe(1);
  }
  // The killed runner's commands: begun before the kill, not ended by then.
  const killedBegins = seen.atKill.filter((l) => l.kind === "B").length;
  const openAtKill = [...attempts(seen.atKill)].flatMap(([id, list]) => list.filter((a) => a.end === null).map((a) => ({ id, begin: a.begin })));
  expect(openAtKill.length, `trial ${trial} (${dir}): no command of the killed runner was running`).toBeGreaterThanOrEqual(1);
  expect(seen.resumeStderr, `${where}the resume did not wait for the killed runner's commands`).toContain("still running");
  // Nothing the resume began, of any step, began before the last of them ended.
  const lastEnd = openAtKill
    .map((o) => (all.get(o.id) ?? []).find((a) => a.begin === o.begin)?.end ?? null)
    .reduce<bigint>((max, end) => (end !== null && end > max ? end : max), 0n);
  const resumed = lines.filter((l) => l.kind === "B").slice(killedBegins);
  for (const b of resumed) expect(b.at > lastEnd, `${where}the resume began ${b.id} while a command of the killed runner still ran`).toBe(true);
  expect(journalOf(dir).at(-1)?.type).toBe("run-finished");
}

/** `count` trials, four at a time (each in its own directory), each asserted on its own. */
async function trials(count: number, doneCheck: boolean): Promise<void> {
  const one = async (trial: number): Promise<void> => {
    const dir = tempDir();
    const plan = sleepyPlan(dir, doneCheck);
    writePlan(dir, plan);
    assertTrial(dir, plan, trial, await killAndResume(dir, trial), doneCheck);
  };
  for (let first = 0; first < count; first += 4) {
    // Every trial of the four ends (and lets its held commands go) before a failure is reported.
    const settled = await Promise.allSettled([0, 1, 2, 3].filter((k) => first + k < count).map((k) => one(first + k)));
    const failed = settled.find((r) => r.status === "rejected");
    if (failed) throw failed.reason;
  }
}

// Each trial waits on progress, not time: under a load average of 30 the 20 trials took 140 s.
describe("kill -9 of the runner mid-run, then an immediate resume (real processes)", () => {
  it("waits for the killed runner's commands, never starts an attempt of a step while an earlier one still runs, and loses none (20 trials)", { timeout: 400_000 }, async () => {
    await trials(20, false);
  });

  it("with done-checks, runs every step exactly once (20 trials)", { timeout: 400_000 }, async () => {
    await trials(20, true);
  });
});
