/**
 * Runtime overhead: a plan of 2,000 no-op steps (`true`) at parallelism 16, run by the
 * runtime (scheduler, journal with fsync, step logs, caps), against spawning the same 2,000
 * `true` processes with the same concurrency through execa and nothing else.
 *
 *   npx tsx bench/runtime.ts [steps] [parallelism]
 *
 * Prints both times and the ratio (target: at most 1.3).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { execa } from "execa";
import { ExitCode } from "../src/cli/exit-codes.js";
import { runPlan } from "../src/cli/session.js";
import { argv, makePlan, step, writePlan } from "../test/runtime/plan-builder.js";

const count = Number(process.argv[2] ?? 2000);
const parallelism = Number(process.argv[3] ?? 16);

/** CPU time this process spent (user + system, ms): steadier than wall time on a shared machine. */
const cpu: { bare: number[]; runtime: number[] } = { bare: [], runtime: [] };
const cpuMs = (since: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
};

async function bare(): Promise<number> {
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      next += 1;
      await execa("true");
    }
  };
  await Promise.all(Array.from({ length: parallelism }, worker));
  cpu.bare.push(cpuMs(cpu0));
  return performance.now() - started;
}

async function runtime(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "upgradec-bench-"));
  try {
    const steps = Array.from({ length: count }, (_, i) => step(`noop/${String(i).padStart(4, "0")}`, { command: argv(["true"]), estimate: { start: 0, duration: 1 } }));
    writePlan(dir, makePlan({ dir, hosts: [], services: [], steps, parallelism }));
    const sink = new PassThrough();
    sink.resume();
    const started = performance.now();
    const cpu0 = process.cpuUsage();
    const code = await runPlan({ plan: "plan.json" }, { stdout: sink, stderr: sink, cwd: dir, env: process.env });
    const elapsed = performance.now() - started;
    cpu.runtime.push(cpuMs(cpu0));
    if (code !== ExitCode.Ok) throw new Error(`the run exited ${code}`);
    return elapsed;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Warm up both paths once (module loading, the first spawns), then alternate: the machine's
// load drifts, so each runtime round is compared with the bare round just before it.
await bare();
const rounds = Number(process.env["ROUNDS"] ?? 5);
const b: number[] = [];
const r: number[] = [];
for (let i = 0; i < rounds; i++) {
  b.push(await bare());
  r.push(await runtime());
}
const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? 0;
const ratios = r.map((x, i) => x / (b[i] ?? x));
console.log(`${count} steps of \`true\`, parallelism ${parallelism}, ${rounds} rounds`);
console.log(`  bare execa:  median ${(median(b) / 1000).toFixed(2)} s  (${b.map((x) => (x / 1000).toFixed(2)).join(", ")})`);
console.log(`  runtime:     median ${(median(r) / 1000).toFixed(2)} s  (${r.map((x) => (x / 1000).toFixed(2)).join(", ")})  journal fsynced before every start`);
console.log(`  cpu (this process): bare median ${median(cpu.bare.slice(1)).toFixed(0)} ms, runtime median ${median(cpu.runtime).toFixed(0)} ms`);
console.log(`  ratio:       median ${median(ratios).toFixed(2)}x  (per round: ${ratios.map((x) => x.toFixed(2)).join(", ")}; target <= 1.30)`);
