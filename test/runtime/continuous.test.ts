/**
 * `batch … then continuous` at run time: after the ramp, a host starts as soon as another
 * finishes, keeping at most the caps out; with batches, a host waits for its batch's
 * barrier. A plan compiled from .upg, run by the runtime on a fake clock with hosts that
 * take different times, judged on the journal.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compileFile } from "../../src/compiler/compile.js";
import { nodeLoadHost } from "../../src/files/node-host.js";
import type { PlanFile } from "../../src/plan/plan.js";
import { runForward } from "../../src/runtime/forward.js";
import { EMPTY_STATE } from "../../src/runtime/run-state.js";
import type { StepExecContext } from "../../src/runtime/step-exec.js";
import { FakeClock, MemorySink, fakeExecutor } from "./fake-effects.js";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Nine computes in three zones, cmp1 … cmp9 (cmp1, cmp4, cmp7 in az1, …). */
const HOSTS = Array.from({ length: 9 }, (_, i) => ({ name: `cmp${i + 1}`, az: `az${(i % 3) + 1}` }));
/** How long each host's upgrade really takes, in minutes: unlike the estimate, and unlike each other. */
const MINUTES: Readonly<Record<string, number>> = { cmp1: 4, cmp2: 9, cmp3: 3, cmp4: 7, cmp5: 2, cmp6: 12, cmp7: 5, cmp8: 6, cmp9: 8 };

function compilePlan(rolling: string): PlanFile {
  const dir = mkdtempSync(join(tmpdir(), "upgradec-continuous-"));
  dirs.push(dir);
  writeFileSync(join(dir, "hosts.ini"), ["[compute]", ...HOSTS.map((h) => `${h.name} az=${h.az}`), ""].join("\n"));
  writeFileSync(
    join(dir, "main.upg"),
    `plan "p" { from "a" to "b"  parallelism 10 }
inventory "hosts.ini"
service nova-compute {
  on compute
  tags rolling-upgrade
  plane data
  rolling { ${rolling} }
  stop ["systemctl", "stop", "nova-compute"] { takes 1m }
  upgrade ["apt-get", "install", "nova-compute"] { takes 5m }
  start ["systemctl", "start", "nova-compute"] { takes 1m }
}
`,
  );
  const result = compileFile("main.upg", nodeLoadHost(dir), { now: new Date("2026-12-01T12:00:00Z"), compilerVersion: "0.0.0-test", start: "2026-12-05T22:00" });
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  if (result.plan === null) throw new Error("no plan");
  return result.plan;
}

const T0 = Date.parse("2026-12-05T22:00:00+01:00");

interface Out {
  readonly host: string;
  readonly az: string;
  readonly batch: number;
  /** Minutes from the run's start: the host's first step started, its last step ended. */
  readonly from: number;
  readonly to: number;
}

/** Run the plan on a fake clock; each host's out-of-service stretch, from the journal. */
async function run(plan: PlanFile): Promise<Out[]> {
  const clock = new FakeClock(T0);
  const sink = new MemorySink(clock);
  const executor = fakeExecutor(clock, (r) => ({ exitCode: 0, takes: r.step.action === "upgrade" ? (MINUTES[r.host ?? ""] ?? 1) * 60_000 : 60_000 }));
  const exec: StepExecContext = { plan, planDir: "/nonexistent", clock, executor, secrets: {}, redact: (t) => t, log: (id, t) => sink.log(id, t) };
  const result = await clock.drive(runForward({ exec, sink, state: EMPTY_STATE, scope: { only: null, hosts: null } }));
  expect(result.failed).toEqual([]);
  expect(result.notStarted).toEqual([]);
  const byId = new Map(plan.steps.map((s) => [s.id, s]));
  const stretch = new Map<string, { from: number; to: number; batch: number }>();
  for (const r of sink.records) {
    const step = r.step !== undefined ? byId.get(r.step) : undefined;
    if (!step || step.batch === null || step.hosts.length !== 1) continue;
    const host = step.hosts[0] as string;
    const minutes = (r.at - T0) / 60_000;
    const s = stretch.get(host) ?? { from: Infinity, to: -Infinity, batch: step.batch };
    if (r.type === "step-started") s.from = Math.min(s.from, minutes);
    if (r.type === "step-succeeded") s.to = Math.max(s.to, minutes);
    stretch.set(host, s);
  }
  return HOSTS.map((h) => ({ host: h.name, az: h.az, ...(stretch.get(h.name) ?? { from: NaN, to: NaN, batch: -1 }) }));
}

/** The most hosts out at once, overall and per zone (a host out from its first step's start to its last step's end). */
function peaks(outs: readonly Out[]): { all: number; perZone: number } {
  let all = 0;
  let perZone = 0;
  for (const o of outs) {
    const at = outs.filter((x) => x.from <= o.from && o.from < x.to);
    all = Math.max(all, at.length);
    perZone = Math.max(perZone, ...["az1", "az2", "az3"].map((z) => at.filter((x) => x.az === z).length));
  }
  return { all, perZone };
}

describe("then continuous: a host starts as soon as another finishes", () => {
  it("keeps at most the caps out, and each zone's next host starts the minute the one before it ends", async () => {
    const plan = compilePlan("batch 1 then continuous  max-unavailable 1 per az");
    expect(plan.services[0]?.rolling.batches).toEqual([1, 8]);
    const outs = await run(plan);
    expect(peaks(outs)).toEqual({ all: 3, perZone: 1 });
    // After the canary, in each zone: the next host starts when the previous one of its zone ended.
    const rest = outs.filter((o) => o.batch === 1);
    const canary = outs.find((o) => o.batch === 0) as Out;
    for (const zone of ["az1", "az2", "az3"]) {
      const mine = rest.filter((o) => o.az === zone).sort((a, b) => a.from - b.from);
      const first = mine[0] as Out;
      expect(first.from).toBe(canary.to);
      for (let i = 1; i < mine.length; i++) expect((mine[i] as Out).from).toBe((mine[i - 1] as Out).to);
    }
    // Not at a batch boundary: some host starts while other hosts of its batch still run.
    const midway = rest.filter((o) => o.from > canary.to && rest.some((x) => x !== o && x.from < o.from && o.from < x.to));
    expect(midway.length).toBeGreaterThan(0);
  });

  it("with batches, a host waits for its batch's barrier instead", async () => {
    const plan = compilePlan("batch 1, 3  max-unavailable 1 per az");
    const outs = await run(plan);
    expect(peaks(outs).perZone).toBe(1);
    // Every host of a batch starts at one instant, after the last host of the batch before it.
    const batches = [...new Set(outs.map((o) => o.batch))].sort((a, b) => a - b);
    for (const b of batches.slice(1)) {
      const mine = outs.filter((o) => o.batch === b);
      const before = outs.filter((o) => o.batch === b - 1);
      expect(new Set(mine.map((o) => o.from)).size).toBe(1);
      expect((mine[0] as Out).from).toBe(Math.max(...before.map((o) => o.to)));
    }
  });

  it("finishes sooner than the batches do, with the same caps", async () => {
    const continuous = await run(compilePlan("batch 1 then continuous  max-unavailable 1 per az"));
    const batched = await run(compilePlan("batch 1, 3  max-unavailable 1 per az"));
    const end = (outs: readonly Out[]): number => Math.max(...outs.map((o) => o.to));
    expect(end(continuous)).toBeLessThan(end(batched));
  });
});
