/** The takeover rule (in-flight.ts) through the scheduler, on a fake clock. */
import { describe, expect, it } from "vitest";
import type { PlanFile } from "../../src/plan/plan.js";
import { runForward } from "../../src/runtime/forward.js";
import { inFlightSteps } from "../../src/runtime/in-flight.js";
import type { JournalRecord } from "../../src/runtime/journal.js";
import { replay } from "../../src/runtime/run-state.js";
import type { StepExecContext } from "../../src/runtime/step-exec.js";
import { FakeClock, MemorySink, fakeExecutor } from "./fake-effects.js";
import { argv, makePlan, step } from "../support/plan-builder.js";
import { tempDir } from "../support/temp-dir.js";

const T0 = Date.parse("2026-12-07T03:00:00Z");

function context(plan: PlanFile, clock: FakeClock, executor: StepExecContext["executor"], sink: MemorySink): StepExecContext {
  return { plan, planDir: "/nonexistent", clock, executor, secrets: {}, redact: (t) => t, log: (id, t) => sink.log(id, t) };
}

function rec(seq: number, type: JournalRecord["type"], at: number, fields: Partial<JournalRecord> = {}): JournalRecord {
  return { seq, type, time: new Date(at).toISOString(), run: "r", sum: "", ...fields } as JournalRecord;
}

describe("a takeover waits for the lost runner's steps in flight", () => {
  const plan = makePlan({
    dir: tempDir(),
    hosts: [],
    services: [],
    steps: [
      step("bounded", { command: argv(["upgrade"], { timeout: 60, grace: 5 }) }),
      step("checked", { command: argv(["upgrade"], { timeout: 600, grace: 5 }), done: argv(["is-done"]) }),
      step("unbounded", { command: argv(["upgrade"]) }),
      step("fresh", { command: argv(["upgrade"], { timeout: 60 }) }),
    ],
  });
  // The lost runner started three steps 10 s before the takeover and died.
  const started = T0 - 10_000;
  const records = [
    rec(1, "run-started", started - 1000, { plan: "test" }),
    rec(2, "step-started", started, { step: "bounded", attempt: 1 }),
    rec(3, "step-started", started, { step: "checked", attempt: 1 }),
    rec(4, "step-started", started, { step: "unbounded", attempt: 1 }),
  ];

  it("knows, per step in flight, when it may start again: its start plus timeout and grace; never without a timeout", () => {
    const inFlight = inFlightSteps(plan, records);
    expect([...inFlight]).toEqual([
      ["bounded", started + 65_000],
      ["checked", started + 605_000],
      ["unbounded", null],
    ]);
  });

  it("starts a bounded step only after its timeout and grace, a done-checked one at once when done, an unbounded one never", async () => {
    const clock = new FakeClock(T0);
    const sink = new MemorySink(clock);
    const exec = fakeExecutor(clock, (r) => ({ exitCode: 0, ...(r.purpose === "action" ? { takes: 1 } : {}) }));
    const result = await clock.drive(
      runForward({ exec: context(plan, clock, exec, sink), sink, state: replay(records), scope: { only: null, hosts: null }, inFlight: inFlightSteps(plan, records) }),
    );
    const firstAction = (id: string): number | undefined => exec.calls.find((c) => c.step === id && c.purpose === "action")?.at;
    expect(firstAction("bounded")).toBe(started + 65_000);
    // The done-check said it finished: no new attempt, however long its timeout.
    expect(firstAction("checked")).toBeUndefined();
    expect(sink.of("step-succeeded", "checked")[0]?.byDoneCheck).toBe(true);
    // Not in flight: it runs at once.
    expect(firstAction("fresh")).toBe(T0);
    expect(firstAction("unbounded")).toBeUndefined();
    expect(result.failed).toEqual(["unbounded"]);
    expect(sink.of("step-failed", "unbounded")[0]?.message).toContain("no timeout");
  });
});
