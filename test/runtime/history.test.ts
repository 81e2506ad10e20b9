/**
 * `compile --history`: journals of earlier runs, read with the journal's own checks, give
 * measured estimates per service and action (evacuation per instance). Journals are
 * untrusted: a damaged one is left out with a warning, never half-read; records that do not
 * pair up measure nothing. The plan records the runs it learned from, and its fingerprint
 * covers them: the same journals compile to the same plan.
 */
import { execa } from "execa";
import fc from "fast-check";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { median } from "../../src/compiler/estimate-book.js";
import { gateEstimate } from "../../src/compiler/estimates.js";
import { readHistory, samplesOf, stepKey } from "../../src/runtime/history.js";
import type { PlanFile } from "../../src/plan/plan.js";
import { encodeRecord, type JournalRecord, type JournalRecordInput, JournalWriter } from "../../src/runtime/journal.js";

const repo = join(import.meta.dirname, "..", "..");
const bin = join(repo, "bin", "upgradec.js");
const example = join(repo, "examples", "dataplane-rolling-reboot", "cloud.upg");
const dirs: string[] = [];

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "upgradec-history-"));
  dirs.push(d);
  return d;
}

/** A step that ran on a host for `seconds`. */
interface Ran {
  readonly step: string;
  readonly host: string | null;
  readonly seconds: number;
}

/** A finished run's journal (and mark) in `runDir`, written by the runtime's own writer. */
function writeRun(runDir: string, runId: string, ran: readonly Ran[], plan = "kernel-2026-12"): void {
  mkdirSync(runDir, { recursive: true });
  let now = Date.parse("2026-12-07T21:00:00Z");
  const writer = new JournalWriter(join(runDir, "journal.jsonl"), runId, () => now, (t) => t, null);
  writer.record({ type: "run-started", plan, fingerprint: "f", digest: "d" });
  for (const r of ran) {
    writer.record({ type: "step-started", step: r.step, host: r.host, attempt: 1 });
    now += r.seconds * 1000;
    writer.record({ type: "step-succeeded", step: r.step, host: r.host, exitCode: 0 });
  }
  writer.record({ type: "run-finished" });
  writer.close();
}

async function compile(cwd: string, ...args: string[]) {
  return execa("node", [bin, "compile", example, ...args], { cwd, reject: false, env: { NO_COLOR: "1" }, all: true });
}

describe("step ids", () => {
  it("name a service and action in a rollout and per service; markers and checkpoints measure nothing", () => {
    expect(stepKey("nova-compute/b3/cmp017/evacuate")).toEqual({ service: "nova-compute", action: "evacuate" });
    expect(stepKey("keystone/expand")).toEqual({ service: "keystone", action: "expand" });
    for (const id of ["nova-compute/b1/pause", "nova-compute/done", "checkpoint/db/checkpoint", "checkpoint/db", "a/x/h/upgrade", "a/b1/h/reboot/x", "/upgrade", "a/b0/h/stop"]) {
      expect(stepKey(id), id).toBeNull();
    }
  });
});

