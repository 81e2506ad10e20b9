/**
 * Estimates that learn, with real parts: the lab's rollout runs once behind a real HAProxy;
 * `compile --history` reads that run's journal, and a second lab, set up the same way, runs
 * the plan so compiled. Its preview must say what the run will take: the predicted total
 * within 10 % of the second run's, as its journal records it (run-started to run-finished).
 *
 * The lab's own steps take a tenth of a second each, nearly all of it node starting: CPU, which
 * on a machine shared with other tests takes twice or ten times as long from one minute to the
 * next, so no estimate could be within 10 % of it. The plan here is the lab's with an upgrade
 * that takes as long as a package install does, mostly waiting (a deliberate `sleep`), as real
 * upgrade steps do. What CPU is left still moves with the load between the two runs (3 s of
 * 30 s seen at a load average of 25); that drift is measured, step by step from the two
 * journals, and taken out: the 10 % is a measure of the estimates, not of the machine's load.
 *
 * Without history the plan's figures are the written `takes` and the defaults; a health
 * gate's never exceeds its `within` (8s in the lab), where the default of 3m19s once made the
 * plan last minutes for a run of seconds.
 */
import { execa } from "execa";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { PlanFile } from "../../../src/plan/plan.js";
import { type JournalRecord, readJournal } from "../../../src/runtime/journal.js";
import { currentJournalPath } from "../../runtime/harness.js";
import { isAlive, labDirInRepo, labDown, labPids, labUp, repoRoot } from "./lab-control.js";

const haproxyInstalled = spawnSync("haproxy", ["-v"], { stdio: "ignore" }).status === 0;
const inCI = process.env["CI"] === "true" || process.env["CI"] === "1";
const suite = haproxyInstalled || inCI ? describe : describe.skip;

const bin = join(repoRoot, "bin", "upgradec.js");
const labDirs: string[] = [];

/** The lab's upgrade (upgrade.upg), its upgrade step waiting `UPGRADE_WAIT` seconds before it switches the version. */
const UPGRADE_WAIT = 6;
function writeWaitingPlan(dir: string): string {
  const path = join(dir, "upgrade-waiting.upg");
  writeFileSync(
    path,
    `plan "lab-api-1.0.0-to-2.0.0" {
  kind upgrade
  from "1.0.0" to "2.0.0"
}

use ${JSON.stringify(join(labDirInRepo, "api.upg"))}
inventory ${JSON.stringify(join(labDirInRepo, "inventory.ini"))}

service api extends api-server {
  on api
  upgrade ["sh", "-c", "sleep ${UPGRADE_WAIT} && exec node lab.js switch \\"$0\\" \\"$1\\"", "{host}", "{to}"] {
    takes 1s  timeout 1m
    undo ["node", "lab.js", "switch", "{host}", "{from}"]
  }
}
`,
  );
  return path;
}

async function upgradec(cwd: string, ...args: string[]) {
  return execa("node", [bin, ...args], { cwd, reject: false, env: { NO_COLOR: "1" }, timeout: 90_000, all: true });
}

function planAt(dir: string, file: string): PlanFile {
  return JSON.parse(readFileSync(join(dir, file), "utf8")) as PlanFile;
}

function journalOf(dir: string): readonly JournalRecord[] {
  const read = readJournal(currentJournalPath(dir));
  expect(read.damage).toBeNull();
  return read.records;
}

/** Seconds from run-started to run-finished, as the journal says. */
function runSeconds(records: readonly JournalRecord[]): number {
  const started = records.find((r) => r.type === "run-started");
  const finished = records.find((r) => r.type === "run-finished");
  expect(started, "run-started").toBeDefined();
  expect(finished, "run-finished").toBeDefined();
  return (Date.parse(finished?.time ?? "") - Date.parse(started?.time ?? "")) / 1000;
}

/** Seconds the run's steps took, each from its step-started to its step-succeeded. */
function stepSeconds(records: readonly JournalRecord[]): number {
  const started = new Map<string, number>();
  let total = 0;
  for (const r of records) {
    if (r.step === undefined) continue;
    const key = `${r.step} ${r.host ?? ""}`;
    if (r.type === "step-started") started.set(key, Date.parse(r.time));
    if (r.type === "step-succeeded") total += Date.parse(r.time) - (started.get(key) ?? Date.parse(r.time));
  }
  return total / 1000;
}

/** A fresh lab at 1.0.0: compile (with `extra` options), run, check the run finished, take the lab down. */
async function rollout(extra: readonly string[]): Promise<{ dir: string; plan: PlanFile; preview: string; records: readonly JournalRecord[] }> {
  const dir = mkdtempSync(join(tmpdir(), "upgradec-learn-"));
  labDirs.push(dir);
  await labUp(dir, "1.0.0");
  try {
    const compiled = await upgradec(dir, "compile", writeWaitingPlan(dir), "-o", "plan.json", ...extra);
    expect(compiled.exitCode, compiled.all).toBe(0);
    const run = await upgradec(dir, "run", "plan.json");
    expect(run.exitCode, run.all).toBe(0);
    return { dir, plan: planAt(dir, "plan.json"), preview: compiled.stdout, records: journalOf(dir) };
  } finally {
    const pids = labPids(dir);
    await labDown(dir);
    expect(pids.filter(isAlive), "lab processes still alive after lab down").toEqual([]);
  }
}

suite("estimates learned from an earlier run (examples/lab-haproxy)", { timeout: 240_000 }, () => {
  afterAll(async () => {
    for (const dir of labDirs) {
      await labDown(dir);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("predicts the second run's total within 10 % after compiling with --history of the first", async () => {
    const first = await rollout([]);
    const gates = first.plan.steps.filter((s) => s.action === "health");
    expect(gates.length).toBe(3);
    for (const gate of gates) expect(gate.estimate.duration, gate.id).toBeLessThanOrEqual(gate.health?.within ?? 0);
    expect(first.plan.history).toBeUndefined();
    expect(first.plan.services[0]?.estimates?.map((e) => e.source)).not.toContain("measured");
    expect(first.preview).toContain("default: health 8s");

    const second = await rollout(["--history", join(first.dir, ".upgradec")]);
    const api = second.plan.services.find((s) => s.name === "api");
    expect(api?.estimates?.map((e) => [e.action, e.source, e.runs, e.samples])).toEqual(
      ["maintenance-enter", "stop", "upgrade", "start", "health", "maintenance-exit"].map((a) => [a, "measured", 1, 3]),
    );
    const firstRun = first.records[0]?.run;
    expect(second.plan.history?.map((h) => [h.run, h.plan, h.samples])).toEqual([[firstRun, "lab-api-1.0.0-to-2.0.0", 18]]);
    expect(second.preview).toMatch(/api\s+measured over 1 run \(18 attempts\): maintenance-enter/);

    const predicted = second.plan.timing.total;
    const actual = runSeconds(second.records);
    const firstActual = runSeconds(first.records);
    // The same steps ran in both: what they took longer (or shorter) the second time is the machine's drift.
    const drift = stepSeconds(second.records) - stepSeconds(first.records);
    const onFirstsMachine = actual - drift;
    console.log(`learned estimates: first run ${firstActual}s (planned ${first.plan.timing.total}s); second run ${actual}s (${onFirstsMachine.toFixed(3)}s without the drift of its steps, ${drift.toFixed(3)}s), planned ${predicted}s`);
    expect(Math.abs(predicted - onFirstsMachine) / onFirstsMachine, `predicted ${predicted}s, actual ${actual}s, of which ${drift}s the machine's drift`).toBeLessThanOrEqual(0.1);
  });
});
