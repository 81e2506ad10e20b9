/**
 * Runtime overhead against the operating system's own limit: a rollout of N local hosts
 * (default 200) × 5 no-op steps (`/bin/true`: maintenance enter, stop, upgrade, start,
 * maintenance exit), `rolling { batch P  max-unavailable P }` and `parallelism P` (default
 * 16), run by the built CLI (`upgradec run plan.json`: start-up, plan checks, lock, journal
 * fsynced before every start and after every end, step logs, caps), against two baselines,
 * each a fresh Node process like the CLI:
 *
 *   - bare spawn: the same 5·N `/bin/true` processes with `child_process.spawn`, P at a time,
 *     and nothing else (the operating system's limit). Its children's output goes nowhere
 *     (`stdio: "ignore"`), while the runtime reads it through two pipes per command for the
 *     step's log, in a process group of the command's own; so a third baseline,
 *   - piped spawn: the same as bare spawn with the runtime's stdio (stdout and stderr piped and
 *     read, `detached: true`), says what capturing the output costs by itself;
 *   - barrier: the same spawns batch by batch, as the plan orders them (each host's 5 steps
 *     one after another, P hosts at once, a batch starts when the one before it has ended):
 *     the lower bound of any runtime that keeps the batches, so `runtime / barrier` is the
 *     runtime's own cost and `barrier / bare` the batches'.
 *
 *   npm run build && ROUNDS=7 npx tsx bench/runtime.ts [hosts] [parallelism]
 *
 * The four run interleaved, round after round (the machine's load drifts; a shared machine
 * drifts a lot), and each ratio is the median of the per-round ratios. CPU is the time the
 * process and its children spent (user + system; the runner waits for its spawner process,
 * so the spawner's and the commands' time is counted), steadier than wall time under load.
 * The CLI's start-up is `upgradec --version` against `node -e 0`, and a run's is `upgradec
 * run` of one host's 5 steps (start-up, plan checks, lock, journal, 5 commands, end).
 * Target: runtime / bare <= 1.3.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const hosts = Number(process.argv[2] ?? 200);
const parallelism = Number(process.argv[3] ?? 16);
const rounds = Number(process.env["ROUNDS"] ?? 5);
const STEPS = 5;
const TRUE = "/bin/true";

const root = join(fileURLToPath(import.meta.url), "..", "..");
const cli = join(root, "bin", "upgradec.js");

function planSource(count = hosts): string {
  return [
    `plan "bench" { kind update  from "a" to "b"  parallelism ${parallelism} }`,
    `hosts nodes = n[0001-${String(count).padStart(4, "0")}]`,
    "service noop {",
    "  on nodes",
    "  tags rolling-upgrade",
    `  rolling { batch ${parallelism}  max-unavailable ${parallelism} }`,
    `  maintenance { enter ["${TRUE}"] exit ["${TRUE}"] }`,
    `  stop ["${TRUE}"]`,
    `  upgrade ["${TRUE}"]`,
    `  start ["${TRUE}"]`,
    `  rollback ["${TRUE}"]`,
    "}",
    "",
  ].join("\n");
}

/** A worker pool of `parallelism` spawning `count` processes, nothing else. */
const bareScript = `
import { spawn } from "node:child_process";
const one = () => new Promise((resolve, reject) => { const c = spawn(${JSON.stringify(TRUE)}, [], { stdio: "ignore" }); c.on("error", reject); c.on("close", resolve); });
let next = 0;
const worker = async () => { while (next < ${hosts * STEPS}) { next += 1; await one(); } };
await Promise.all(Array.from({ length: ${parallelism} }, worker));
`;

/** The same pool, each command with the runtime's stdio: stdout and stderr piped and read, a process group of its own. */
const pipedScript = `
import { spawn } from "node:child_process";
const one = () => new Promise((resolve, reject) => {
  const c = spawn(${JSON.stringify(TRUE)}, [], { stdio: ["ignore", "pipe", "pipe"], detached: true });
  for (const s of [c.stdout, c.stderr]) { s.setEncoding("utf8"); s.on("data", () => undefined); }
  c.on("error", reject); c.on("close", resolve);
});
let next = 0;
const worker = async () => { while (next < ${hosts * STEPS}) { next += 1; await one(); } };
await Promise.all(Array.from({ length: ${parallelism} }, worker));
`;

/** Batch by batch: each host's steps in order, the batch's hosts at once, then the next batch. */
const barrierScript = `
import { spawn } from "node:child_process";
const one = () => new Promise((resolve, reject) => { const c = spawn(${JSON.stringify(TRUE)}, [], { stdio: "ignore" }); c.on("error", reject); c.on("close", resolve); });
const host = async () => { for (let s = 0; s < ${STEPS}; s++) await one(); };
for (let first = 0; first < ${hosts}; first += ${parallelism}) {
  await Promise.all(Array.from({ length: Math.min(${parallelism}, ${hosts} - first) }, host));
}
`;

