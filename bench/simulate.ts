/**
 * Simulation speed: `npx tsx bench/simulate.ts [--runs N] [--events] [computes...]` (default
 * 1k, 10k and 50k computes, 3 runs each).
 *
 * For each size, the cloud written the way operators write one (bench/cloud.ts,
 * `operatorCloud`, mixed: the full control plane from `use openstack`, N computes with 0–29
 * VMs over N/500 availability zones, `rolling { batch 1, 1%, 2%  max-unavailable 10 per az
 * max-failures 1%  order empty-first }`, one nightly window 22:00–06:00 Europe/Berlin with
 * cutoff 30m, `parallelism 64`), compiled once with the built binary, then
 * `node bin/upgradec.js simulate plan.json` run N times as a user runs it: loading and
 * checking the plan file, the runtime's scheduler on the cloud model, the report. It prints
 * the median wall time and CPU time (user + system, the child's own), the growth from one
 * size to the next beside the growth of the cloud (linear: the two ratios alike), the goal
 * (under 5 s at 10,000 computes), and the commands that reproduce one figure. `--events`
 * adds `--events FILE` to each run. Wall time on a shared machine depends on its load (the
 * load average is printed); CPU time much less. Figures only, no asserts. `npm run build`
 * first: it measures the bundle the binary runs.
 *
 * Where the time goes: `node --cpu-prof bin/upgradec.js simulate DIR/plan.json`, with DIR
 * from `npx tsx bench/simulate.ts --write DIR 10000`.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { operatorCloud } from "./cloud.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BIN = join(ROOT, "bin", "upgradec.js");
const START = "2026-12-05T22:00";
/** The goal at 10,000 computes (issue 17), in seconds of wall time. */
const GOAL_10K = 5;
interface Sample {
  readonly wall: number;
  readonly cpu: number;
}

function writeCloud(dir: string, computes: number): void {
  const { upg, ini } = operatorCloud(computes, { uniform: false });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "cloud.upg"), upg);
  writeFileSync(join(dir, "hosts.ini"), ini);
}

function upgradec(args: readonly string[], cwd: string, cpuFile: string): Sample & { status: number | null; stderr: string } {
  const t0 = performance.now();
  const child = spawnSync(process.execPath, ["--import", cpuHook(), BIN, ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: "1", UPGRADEC_BENCH_CPU: cpuFile },
    stdio: ["ignore", "ignore", "pipe"],
    maxBuffer: 64 * 2 ** 20,
  });
  const wall = (performance.now() - t0) / 1000;
  const cpu = existsSync(cpuFile) ? Number(readFileSync(cpuFile, "utf8")) / 1e6 : NaN;
  return { wall, cpu, status: child.status, stderr: child.stderr.toString("utf8") };
}

/** Run before the CLI: writes the process's own CPU time (user + system, µs) to $UPGRADEC_BENCH_CPU as it exits. */
function cpuHook(): string {
  return (
    "data:text/javascript," +
    encodeURIComponent('import { writeFileSync } from "node:fs"; process.on("exit", () => { const c = process.cpuUsage(); writeFileSync(process.env.UPGRADEC_BENCH_CPU, String(c.user + c.system)); });')
  );
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 === 1 ? (s[(s.length - 1) / 2] as number) : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};
const secs = (s: number): string => `${s.toFixed(2)} s`;

function measure(computes: number, runs: number, events: boolean): Sample | null {
  const dir = mkdtempSync(join(tmpdir(), "upgradec-bench-simulate-"));
  const cpuFile = join(dir, "cpu");
  try {
    writeCloud(dir, computes);
    const compiled = upgradec(["compile", "cloud.upg", "--start", START, "-o", "plan.json"], dir, cpuFile);
    const label = `${String(computes).padStart(6)} computes`;
    if (compiled.status !== 0) {
      console.log(`${label}  compile failed (exit ${compiled.status}): ${compiled.stderr.split("\n")[0] ?? ""}`);
      return null;
    }
    const samples: Sample[] = [];
    for (let i = 0; i < runs; i++) {
      const args = ["simulate", "plan.json", ...(events ? ["--events", `events-${i}.jsonl`] : [])];
      const r = upgradec(args, dir, cpuFile);
      if (r.status !== 0) {
        console.log(`${label}  simulate exited ${r.status}: ${r.stderr.split("\n")[0] ?? ""}`);
        return null;
      }
      samples.push(r);
    }
    const result = { wall: median(samples.map((s) => s.wall)), cpu: median(samples.map((s) => s.cpu)) };
    console.log(
      `${label}  simulate ${secs(result.wall).padStart(8)} wall, ${secs(result.cpu).padStart(8)} CPU (median of ${runs}; runs ${samples.map((s) => s.wall.toFixed(1)).join(", ")} s)  compile ${secs(compiled.wall)}`,
    );
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function main(args: readonly string[]): void {
  if (args[0] === "--write") {
    const dir = args[1] ?? "bench-cloud";
    writeCloud(dir, Number(args[2] ?? 10_000));
    console.log(`wrote ${join(dir, "cloud.upg")} and ${join(dir, "hosts.ini")}`);
    return;
  }
  if (!existsSync(join(ROOT, "dist", "upgradec.mjs"))) {
    console.log("no dist/upgradec.mjs: run `npm run build` first");
    process.exitCode = 2;
    return;
  }
  let runs = 3;
  let events = false;
  const sizes: number[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--runs") runs = Math.max(1, Number(args[++i] ?? 3));
    else if (a === "--events") events = true;
    else if (Number(a) > 0) sizes.push(Number(a));
  }
  const load = loadavg().map((l) => l.toFixed(1)).join(" ");
  console.log(`upgradec simulate on the operator cloud (mixed), start ${START}${events ? ", with --events" : ""}; load average ${load} on this machine`);
  const results: [number, Sample][] = [];
  for (const size of sizes.length > 0 ? sizes : [1_000, 10_000, 50_000]) {
    const r = measure(size, runs, events);
    if (r !== null) results.push([size, r]);
  }
  console.log("growth (linear when the time grows as the cloud does):");
  for (let i = 1; i < results.length; i++) {
    const [n0, a] = results[i - 1] as [number, Sample];
    const [n1, b] = results[i] as [number, Sample];
    console.log(`  ${n0} → ${n1} computes (×${(n1 / n0).toFixed(1)}): wall ×${(b.wall / a.wall).toFixed(2)}, CPU ×${(b.cpu / a.cpu).toFixed(2)}`);
  }
  for (const [n, r] of results) console.log(`  ${String(n).padStart(6)} computes: ${((r.cpu / n) * 1e6).toFixed(0)} µs CPU per compute`);
  const tenK = results.find(([n]) => n === 10_000)?.[1];
  if (tenK) console.log(`goal: under ${GOAL_10K} s wall at 10,000 computes: ${secs(tenK.wall)} wall, ${secs(tenK.cpu)} CPU (${tenK.wall < GOAL_10K ? "met" : "not met"} on this machine now)`);
  console.log(
    `reproduce one: npx tsx bench/simulate.ts --write DIR 10000 && node bin/upgradec.js compile DIR/cloud.upg --start ${START} -o DIR/plan.json && time node bin/upgradec.js simulate DIR/plan.json`,
  );
}

main(process.argv.slice(2));
