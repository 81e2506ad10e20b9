/**
 * Damaged state never means "no run": a journal or run pointer that is damaged anywhere but
 * in its torn last record is refused before anything runs, naming the file and the line, with
 * the way forward (status, run --start-over). Each case damages the state of a real run in
 * one way and checks that no step process started (the steps append to ran.log).
 */
import { existsSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ExitCode } from "../../src/cli/exit-codes.js";
import { main } from "../../src/cli/main.js";
import type { PlanFile } from "../../src/plan/plan.js";
import { resumePlan, rollbackPlan, runPlan, showStatus } from "../../src/cli/session.js";
import { captureIO, currentJournalPath, currentPointerPath, spawnCli } from "./harness.js";
import { argv, makePlan, step, writePlan } from "../support/plan-builder.js";
import { tempDir } from "../support/temp-dir.js";

const STEPS = 20;

/** STEPS steps in a chain, each appending its name to ran.log, then one that fails until `ok` exists. */
function chainPlan(dir: string, source = 'plan "test" { kind upgrade }\n'): PlanFile {
  const steps = Array.from({ length: STEPS }, (_, i) => {
    const id = `s${String(i + 1).padStart(2, "0")}`;
    return step(id, { command: argv(["sh", "-c", `echo ${id} >> ran.log`]), after: i === 0 ? [] : [`s${String(i).padStart(2, "0")}`], estimate: { start: i * 60, duration: 60 } });
  });
  steps.push(step("last", { command: argv(["sh", "-c", "test -e ok && echo last >> ran.log"]), after: [`s${STEPS}`], estimate: { start: STEPS * 60, duration: 60 } }));
  return makePlan({ dir, hosts: [], services: [], steps, sources: [{ path: "cloud.upg", text: source }] });
}

const ran = (dir: string): string => (existsSync(join(dir, "ran.log")) ? readFileSync(join(dir, "ran.log"), "utf8") : "");
const runDirs = (dir: string): string[] => readdirSync(join(dir, ".upgradec", "runs")).sort();

/** A stopped run: STEPS steps done, `last` failed. */
async function stoppedRun(): Promise<string> {
  const dir = tempDir();
  writePlan(dir, chainPlan(dir));
  expect(await runPlan({ plan: "plan.json" }, captureIO(dir).io)).toBe(ExitCode.Stopped);
  expect(ran(dir).split("\n").filter((l) => l !== "")).toHaveLength(STEPS);
  return dir;
}

function journalLines(dir: string): string[] {
  return readFileSync(currentJournalPath(dir), "utf8").split("\n").filter((l) => l !== "");
}

interface Damage {
  readonly name: string;
  readonly apply: (dir: string) => void;
  /** What the refusal names: the damaged file (and line). */
  readonly names: RegExp;
}

const damages: readonly Damage[] = [
  {
    name: "a flipped byte in the journal's first line",
    apply: (dir) => {
      const path = currentJournalPath(dir);
      const text = readFileSync(path, "utf8");
      const at = text.indexOf('"run-started"') + 2;
      writeFileSync(path, text.slice(0, at) + (text[at] === "u" ? "v" : "u") + text.slice(at + 1));
    },
    names: /journal\.jsonl:1\b/,
  },
  { name: "an empty journal", apply: (dir) => writeFileSync(currentJournalPath(dir), ""), names: /journal\.jsonl/ },
  { name: "a deleted journal", apply: (dir) => rmSync(currentJournalPath(dir)), names: /journal\.jsonl/ },
  { name: "a deleted current-run pointer", apply: (dir) => rmSync(currentPointerPath(dir)), names: /\.upgradec\/plans\/test: it is missing, but run \S+ of this plan did work/ },
  { name: "garbage in the current-run pointer", apply: (dir) => writeFileSync(currentPointerPath(dir), "\u0000garbage\n"), names: /\.upgradec\/(current|plans\/)/ },
  {
    name: "records cut out of the middle",
    apply: (dir) => {
      const lines = journalLines(dir);
      writeFileSync(currentJournalPath(dir), [...lines.slice(0, 5), ...lines.slice(12)].join("\n") + "\n");
    },
    names: /journal\.jsonl:6\b/,
  },
  {
    name: "a journal truncated to its first twentieth, mid-record",
    apply: (dir) => {
      const path = currentJournalPath(dir);
      const size = readFileSync(path).length;
      truncateSync(path, Math.floor(size / 20) + 7);
    },
    names: /journal\.jsonl/,
  },
];

