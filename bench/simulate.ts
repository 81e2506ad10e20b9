/**
 * Simulation speed: `npx tsx bench/simulate.ts [hosts...]` (default 10,000).
 *
 * Builds a cloud of that many hosts (3 controllers with keystone and nova-conductor, the
 * rest computes in 3 availability zones, 20 VMs each, batches 1, 5 %, 10 %, at most 10 %
 * out and 4 % per zone, maintenance, live migration, reboot and a health gate per host),
 * compiles it in memory, and prints the time `simulate` takes to run it to the end in
 * virtual time, with the runtime's scheduler and the model executor. Figures only; the
 * target is under 5 s for 10,000 hosts.
 *
 * For where the time goes it also runs the same plan through the runtime alone: runForward
 * on the same clock with an executor that only waits out each step's estimate (no model,
 * no invariants). The difference is the model's and the checks' share.
 */
import { performance } from "node:perf_hooks";
import type { Executor } from "../src/runtime/effects.js";
import { runForward } from "../src/runtime/forward.js";
import { EMPTY_STATE } from "../src/runtime/run-state.js";
import { SimClock } from "../src/simulate/sim-clock.js";
import { simulate } from "../src/simulate/simulate.js";
import { cloudModel, plan } from "../test/simulate/fixtures.js";

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 3);

for (const size of sizes.length > 0 ? sizes : [10_000]) {
  const computes = size - 3;
  const pct = (p: number): number => Math.max(1, Math.floor((computes * p) / 100));
  const t0 = performance.now();
  const p = plan(cloudModel({ controllers: 3, computes, domains: 3, instances: 20, batches: [1, pct(5), pct(10)], maxUnavailable: pct(10), perDomain: pct(4), maxFailures: 0 }));
  const t1 = performance.now();
  const cpu0 = process.cpuUsage();
  const r = await simulate(p);
  const t2 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  const seconds = (ms: number): string => (ms / 1000).toFixed(2) + " s";
  console.log(`${size} hosts, ${p.steps.length} steps`);
  console.log(`  compile (buildPlan, in memory): ${seconds(t1 - t0)}`);
  console.log(`  simulate: ${seconds(t2 - t1)} wall, ${seconds((cpu.user + cpu.system) / 1000)} CPU; ${r.stats.executions} executions, ${r.stats.jumps} clock jumps`);
  console.log(`  outcome: ${r.outcome}; simulated ${(r.duration / 3600).toFixed(1)} h against the plan's ${(r.planned / 3600).toFixed(1)} h; ${r.violations.length} violation(s)`);
  const clock = new SimClock(Date.parse(p.plan.start));
  const bare: Executor = {
    run: async (request) => {
      if (request.purpose === "action") await clock.sleep(request.step.estimate.duration * 1000, request.signal);
      return { exitCode: 0, signal: null, timedOut: false, error: null };
    },
  };
  const sink = { record: () => {}, commit: () => {}, log: () => {} };
  const t3 = performance.now();
  await clock.drive(runForward({ exec: { plan: p, planDir: ".", clock, executor: bare, secrets: {}, redact: (t) => t, log: () => {} }, sink, state: EMPTY_STATE, scope: { only: null, hosts: null } }));
  console.log(`  of which the runtime alone (same plan and clock, an executor that only waits): ${seconds(performance.now() - t3)}`);
  console.log(`  heap used: ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`);
}
