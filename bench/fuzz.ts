/**
 * The long fuzz run of the compile pipeline: `npx tsx bench/fuzz.ts [N] [--seed S] [--out DIR]`.
 *
 * Runs N mutated inputs (default 100,000; test/fuzz/compile-fuzz.ts makes them and says what
 * must hold) in this process, and counts an input as failed when it breaks a rule or takes
 * longer than 20 s. Prints progress every 1,000 inputs, then the totals; each failing input
 * is written to DIR (default a temporary directory) with what went wrong, to be replayed.
 * Exits 1 when anything failed.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { corpus, describeInput, failureOf, inputs } from "../test/fuzz/compile-fuzz.js";

const SLOW_MS = 20_000;
const BATCH = 100;

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const total = Number(process.argv[2] && !process.argv[2].startsWith("--") ? process.argv[2] : 100_000);
const seed = Number(option("--seed") ?? Date.now() % 1_000_000);
const out = option("--out") ?? mkdtempSync(join(tmpdir(), "upgradec-fuzz-"));
mkdirSync(out, { recursive: true });

const arbitrary = inputs(corpus());
const started = Date.now();
let tried = 0;
let failed = 0;
let slowest = 0;
const causes = new Map<string, number>();
console.log(`fuzzing the compiler: ${total} inputs, seed ${seed}, failures to ${out}`);
for (let batch = 0; tried < total; batch++) {
  for (const input of fc.sample(arbitrary, { numRuns: Math.min(BATCH, total - tried), seed: seed + batch })) {
    const t0 = Date.now();
    let failure = failureOf(input);
    const ms = Date.now() - t0;
    slowest = Math.max(slowest, ms);
    if (!failure && ms > SLOW_MS) failure = `slow: ${ms} ms`;
    tried++;
    if (failure) {
      failed++;
      const cause = failure.replace(/\d+/g, "N").slice(0, 80);
      causes.set(cause, (causes.get(cause) ?? 0) + 1);
      writeFileSync(join(out, `failure-${failed}.bin`), input.bytes);
      writeFileSync(join(out, `failure-${failed}.txt`), `${describeInput(input)}\ntarget: ${input.target}\n${failure}\n`);
      console.log(`FAIL ${describeInput(input)}: ${failure}`);
    }
    if (tried % 1000 === 0) {
      const seconds = (Date.now() - started) / 1000;
      console.log(`${tried} inputs tried, ${failed} failed, ${(tried / seconds).toFixed(1)} inputs/s, slowest ${slowest} ms, rss ${Math.round(process.memoryUsage().rss / 1e6)} MB`);
    }
  }
}
console.log(`done: ${tried} inputs tried, ${failed} failed in ${Math.round((Date.now() - started) / 1000)} s (seed ${seed}); slowest input ${slowest} ms`);
for (const [cause, n] of [...causes].sort((a, b) => b[1] - a[1])) console.log(`  ${n} × ${cause}`);
process.exitCode = failed > 0 ? 1 : 0;
