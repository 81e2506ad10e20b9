/**
 * Parse speed: generates a 50,000-line .upg file (windows, host sets, services with every
 * kind of block) and prints the median parse time of a few runs and lines per second.
 * Target: under 1 s on the 2-core CI machine. Prints figures; asserts nothing.
 *   npx tsx bench/parse.ts [lines]      (BENCH_DUMP=out.upg also writes the generated file)
 */
import { writeFileSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { parse } from "../src/parser/parse.js";

function generate(targetLines: number): string {
  const out: string[] = [
    'plan "zed-to-2023.1" {',
    "  kind upgrade",
    '  from "zed" to "2023.1"',
    '  start 2026-12-05T22:00 "Europe/Berlin"',
    "}",
    "use openstack",
    'inventory "inventory/multinode"',
  ];
  for (let i = 0; ; i++) {
    const n = String(i).padStart(5, "0");
    const group = [
      `window w${n} { days mon..fri, sun  from 22:00 to 06:00  zone "Europe/Berlin"  cutoff 30m }`,
      `hosts edge${n} = edge${n}[01-04], gw${n}.example.com, cmp${n}[001:240].example.com`,
      `# service ${n}: a compute-like rollout`,
      `service svc${n} extends openstack.nova-compute {`,
      `  on compute, cmp[001-010]`,
      `  after nova-conductor, nova-api`,
      `  tags rolling-upgrade, zero-downtime`,
      `  plane data`,
      `  var packages = ["nova-compute", "python3-nova"]`,
      `  rolling {`,
      `    batch 1, 5%, 10%`,
      `    max-unavailable 2 per az`,
      `    pause 2m`,
      `    max-failures 5% per batch cancel`,
      `  }`,
      `  maintenance { enter ["nova", "service-disable", "{host}"] exit ["nova", "service-enable", "{host}"] }`,
      `  evacuate live-migrate concurrency 4 timeout 30m`,
      `  reboot window w${n} takes 8m`,
      `  upgrade ["apt-get", "install", "-y", "{packages}"] { takes 6m timeout 20m retries 2 backoff 30s env { DEBIAN_FRONTEND = "noninteractive" } }`,
      `  health ["curl", "-sf", "http://{host}:8774/"] { every 5s within 5m healthy-for 30s on-deadline rollback }`,
      `}`,
    ];
    if (out.length + group.length > targetLines) break;
    out.push(...group);
  }
  // Whole declarations only, so the file parses without errors; comments make up the count.
  while (out.length < targetLines) out.push("# end");
  return out.join("\n") + "\n";
}

const lines = Number(process.argv[2] ?? 50_000);
const text = generate(lines);
// BENCH_DUMP=file.upg keeps the generated source, to profile or to try other tools on it.
const dump = process.env["BENCH_DUMP"];
if (dump) writeFileSync(dump, text);
// A compile parses each file once, in a fresh process: collect the previous run's garbage
// before each run, so one run does not pay for the last one's.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const runs = 5;
const times: number[] = [];
let diagnostics = 0;
for (let i = 0; i < runs; i++) {
  gc();
  const t0 = performance.now();
  const result = parse(text, "bench.upg");
  times.push(performance.now() - t0);
  diagnostics = result.diagnostics.length;
}
const sorted = [...times].sort((a, b) => a - b);
const median = sorted[Math.floor(runs / 2)] ?? 0;
console.log(`parse: ${lines} lines, ${(text.length / 1024 / 1024).toFixed(1)} MiB, ${diagnostics} diagnostics`);
console.log(`  runs (ms, in order; the first includes warm-up): ${times.map((t) => t.toFixed(0)).join(", ")}`);
console.log(`  median ${median.toFixed(0)} ms, ${Math.round(lines / (median / 1000)).toLocaleString("en-US")} lines/s (target: under 1000 ms)`);
