/**
 * Which run a verb acts on is decided from the current run as a value: the run to continue,
 * or the refusal (its outcome and problem) that the CLI prints and turns into an exit code.
 */
import { describe, expect, it } from "vitest";
import type { JournalRecord, JournalRecordInput } from "../../src/runtime/journal.js";
import { replay } from "../../src/runtime/run-state.js";
import type { StateStore, StoreRun } from "../../src/runtime/store/state-store.js";
import { abandonedRun, newRunRefusal, runToContinue } from "../../src/runtime/which-run.js";
import { makePlan, step } from "../support/plan-builder.js";
import { tempDir } from "../support/temp-dir.js";

const plan = makePlan({ dir: tempDir(), hosts: [], services: [], steps: [step("one"), step("two", { after: ["one"] })] });
const store = { where: "/state/.upgradec" } as unknown as StateStore;

function runOf(...inputs: JournalRecordInput[]): StoreRun {
  const records = inputs.map((r, seq) => ({ ...r, seq, time: "2026-12-05T22:00:00.000Z", run: "r1", sum: "" }) as JournalRecord);
  return { kind: "run", runId: "r1", read: { records, tornTail: false, damage: null, chained: true }, state: replay(records) };
}

const started: JournalRecordInput = { type: "run-started", plan: "test", fingerprint: plan.fingerprint, digest: plan.digest };

describe("which run a verb acts on", () => {
  it("run starts a new one over none or a finished one, and refuses an unfinished one as stopped (UPG0806)", () => {
    expect(newRunRefusal({ kind: "none" }, plan, "plan.json", "/")).toBeNull();
    expect(newRunRefusal(runOf(started, { type: "run-finished", outcome: "succeeded" }), plan, "plan.json", "/")).toBeNull();
    const stopped = runOf(started, { type: "step-started", step: "one", attempt: 1 }, { type: "step-failed", step: "one", attempt: 1, message: "boom" }, { type: "run-stopped", message: "steps failed", outcome: "stopped" });
    const refusal = newRunRefusal(stopped, plan, "plan.json", "/");
    expect(refusal?.refusal).toBe("stopped");
    expect(refusal?.problem.code).toBe("UPG0806");
    expect(refusal?.problem.help).toContain("upgradec resume plan.json");
    expect(abandonedRun(stopped)).toBe("r1");
  });

  it("resume continues this plan's run; none is a usage error (UPG0804), another plan's is refused (UPG0805), damage too (UPG0802)", () => {
    const run = runToContinue(runOf(started), store, plan, "plan.json", "/");
    expect("refusal" in run ? run.refusal : run.runId).toBe("r1");
    const none = runToContinue({ kind: "none" }, store, plan, "plan.json", "/");
    expect("refusal" in none ? [none.refusal, none.problem.code] : null).toEqual(["usage", "UPG0804"]);
    const other = runToContinue(runOf({ ...started, digest: "0".repeat(64) }), store, plan, "plan.json", "/");
    expect("refusal" in other ? [other.refusal, other.problem.code] : null).toEqual(["invalid-plan", "UPG0805"]);
    const damaged = runToContinue({ kind: "damaged", file: "/state/.upgradec/runs/r1/journal.jsonl", line: 3, reason: "bad checksum", runId: "r1", known: null }, store, plan, "plan.json", "/state");
    expect("refusal" in damaged ? [damaged.refusal, damaged.problem.code] : null).toEqual(["state-damaged", "UPG0802"]);
    expect("refusal" in damaged ? damaged.problem.message : "").toContain(".upgradec/runs/r1/journal.jsonl:3: bad checksum");
  });
});