/** CPU seconds of this process's waited-for children (Linux: /proc/self/stat cutime + cstime). */
function childrenCpu(): number {
  const stat = readFileSync("/proc/self/stat", "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

interface Timed {
  readonly wall: number;
  readonly cpu: number;
}

function timed(file: string, args: readonly string[], cwd: string): Timed {
  const cpu0 = childrenCpu();
  const started = performance.now();
  const r = spawnSync(file, [...args], { cwd, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
  const wall = (performance.now() - started) / 1000;
  if (r.status !== 0) throw new Error(`${file} ${args.join(" ")} exited ${String(r.status)}: ${r.stderr}`);
  return { wall, cpu: childrenCpu() - cpu0 };
}

if (!existsSync(join(root, "dist", "upgradec.mjs"))) throw new Error("build the CLI first: npm run build");
const dir = mkdtempSync(join(tmpdir(), "upgradec-bench-"));
try {
  writeFileSync(join(dir, "bench.upg"), planSource());
  writeFileSync(join(dir, "one.upg"), planSource(1));
  writeFileSync(join(dir, "bare.mjs"), bareScript);
  writeFileSync(join(dir, "barrier.mjs"), barrierScript);
  writeFileSync(join(dir, "piped.mjs"), pipedScript);
  timed(process.execPath, [cli, "compile", "bench.upg", "-o", "plan.json"], dir);
  timed(process.execPath, [cli, "compile", "one.upg", "-o", "one.json"], dir);

  let run = 0;
  const runOf = (planFile: string): Timed => {
    run += 1;
    const state = join(dir, `state-${run}`);
    try {
      return timed(process.execPath, [cli, "run", planFile, "--state", state], dir);
    } finally {
      rmSync(state, { recursive: true, force: true });
    }
  };
  const runtime = (): Timed => runOf("plan.json");
  const runStart = (): Timed => runOf("one.json");
  const bare = (): Timed => timed(process.execPath, ["bare.mjs"], dir);
  const barrier = (): Timed => timed(process.execPath, ["barrier.mjs"], dir);
  const piped = (): Timed => timed(process.execPath, ["piped.mjs"], dir);
  const startup = (): Timed => timed(process.execPath, [cli, "--version"], dir);
  const node = (): Timed => timed(process.execPath, ["-e", "0"], dir);

  const load = (): string => loadavg().map((x) => x.toFixed(2)).join(" ");
  const loadBefore = load();
  // Once each to warm the page cache, then interleaved rounds.
  for (const f of [bare, barrier, piped, runtime, startup, runStart, node]) f();
  const results: Record<"bare" | "barrier" | "piped" | "runtime" | "startup" | "runStart" | "node", Timed[]> = { bare: [], barrier: [], piped: [], runtime: [], startup: [], runStart: [], node: [] };
  for (let i = 0; i < rounds; i++) {
    results.bare.push(bare());
    results.runtime.push(runtime());
    results.barrier.push(barrier());
    results.piped.push(piped());
    for (let k = 0; k < 3; k++) {
      results.startup.push(startup());
      results.runStart.push(runStart());
      results.node.push(node());
    }
  }

  const median = (xs: readonly number[]): number => {
    const s = [...xs].sort((a, b) => a - b);
    const mid = Math.floor(s.length / 2);
    return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
  };
  const wall = (k: keyof typeof results): number[] => results[k].map((t) => t.wall);
  const cpu = (k: keyof typeof results): number[] => results[k].map((t) => t.cpu);
  const ratios = (a: number[], b: number[]): number[] => a.map((x, i) => x / (b[i] ?? x));
  const line = (name: string, k: keyof typeof results): string =>
    `  ${name.padEnd(12)} wall median ${median(wall(k)).toFixed(2)} s (${wall(k).map((x) => x.toFixed(2)).join(", ")})  cpu median ${median(cpu(k)).toFixed(2)} s`;
  const ratioLine = (name: string, r: number[], target = ""): string =>
    `  ${name.padEnd(20)} median ${median(r).toFixed(2)}x  (per round: ${r.map((x) => x.toFixed(2)).join(", ")})${target}`;

  console.log(`${hosts} local hosts x ${STEPS} steps of ${TRUE} (${hosts * STEPS} processes), batch ${parallelism}, parallelism ${parallelism}, ${rounds} rounds`);
  console.log(`  load average before ${loadBefore}, after ${load()} (1, 5, 15 min)`);
  console.log(line("bare spawn", "bare"));
  console.log(line("barrier", "barrier"));
  console.log(line("piped spawn", "piped"));
  console.log(line("upgradec run", "runtime"));
  console.log(ratioLine("run / bare spawn", ratios(wall("runtime"), wall("bare")), "  target <= 1.30"));
  console.log(ratioLine("run / barrier", ratios(wall("runtime"), wall("barrier"))));
  console.log(ratioLine("barrier / bare", ratios(wall("barrier"), wall("bare"))));
  console.log(ratioLine("run / piped spawn", ratios(wall("runtime"), wall("piped"))));
  console.log(ratioLine("piped / bare", ratios(wall("piped"), wall("bare"))));
  console.log(ratioLine("cpu: run / bare", ratios(cpu("runtime"), cpu("bare"))));
  console.log(
    `  start-up: upgradec --version median ${(median(wall("startup")) * 1000).toFixed(0)} ms, upgradec run (1 host x ${STEPS} steps) median ${(median(wall("runStart")) * 1000).toFixed(0)} ms, node -e 0 median ${(median(wall("node")) * 1000).toFixed(0)} ms (${results.startup.length} each)`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
