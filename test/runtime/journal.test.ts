import { appendFileSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ExitCode } from "../../src/cli/exit-codes.js";
import { encodeRecord, parseJournal } from "../../src/runtime/journal.js";
import { resumePlan, runPlan } from "../../src/cli/session.js";
import { captureIO, currentJournalPath, journalOf } from "./harness.js";
import { argv, makePlan, step, writePlan } from "../support/plan-builder.js";
import { tempDir } from "../support/temp-dir.js";

const rec = (seq: number) => encodeRecord({ seq, time: "2026-12-05T22:00:00.000Z", run: "r", type: seq === 1 ? "run-started" : "step-started", step: `s${seq}` });

describe("journal records", () => {
  it("ignores a torn last line and reports a bad line before it by number", () => {
    const good = [rec(1), rec(2), rec(3)].join("\n") + "\n";
    expect(parseJournal(good)).toMatchObject({ tornTail: false, damage: null });
    expect(parseJournal(good).records.map((r) => r.seq)).toEqual([1, 2, 3]);
    const torn = good + rec(4).slice(0, 40);
    expect(parseJournal(torn)).toMatchObject({ tornTail: true, damage: null });
    expect(parseJournal(torn).records).toHaveLength(3);
    // A whole record whose newline never made it is kept.
    expect(parseJournal(good + rec(4)).records).toHaveLength(4);
    const edited = good.replace('"s2"', '"s9"');
    expect(parseJournal(edited).damage?.line).toBe(2);
  });
});

describe("resume from a journal with a torn last line (real processes)", () => {
  function plan(dir: string) {
    return makePlan({
      dir,
      hosts: [],
      services: [],
      steps: [
        step("one", { command: argv(["sh", "-c", "echo one >> ran.log"]) }),
        step("two", { command: argv(["sh", "-c", "test -e fixed && echo two >> ran.log"]), after: ["one"] }),
        step("three", { command: argv(["sh", "-c", "echo three >> ran.log"]), after: ["two"] }),
      ],
    });
  }

  it("resumes, cutting the torn line off first", async () => {
    const dir = tempDir();
    writePlan(dir, plan(dir));
    expect(await runPlan({ plan: "plan.json" }, captureIO(dir).io)).toBe(ExitCode.Stopped);
    const path = currentJournalPath(dir);
    appendFileSync(path, '{"type":"step-succeeded","step":"two","seq":99,"ti');
    writeFileSync(join(dir, "fixed"), "");
    const resumed = captureIO(dir);
    expect(await resumePlan({ plan: "plan.json" }, resumed.io)).toBe(ExitCode.Ok);
    expect(resumed.err()).toContain("torn");
    const text = readFileSync(path, "utf8");
    expect(parseJournal(text)).toMatchObject({ tornTail: false, damage: null });
    expect(readFileSync(join(dir, "ran.log"), "utf8")).toBe("one\ntwo\nthree\n");
    expect(journalOf(dir).at(-1)?.type).toBe("run-finished");
    // State is private: 0600 files, 0700 directories.
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, ".upgradec")).mode & 0o777).toBe(0o700);
  });

  it("refuses to resume from a journal damaged before its last line, naming the line", async () => {
    const dir = tempDir();
    writePlan(dir, plan(dir));
    expect(await runPlan({ plan: "plan.json" }, captureIO(dir).io)).toBe(ExitCode.Stopped);
    const path = currentJournalPath(dir);
    const lines = readFileSync(path, "utf8").split("\n");
    lines[1] = (lines[1] ?? "").replace('"one"', '"eno"');
    writeFileSync(path, lines.join("\n"));
    const resumed = captureIO(dir);
    expect(await resumePlan({ plan: "plan.json" }, resumed.io)).toBe(ExitCode.StateDamaged);
    expect(resumed.err()).toMatch(/journal\.jsonl:2: the line is not a whole record/);
  });

  it("records the journal before the command starts: a command sees its own step-started record", async () => {
    const dir = tempDir();
    const p = makePlan({
      dir,
      hosts: [],
      services: [],
      steps: [step("look", { command: argv(["sh", "-c", 'cat .upgradec/runs/*/journal.jsonl > seen.jsonl']) })],
    });
    writePlan(dir, p);
    expect(await runPlan({ plan: "plan.json" }, captureIO(dir).io)).toBe(ExitCode.Ok);
    const seen = parseJournal(readFileSync(join(dir, "seen.jsonl"), "utf8"));
    expect(seen.records.map((r) => [r.type, r.step])).toEqual([
      ["run-started", undefined],
      ["step-started", "look"],
    ]);
  });
});
