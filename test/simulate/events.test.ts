/**
 * `simulate --events FILE` writes the lines `run --events` writes (the journal's records:
 * same types, same fields, one writer), timed by the virtual clock: each step starts and
 * ends at the simulated time, which for a fault-free run of a sequential plan is the plan's.
 */
import { execa } from "execa";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JournalRecord } from "../../src/runtime/journal.js";
import type { PlanFile } from "../../src/plan/plan.js";

const root = join(import.meta.dirname, "..", "..");
const bin = join(root, "bin", "upgradec.js");
let dir = "";

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "upgradec-sim-events-"));
  writeFileSync(join(dir, "hosts.ini"), "[web]\nweb1\nweb2\nweb3\n");
  writeFileSync(
    join(dir, "main.upg"),
    `plan "p" { from "a" to "b"  parallelism 4 }
inventory "hosts.ini"
service api {
  on web
  tags rolling-upgrade
  rolling { batch 1  max-unavailable 1 }
  upgrade ["true"] { takes 2m }
  start ["true"] { takes 1m }
}
`,
  );
  const compiled = await execa(process.execPath, [bin, "compile", "main.upg", "-o", "plan.json", "--start", "2026-12-05T22:00"], { cwd: dir, reject: false, env: { NO_COLOR: "1" } });
  expect(compiled.exitCode, compiled.stderr).toBe(0);
});

afterAll(() => {
  if (dir !== "") rmSync(dir, { recursive: true, force: true });
});

const lines = (file: string): JournalRecord[] =>
  readFileSync(join(dir, file), "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as JournalRecord);

describe("simulate --events", () => {
  it("writes run --events' records, in the same order and shape, at the virtual clock's times", async () => {
    const sim = await execa(process.execPath, [bin, "simulate", "plan.json", "--events", "sim.jsonl"], { cwd: dir, reject: false, env: { NO_COLOR: "1" } });
    expect(sim.exitCode, sim.stderr).toBe(0);
    const run = await execa(process.execPath, [bin, "run", "plan.json", "--skip-checks", "--events", "run.jsonl"], { cwd: dir, reject: false, env: { NO_COLOR: "1" } });
    expect(run.exitCode, run.stderr).toBe(0);

    const simulated = lines("sim.jsonl");
    const real = lines("run.jsonl");
    const plan = JSON.parse(readFileSync(join(dir, "plan.json"), "utf8")) as PlanFile;

    // The same events in the same order (a sequential plan), with the same fields.
    expect(simulated.map((r) => [r.type, r.step ?? null])).toEqual(real.map((r) => [r.type, r.step ?? null]));
    expect(simulated.map((r) => Object.keys(r).sort())).toEqual(real.map((r) => Object.keys(r).sort()));
    expect(simulated[0]).toMatchObject({ type: "run-started", plan: "p", fingerprint: plan.fingerprint, digest: plan.digest });
    expect(simulated.at(-1)).toMatchObject({ type: "run-finished", outcome: "succeeded" });

    // The journal's records numbered and chained as a journal is; the events it does not hold (a batch finished) have no seq.
    const records = simulated.filter((r) => r.seq !== undefined);
    expect(simulated.filter((r) => r.seq === undefined).map((r) => r.type as string)).toEqual(["batch-finished", "batch-finished", "batch-finished"]);
    records.forEach((r, i) => {
      expect(r.seq).toBe(i + 1);
      expect(r.prev).toBe(i === 0 ? "" : records[i - 1]?.sum);
    });

    // Times: the virtual clock's, each step from its planned start to its planned end.
    const start = Date.parse(plan.plan.start);
    const at = (seconds: number): string => new Date(start + seconds * 1000).toISOString();
    const stepTimes = simulated.filter((r) => r.type === "step-started" || r.type === "step-succeeded");
    expect(stepTimes).toHaveLength(plan.steps.length * 2);
    for (const r of stepTimes) {
      const step = plan.steps.find((s) => s.id === r.step);
      if (step === undefined) throw new Error(`no step ${r.step}`);
      expect(r.time, `${r.type} ${r.step}`).toBe(at(r.type === "step-started" ? step.estimate.start : step.estimate.start + step.estimate.duration));
    }
    expect(simulated.at(-1)?.time).toBe(at(plan.timing.total));
  });
});
