import { describe, expect, it } from "vitest";
import { encodeRecord, type JournalRecord, type JournalRecordInput } from "../../src/runtime/journal.js";
import { ProgressModel, describeRecord } from "../../src/runtime/progress.js";
import { runStatus } from "../../src/runtime/status.js";
import { replay } from "../../src/runtime/run-state.js";
import { argv, host, makePlan, rolling, service, step } from "../support/plan-builder.js";
import { tempDir } from "../support/temp-dir.js";

let seq = 0;
const rec = (input: JournalRecordInput, second: number): JournalRecord =>
  JSON.parse(encodeRecord({ ...input, seq: ++seq, time: new Date(Date.UTC(2026, 11, 5, 21, 0, second)).toISOString(), run: "r1" })) as JournalRecord;

describe("progress and status views", () => {
  const plan = makePlan({
    dir: tempDir(),
    hosts: [host("c1"), host("c2")],
    services: [service("cmp", ["c1", "c2"], { rolling: rolling({ batches: [1, 1] }) })],
    steps: [
      step("cmp/b0/c1/upgrade", { service: "cmp", hosts: ["c1"], batch: 0, command: argv(["u"]), estimate: { start: 0, duration: 60 } }),
      step("cmp/b1/c2/upgrade", { service: "cmp", hosts: ["c2"], batch: 1, command: argv(["u"]), after: ["cmp/b0/c1/upgrade"], estimate: { start: 60, duration: 60 } }),
    ],
  });
  const records = [
    rec({ type: "run-started", plan: "test", fingerprint: plan.fingerprint, digest: plan.digest }, 0),
    rec({ type: "step-started", step: "cmp/b0/c1/upgrade", host: "c1" }, 1),
    rec({ type: "step-succeeded", step: "cmp/b0/c1/upgrade", host: "c1" }, 30),
    rec({ type: "step-started", step: "cmp/b1/c2/upgrade", host: "c2" }, 31),
    rec({ type: "step-failed", step: "cmp/b1/c2/upgrade", host: "c2", message: "exit code 2" }, 40),
  ];

  it("the live view counts batches, hosts in flight and failures, and the ETA from the plan", () => {
    const model = new ProgressModel(plan);
    for (const r of records.slice(0, 4)) model.apply(r);
    const mid = model.render(Date.UTC(2026, 11, 5, 21, 0, 32), 200).join("\n");
    expect(mid).toContain("1/2 steps");
    expect(mid).toMatch(/cmp\s+batches 1\/2\s+steps 1\/2\s+failures 0\s+in flight: c2/);
    expect(mid).toContain("ETA 1m");
    model.apply(records[4] as JournalRecord);
    expect(model.render(Date.UTC(2026, 11, 5, 21, 0, 41), 200).join("\n")).toMatch(/failures 1/);
    expect(describeRecord(records[4] as JournalRecord)).toBe("21:00:40 FAILED   cmp/b1/c2/upgrade (c2): exit code 2");
  });

  it("status counts per phase and service, lists the failed step, and gives what is left", () => {
    const report = runStatus(plan, replay(records), { runId: "r1", lock: null, now: Date.UTC(2026, 11, 5, 21, 1, 0) });
    expect(report.json.byService["cmp"]).toEqual({ done: 1, running: 0, failed: 1, pending: 0, undone: 0 });
    expect(report.json.failed).toEqual([{ step: "cmp/b1/c2/upgrade", host: "c2", message: "exit code 2", tolerated: false }]);
    expect(report.json.remaining).toBe(60);
    expect(report.text).toContain("interrupted");
  });
});