describe("damaged state is refused before anything runs", () => {
  it.each(damages)("$name: run, resume and rollback refuse (exit 10), status shows what is known", async ({ apply, names }) => {
    const dir = await stoppedRun();
    apply(dir);
    const before = ran(dir);
    const runs = runDirs(dir);
    for (const verb of [runPlan, resumePlan, rollbackPlan] as const) {
      const io = captureIO(dir);
      expect(await verb({ plan: "plan.json" }, io.io), io.err()).toBe(ExitCode.StateDamaged);
      expect(io.err()).toMatch(names);
      expect(io.err()).toContain("UPG0802");
      expect(io.err()).toContain("upgradec run plan.json --start-over");
      expect(io.err()).toContain("upgradec status plan.json");
    }
    expect(ran(dir)).toBe(before);
    expect(runDirs(dir)).toEqual(runs);
    const status = captureIO(dir);
    expect(await showStatus({ plan: "plan.json" }, status.io)).toBe(ExitCode.StateDamaged);
    expect(status.err()).toMatch(names);    const verify = captureIO(dir);
    expect(await main(["verify", "plan.json"], verify.io), verify.err()).toBe(ExitCode.StateDamaged);
    expect(verify.err()).toContain("its state is damaged");
  });

  it("resume with another plan over an empty journal runs nothing", async () => {
    const dir = await stoppedRun();
    writeFileSync(currentJournalPath(dir), "");
    // Another cloud's plan, under the same name, in the same place.
    writePlan(dir, chainPlan(dir, 'plan "test" { kind upgrade }\n# another cloud\n'));
    const io = captureIO(dir);
    expect(await resumePlan({ plan: "plan.json" }, io.io)).toBe(ExitCode.StateDamaged);
    expect(ran(dir).split("\n").filter((l) => l !== "")).toHaveLength(STEPS);
  });

  it("a torn last record is tolerated, and the run goes on from it", async () => {
    const dir = await stoppedRun();
    const path = currentJournalPath(dir);
    writeFileSync(path, readFileSync(path, "utf8") + '{"type":"step-succeeded","step":"la');
    writeFileSync(join(dir, "ok"), "");
    const io = captureIO(dir);
    expect(await resumePlan({ plan: "plan.json" }, io.io), io.err()).toBe(ExitCode.Ok);
    expect(ran(dir).split("\n").filter((l) => l !== "")).toHaveLength(STEPS + 1);
  });

  it("run --start-over (through the CLI) abandons the damaged run and starts a new one", { timeout: 60_000 }, async () => {
    const dir = await stoppedRun();
    writeFileSync(currentJournalPath(dir), "");
    const refused = await spawnCli(["run", "plan.json", "--skip-checks"], dir);
    expect(refused.exitCode, refused.stderr).toBe(ExitCode.StateDamaged);
    const old = readFileSync(currentPointerPath(dir), "utf8").trim();
    writeFileSync(join(dir, "ok"), "");
    const again = await spawnCli(["run", "plan.json", "--skip-checks", "--start-over"], dir);
    expect(again.exitCode, again.stderr).toBe(ExitCode.Ok);
    expect(ran(dir).split("\n").filter((l) => l !== "")).toHaveLength(2 * STEPS + 1);
    const first = JSON.parse(journalLines(dir)[0] ?? "{}") as { type?: string; abandoned?: string };
    expect(first).toMatchObject({ type: "run-started", abandoned: old });
  });
});
