/**
 * How far the plan is from its bound: `npx tsx bench/plan-bound.ts [computes[@parallelism]...]`
 * (default 1k, 10k, 10k at `parallelism 200`, and 50k computes).
 *
 * For each size, two clouds written the way operators write them (bench/cloud.ts,
 * `operatorCloud`: the full control plane from `use openstack`, N computes over N/500
 * availability zones, `rolling { batch 1, 1%, 2%  max-unavailable 10 per az  max-failures 1%
 * order empty-first }`, one nightly window 22:00–06:00 Europe/Berlin with cutoff 30m,
 * `parallelism 64` or the one after `@`): "mixed" (0–29 VMs per compute) and "uniform" (15
 * each), both compiled with a history of evacuations at 30 s an instance (evacuationHistory),
 * so each compute's chain is as long as its VMs make it. Each is rolled in batches and with
 * `then continuous` after the ramp ("+cont"). It compiles each and prints the plan's total
 * and the rolling services' spans beside their bounds (docs/language.md, "The bound"): the
 * caps', `parallelism`'s and the windows' alone, and with the written batches' barriers,
 * pauses and whole chains counted too (the ramp of `then continuous`, every batch
 * otherwise), the services bounded together by `parallelism`, their ratio, and the command
 * that reproduces the figure (`--write DIR` writes a cloud's files; compiled without the
 * history, its evacuations take the default estimate). Each cloud runs in its own process.
 * Figures only, no asserts.
 */
import { fork } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { compileFile } from "../src/compiler/compile.js";
import { nodeLoadHost } from "../src/files/node-host.js";
import { formatDuration } from "../src/base/duration.js";
import { evacuationHistory, operatorCloud } from "./cloud.js";

const START = "2026-12-05T22:00";

function ratio(planned: number, bound: number): string {
  return bound > 0 ? `${(planned / bound).toFixed(2)}×` : "–";
}

function measure(computes: number, parallelism: number, uniform: boolean, continuous: boolean): void {
  const variant = `${uniform ? "uniform" : "mixed"}${continuous ? "+cont" : ""}`;
  const dir = mkdtempSync(join(tmpdir(), "upgradec-plan-bound-"));
  try {
    const { upg, ini } = operatorCloud(computes, { uniform, continuous, parallelism });
    writeFileSync(join(dir, "cloud.upg"), upg);
    writeFileSync(join(dir, "hosts.ini"), ini);
    const t0 = performance.now();
    const history = { history: { value: evacuationHistory(computes), diagnostics: [] } };
    const result = compileFile("cloud.upg", nodeLoadHost(dir), { now: new Date("2026-12-01T12:00:00Z"), compilerVersion: "bench", start: START, ...history });
    const ms = performance.now() - t0;
    const label = `${String(computes).padStart(6)} computes p${String(parallelism).padEnd(4)}${variant.padEnd(12)}`;
    const plan = result.plan;
    const bound = plan?.timing.bound;
    if (!plan || !bound) {
      const first = result.diagnostics.find((d) => d.severity === "error");
      console.log(`${label}  no plan (${first ? `${first.code} ${first.message}` : "no bound"})`);
      return;
    }
    const barriers = bound.barriers ?? bound.total;
    console.log(
      `${label}  plan ${formatDuration(plan.timing.total).padStart(8)}  bound ${formatDuration(bound.total).padStart(8)}  ${ratio(plan.timing.total, bound.total)}` +
        `  with the written batches ${formatDuration(barriers).padStart(8)}  ${ratio(plan.timing.total, barriers)}  (compiled in ${(ms / 1000).toFixed(1)} s)`,
    );
    for (const s of bound.services.filter((x) => x.width > 1 || x.work >= 3600)) {
      const batched = s.barriers ?? s.bound;
      console.log(
        `${" ".repeat(label.length)}    ${s.service}: ${formatDuration(s.planned)} planned, bound ${formatDuration(s.bound)} (${ratio(s.planned, s.bound)}), with its batches ${formatDuration(batched)} (${ratio(s.planned, batched)}); ${(s.work / 3600).toFixed(0)} host-hours, ${s.width} out at once`,
      );
    }
    const shared = bound.shared;
    if (shared) {
      const end = shared.start + shared.bound;
      console.log(`${" ".repeat(label.length)}    together (${shared.services.join(", ")}): ends by ${formatDuration(end)} at the earliest; ${(shared.work / 3600).toFixed(0)} host-hours, ${shared.width} out at once`);
    }
    console.log(`${" ".repeat(label.length)}    reproduce: npx tsx bench/plan-bound.ts --one ${computes}@${parallelism} ${variant.replace("+", " ")}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `10000` or `10000@200`: computes, and `parallelism` (64 unless said). */
function sizeOf(arg: string): { computes: number; parallelism: number } {
  const [computes, parallelism] = arg.split("@");
  return { computes: Number(computes), parallelism: parallelism === undefined ? 64 : Number(parallelism) };
}

const args = process.argv.slice(2);
if (args[0] === "--write") {
  const dir = args[1] ?? "bench-cloud";
  const { computes, parallelism } = sizeOf(args[2] ?? "10000");
  const { upg, ini } = operatorCloud(computes, { uniform: args[3] === "uniform", continuous: args[4] === "cont", parallelism });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "cloud.upg"), upg);
  writeFileSync(join(dir, "hosts.ini"), ini);
  console.log(`wrote ${join(dir, "cloud.upg")} and ${join(dir, "hosts.ini")}`);
} else if (args[0] === "--one") {
  const { computes, parallelism } = sizeOf(args[1] ?? "10000");
  measure(computes, parallelism, args[2] === "uniform", args[3] === "cont");
} else {
  const sizes = args.length > 0 ? args : ["1000", "10000", "10000@200", "50000"];
  const self = fileURLToPath(import.meta.url);
  console.log(`plan against its bound (start ${START} Europe/Berlin); each cloud in its own process; load average ${loadavg().map((l) => l.toFixed(1)).join(" ")}`);
  for (const size of sizes) {
    for (const [variant, mode] of [
      ["mixed", "batches"],
      ["uniform", "batches"],
      ["mixed", "cont"],
      ["uniform", "cont"],
    ]) {
      await new Promise<void>((resolve, reject) => {
        const child = fork(self, ["--one", size, variant as string, mode as string], { stdio: "inherit" });
        child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${size} ${variant} exited with ${code}`))));
      });
    }
  }
}
