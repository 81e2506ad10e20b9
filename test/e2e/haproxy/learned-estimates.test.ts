/**
 * Estimates that learn, with real parts: the lab's rollout runs once behind a real HAProxy;
 * `compile --history` reads that run's journal, and a second lab, set up the same way, runs
 * the plan so compiled. Its preview must say what the run will take: the predicted total
 * within 10 % of the second run's, as its journal records it (run-started to run-finished).
 *
 * Without history the plan's figures are the written `takes` and the defaults; a health
 * gate's never exceeds its `within` (8s in the lab), where the default of 3m19s once made the
 * plan last minutes for a run of seconds.
 */
import { execa } from "execa";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
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

/** A fresh lab at 1.0.0: compile (with `extra` options), run, check the run finished, take the lab down. */
async function rollout(extra: readonly string[]): Promise<{ dir: string; plan: PlanFile; preview: string; records: readonly JournalRecord[] }> {
  const dir = mkdtempSync(join(tmpdir(), "upgradec-learn-"));
  labDirs.push(dir);
  await labUp(dir, "1.0.0");
  try {
    const compiled = await upgradec(dir, "compile", join(labDirInRepo, "upgrade.upg"), "-o", "plan.json", ...extra);
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

suite("estimates learned from an earlier run (examples/lab-haproxy)", { timeout: 120_000 }, () => {
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
    console.log(`learned estimates: first run ${firstActual}s (planned ${first.plan.timing.total}s); second run ${actual}s, planned ${predicted}s`);
    expect(Math.abs(predicted - actual) / actual, `predicted ${predicted}s, actual ${actual}s`).toBeLessThanOrEqual(0.1);
  });
});