describe("samples of a journal", () => {
  const at = (s: number): string => new Date(Date.parse("2026-12-07T21:00:00Z") + s * 1000).toISOString();
  const rec = (seq: number, time: number, input: JournalRecordInput): JournalRecord => ({ ...input, seq, time: at(time), run: "r1", sum: "" });

  it("measure successful attempts only, from their start, and not across a stop or resume", () => {
    const records = [
      rec(1, 0, { type: "run-started" }),
      rec(2, 0, { type: "step-started", step: "api/b1/a1/stop", host: "a1", attempt: 1 }),
      rec(3, 5, { type: "step-failed", step: "api/b1/a1/stop", host: "a1", attempt: 1 }),
      rec(4, 10, { type: "step-started", step: "api/b1/a1/stop", host: "a1", attempt: 2 }),
      rec(5, 12, { type: "step-succeeded", step: "api/b1/a1/stop", host: "a1", attempt: 2 }),
      rec(6, 12, { type: "step-started", step: "api/b1/a1/upgrade", host: "a1", attempt: 1 }),
      rec(7, 13, { type: "run-stopped", outcome: "interrupted" }),
      rec(8, 900, { type: "run-resumed" }),
      rec(9, 901, { type: "step-succeeded", step: "api/b1/a1/upgrade", host: "a1", attempt: 1 }),
      rec(10, 902, { type: "step-started", step: "api/b1/a1/start", host: "a1", attempt: 1 }),
      rec(11, 903, { type: "step-succeeded", step: "api/b1/a1/start", host: "a1", byDoneCheck: true }),
      rec(12, 903, { type: "step-started", step: "api/migrate", host: null, attempt: 1 }),
      rec(13, 943, { type: "step-succeeded", step: "api/migrate", host: null }),
    ];
    expect(samplesOf(records)).toEqual([
      { service: "api", action: "stop", host: "a1", seconds: 2, run: "r1" },
      { service: "api", action: "migrate", host: null, seconds: 40, run: "r1" },
    ]);
  });

  it("never throw on records of any shape, and give only finite durations a week long at most", () => {
    const anyRecord = fc.record({
      type: fc.constantFrom("step-started", "step-succeeded", "step-failed", "run-resumed", "run-started", "bogus"),
      step: fc.oneof(fc.constantFrom("api/b1/a1/stop", "api/migrate", "x/b2/h/health"), fc.string(), fc.constant(undefined)),
      host: fc.oneof(fc.string(), fc.constant(null), fc.constant(undefined)),
      attempt: fc.oneof(fc.integer(), fc.constant(undefined)),
      time: fc.oneof(fc.date({ noInvalidDate: false }).map((d) => (Number.isNaN(d.getTime()) ? "not a date" : d.toISOString())), fc.string()),
      byDoneCheck: fc.oneof(fc.boolean(), fc.constant(undefined)),
    });
    fc.assert(
      fc.property(fc.array(anyRecord, { maxLength: 40 }), (raw) => {
        const records = raw.map((r, i) => ({ ...r, seq: i + 1, run: "r", sum: "" }) as unknown as JournalRecord);
        for (const s of samplesOf(records)) {
          expect(Number.isFinite(s.seconds)).toBe(true);
          expect(s.seconds).toBeGreaterThanOrEqual(0);
          expect(s.seconds).toBeLessThanOrEqual(7 * 24 * 3600);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("a health gate's estimate", () => {
  it("is never longer than its within, nor negative, written, default or measured", () => {
    fc.assert(
      fc.property(
        // Estimates are whole seconds when written, milliseconds when measured.
        fc.double({ min: 0, max: 1e6, noNaN: true }).map((x) => Math.round(x * 1000) / 1000),
        fc.integer({ min: 0, max: 3600 }),
        fc.integer({ min: 0, max: 86_400 }),
        fc.integer({ min: 0, max: 3600 }),
        fc.boolean(),
        (estimate, every, within, healthyFor, measured) => {
          const e = gateEstimate(estimate, { every, within, healthyFor }, measured);
          expect(e).toBeLessThanOrEqual(within);
          expect(e).toBeGreaterThanOrEqual(0);
          // No gate passes before healthy-for; written and default ones end on a poll; within cuts both short.
          if (within >= Math.max(estimate, healthyFor) + Math.max(1, every)) expect(e).toBeGreaterThanOrEqual(Math.max(estimate, healthyFor));
          else expect(e).toBeGreaterThanOrEqual(Math.min(within, healthyFor));
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe("median", () => {
  it("lies between the least and the greatest sample", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 50 }), (values) => {
        const m = median(values);
        expect(m).toBeGreaterThanOrEqual(Math.round(Math.min(...values) * 1000) / 1000 - 0.001);
        expect(m).toBeLessThanOrEqual(Math.round(Math.max(...values) * 1000) / 1000 + 0.001);
      }),
    );
  });
});

describe("compile --history (the built CLI, examples/dataplane-rolling-reboot)", () => {
  // cmp001 has 20 instances, cmp002 1, cmp003 19: evacuations of 2s per instance.
  const run1: Ran[] = [
    { step: "compute-kernel/b1/cmp001/evacuate", host: "cmp001", seconds: 40 },
    { step: "compute-kernel/b1/cmp001/upgrade", host: "cmp001", seconds: 100 },
    { step: "compute-kernel/b2/cmp002/evacuate", host: "cmp002", seconds: 2 },
    { step: "compute-kernel/b2/cmp002/upgrade", host: "cmp002", seconds: 120 },
  ];
  const run2: Ran[] = [
    { step: "compute-kernel/b1/cmp003/evacuate", host: "cmp003", seconds: 38 },
    { step: "compute-kernel/b1/cmp003/upgrade", host: "cmp003", seconds: 110 },
    { step: "compute-kernel/b1/cmp003/health", host: "cmp003", seconds: 75 },
  ];

  it("replaces written and default estimates with measured ones, evacuation per instance, and says so", async () => {
    const cwd = tempDir();
    const state = join(cwd, ".upgradec");
    writeRun(join(state, "runs", "r1"), "r1", run1);
    // The per-plan layout too: plans/<plan>/runs/<run>/.
    writeRun(join(state, "plans", "kernel-2026-12", "runs", "r2"), "r2", run2);
    const r = await compile(cwd, "--history", ".upgradec", "-o", "plan.json");
    expect(r.exitCode, r.all).toBe(0);
    const plan = JSON.parse(readFileSync(join(cwd, "plan.json"), "utf8")) as PlanFile;
    const estimates = plan.services.find((s) => s.name === "compute-kernel")?.estimates ?? [];
    const of = (action: string) => estimates.find((e) => e.action === action);
    expect(of("evacuate")).toEqual({ action: "evacuate", seconds: 2, source: "measured", runs: 2, samples: 3, perInstance: true });
    expect(of("upgrade")).toEqual({ action: "upgrade", seconds: 110, source: "measured", runs: 2, samples: 3 });
    expect(of("health")).toEqual({ action: "health", seconds: 75, source: "measured", runs: 1, samples: 1 });
    expect(of("reboot")).toEqual({ action: "reboot", seconds: 480, source: "written" });
    // Each host's evacuation: its instances times 2s (cmp012 has none).
    const evac = (host: string) => plan.steps.find((s) => s.action === "evacuate" && s.hosts[0] === host)?.estimate.duration;
    expect([evac("cmp001"), evac("cmp002"), evac("cmp012")]).toEqual([40, 2, 0]);
    expect(plan.steps.filter((s) => s.action === "upgrade").every((s) => s.estimate.duration === 110)).toBe(true);
    expect(plan.history?.map((h) => [h.run, h.journal, h.samples])).toEqual([
      ["r1", ".upgradec/runs/r1/journal.jsonl", 4],
      ["r2", ".upgradec/plans/kernel-2026-12/runs/r2/journal.jsonl", 3],
    ]);
    expect(r.stdout).toContain("Estimates (measured in 2 runs read with --history)");
    expect(r.stdout).toMatch(/compute-kernel {2}measured over 2 runs \(7 attempts\): evacuate 2s per instance, upgrade 1m50s, health 1m15s; written: maintenance-enter 10s, reboot 8m, maintenance-exit 10s/);
    // The same runs reached through two paths count once.
    const twice = await compile(cwd, "--history", ".upgradec", "--history", ".upgradec/runs", "--format", "json");
    expect((JSON.parse(twice.stdout) as PlanFile).history?.map((h) => h.run)).toEqual(["r1", "r2"]);
    const html = await compile(cwd, "--history", ".upgradec", "--format", "html");
    expect(html.stdout).toContain('<tr class="estimate measured" data-service="compute-kernel" data-action="evacuate">');
  });

  it("compiles the same journals to the same plan; another journal changes the fingerprint, and a plan so made runs without being stale", async () => {
    const cwd = tempDir();
    writeRun(join(cwd, "runs", "r1"), "r1", run1);
    const once = await compile(cwd, "--history", "runs", "--start", "2026-12-07T22:00", "--format", "json");
    const again = await compile(cwd, "--history", "runs", "--start", "2026-12-07T22:00", "--format", "json");
    const without = await compile(cwd, "--start", "2026-12-07T22:00", "--format", "json");
    expect(once.exitCode, once.all).toBe(0);
    const [a, b, c] = [once, again, without].map((x) => JSON.parse(x.stdout) as PlanFile);
    expect(a?.digest).toBe(b?.digest);
    expect(a?.fingerprint).not.toBe(c?.fingerprint);
    writeRun(join(cwd, "runs", "r2"), "r2", run2);
    const more = JSON.parse((await compile(cwd, "--history", "runs", "--start", "2026-12-07T22:00", "--format", "json")).stdout) as PlanFile;
    expect(more.fingerprint).not.toBe(a?.fingerprint);
    // A single run's directory is history too.
    const one = JSON.parse((await compile(cwd, "--history", "runs/r2", "--start", "2026-12-07T22:00", "--format", "json")).stdout) as PlanFile;
    expect(one.history?.map((h) => h.run)).toEqual(["r2"]);
    // The run refuses stale plans: one compiled with history is not, even after a later run
    // appended to the state (the plan holds its estimates; journals are not read again).
    writeFileSync(join(cwd, "plan.json"), once.stdout);
    writeRun(join(cwd, "runs", "r3"), "r3", run2);
    const status = await execa("node", [bin, "check", "plan.json", "--format", "json"], { cwd, reject: false, env: { NO_COLOR: "1" }, all: true });
    expect(status.all).toContain("loads: not stale, not edited");
    expect(status.all).not.toContain("UPG0704");
  });

  it("leaves out a damaged journal with a warning, and refuses a directory with none", async () => {
    const cwd = tempDir();
    writeRun(join(cwd, "runs", "good"), "good", run1);
    writeRun(join(cwd, "runs", "bad"), "bad", run2);
    const path = join(cwd, "runs", "bad", "journal.jsonl");
    // One duration rewritten: the record's checksum no longer matches.
    writeFileSync(path, readFileSync(path, "utf8").replace('"step":"compute-kernel/b1/cmp003/upgrade"', '"step":"compute-kernel/b1/cmp003/upgradd"'));
    const r = await compile(cwd, "--history", "runs", "-o", "plan.json");
    expect(r.exitCode, r.all).toBe(0);
    expect(r.stderr).toContain("warning UPG0011");
    expect(r.stderr).toContain("runs/bad/journal.jsonl is not used");
    const plan = JSON.parse(readFileSync(join(cwd, "plan.json"), "utf8")) as PlanFile;
    expect(plan.history?.map((h) => h.run)).toEqual(["good"]);
    expect(plan.services[0]?.estimates?.find((e) => e.action === "health")?.source).toBe("written");

    // A journal of the layout before the hash chain (no `prev`, no mark), whose records (each
    // with a good checksum) belong to two runs, is not one run's.
    const mixed = tempDir();
    const unchained = (records: readonly { type: JournalRecord["type"]; run: string; step?: string; time: string }[]) =>
      records.map((r, i) => encodeRecord({ ...r, seq: i + 1 })).join("\n") + "\n";
    const old = (run: string, second: string) => [
      { type: "run-started" as const, run, time: "2026-12-07T21:00:00.000Z" },
      { type: "step-started" as const, run, step: "compute-kernel/b1/cmp001/upgrade", time: "2026-12-07T21:00:00.000Z" },
      { type: "step-succeeded" as const, run: second, step: "compute-kernel/b1/cmp001/upgrade", time: "2026-12-07T21:01:00.000Z" },
    ];
    for (const [dir, second] of [["one", "one"], ["two", "other"]] as const) {
      mkdirSync(join(mixed, dir));
      writeFileSync(join(mixed, dir, "journal.jsonl"), unchained(old(dir, second)));
    }
    const read = readHistory([mixed], mixed, mixed);
    expect(read.value.runs.map((h) => [h.run, h.samples])).toEqual([["one", 1]]);
    expect(read.diagnostics.map((d) => [d.code, d.message])).toEqual([["UPG0011", '--history: two/journal.jsonl is not used: journal line 3: the record belongs to run "other", not "two"']]);

    mkdirSync(join(cwd, "empty"));
    const none = await compile(cwd, "--history", "empty");
    expect(none.exitCode).toBe(1);
    expect(none.stderr).toContain("error UPG0010");
    const missing = readHistory(["nowhere"], cwd, cwd);
    expect(missing.diagnostics.map((d) => [d.code, d.severity])).toEqual([["UPG0010", "error"]]);
  });
});
