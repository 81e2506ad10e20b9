/**
 * Compile speed and memory on generated clouds: `npx tsx bench/compile.ts [sizes...]`.
 *
 * For each size (default 1k, 10k and 50k hosts: 3 controllers, the rest compute, network
 * and storage hosts in 3 availability zones, 15 services) it prints the time and memory of
 *   - build: buildPlan on a ready Model, plus the plan file's text (planFileText);
 *   - end-to-end: compileFile of generated .upg and INI inventory text (parse, load,
 *     resolve, build), once those phases produce a model.
 *   - command: what an operator waits for, `upgradec compile cloud.upg -o plan.json` as a
 *     process from the built CLI (`npm run build`): start-up, compile, the plan file written,
 *     the preview printed; the median of three runs up to 10k hosts.
 * Each size runs in its own process so the peak RSS is that size's. Figures only, no
 * asserts; the target is 10k hosts under 2 s and 1 GiB.
 */
import { fork, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildPlan } from "../src/compiler/build-plan.js";
import { compileFile } from "../src/compiler/compile.js";
import type { Model, ModelService } from "../src/compiler/model.js";
import { nodeLoadHost } from "../src/files/node-host.js";
import { planFileText } from "../src/plan/plan-text.js";
import { action, computeService, host, model, rolling, service } from "../test/compiler/model-builder.js";
import { type Cloud, CONTROL, cloud, pct, sourceText } from "./cloud.js";

function buildModel(c: Cloud): Model {
  const services: ModelService[] = CONTROL.map((name, i) =>
    service(name, {
      hosts: c.controllers,
      after: i > 0 ? [CONTROL[i - 1] as string] : [],
      actions: {
        precheck: action([`${name}-status`, "upgrade", "check"]),
        ...(i >= 2 && i <= 8 ? { expand: action([`${name}-manage`, "db", "expand"]), contract: action([`${name}-manage`, "db", "contract"]) } : {}),
        stop: action(["systemctl", "stop", name]),
        upgrade: action(["apt-get", "install", "-y", name], { takes: 300 }),
        start: action(["systemctl", "start", name]),
        rollback: action(["apt-get", "install", "-y", `${name}={from}`]),
      },
      health: { action: action(["curl", "-sf", `http://{host}/${name}`]), every: 5, within: 300, healthyFor: 30, onDeadline: "stop" },
    }),
  );
  const dataRolling = (n: number) => rolling({ batches: [1, pct(n, 5), pct(n, 10)], maxUnavailable: pct(n, 10), domain: "az", maxUnavailablePerDomain: pct(n, 5), pause: 60 });
  services.push(computeService("nova-compute", c.compute, { after: ["nova-conductor"], rolling: dataRolling(c.compute.length) }));
  services.push(service("neutron-ovs-agent", { hosts: [...c.compute, ...c.network], plane: "data", after: ["neutron-server"], rolling: dataRolling(c.compute.length + c.network.length) }));
  services.push(service("neutron-l3-agent", { hosts: c.network, plane: "data", after: ["neutron-server"], rolling: dataRolling(c.network.length) }));
  services.push(service("cinder-volume", { hosts: c.storage, plane: "data", after: ["cinder-api"], rolling: dataRolling(c.storage.length) }));
  services.push(service("ceph-osd", { hosts: c.storage, plane: "data", rolling: dataRolling(c.storage.length), reboot: { action: action(["systemctl", "reboot"]), window: null, takes: 300 } }));
  const az = (i: number): string => `az${(i % 3) + 1}`;
  return model({
    plan: { parallelism: 200 },
    hosts: [
      ...c.controllers.map((h, i) => host(h, { az: az(i) }, ["control"])),
      ...c.compute.map((h, i) => host(h, { az: az(i), instances: (i * 7) % 20 }, ["compute"])),
      ...c.network.map((h, i) => host(h, { az: az(i) }, ["network"])),
      ...c.storage.map((h, i) => host(h, { az: az(i) }, ["storage"])),
    ],
    services,
  });
}

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

function runOne(size: number): void {
  const c = cloud(size);
  const m = buildModel(c);
  const now = new Date("2026-12-01T12:00:00Z");
  const t0 = performance.now();
  const built = buildPlan(m, { now, compilerVersion: "bench" });
  const t1 = performance.now();
  const json = built.value ? planFileText(built.value) : "";
  const t2 = performance.now();
  const mem = process.memoryUsage();
  const steps = built.value?.steps.length ?? 0;
  const errors = built.diagnostics.filter((d) => d.severity === "error").length;
  console.log(
    `${String(size).padStart(6)} hosts  build ${(t1 - t0).toFixed(0).padStart(5)} ms + text ${(t2 - t1).toFixed(0).padStart(4)} ms = ${(t2 - t0).toFixed(0).padStart(5)} ms` +
      `  ${String(steps).padStart(6)} steps  ${mib(json.length)} json  rss ${mib(mem.rss)}  heap ${mib(mem.heapUsed)}  peak rss ${mib(process.resourceUsage().maxRSS * 1024)}` +
      (errors > 0 ? `  (${errors} errors)` : "") +
      (built.value ? `  total ${(built.value.timing.total / 3600).toFixed(1)} h` : ""),
  );

  const dir = mkdtempSync(join(tmpdir(), "upgradec-bench-"));
  try {
    const { upg, ini } = sourceText(c);
    writeFileSync(join(dir, "cloud.upg"), upg);
    writeFileSync(join(dir, "hosts.ini"), ini);
    const e0 = performance.now();
    const result = compileFile("cloud.upg", nodeLoadHost(dir), { now, compilerVersion: "bench", start: "2026-12-07T22:00" });
    const out = result.plan ? planFileText(result.plan) : "";
    const e1 = performance.now();
    const endMem = process.memoryUsage();
    if (result.plan) {
      console.log(
        `${String(size).padStart(6)} hosts  end-to-end compileFile + text ${(e1 - e0).toFixed(0).padStart(5)} ms  ${result.plan.steps.length} steps  ${mib(out.length)} json` +
          `  rss ${mib(endMem.rss)}  heap ${mib(endMem.heapUsed)}  peak rss ${mib(process.resourceUsage().maxRSS * 1024)}`,
      );
    } else {
      const first = result.diagnostics.find((d) => d.severity === "error");
      const why = result.model === null ? "resolve made no model" : "no plan";
      console.log(`${String(size).padStart(6)} hosts  end-to-end: no plan after ${(e1 - e0).toFixed(0)} ms (${why}; ${result.diagnostics.length} diagnostics${first ? `, first: ${first.code} ${first.message}` : ""})`);
    }
    console.log(`${String(size).padStart(6)} hosts  ${command(dir, size)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `upgradec compile cloud.upg -o plan.json` in `dir`, as a process of the built CLI: its wall
 * time and peak RSS, three times up to 10k hosts (a run's time varies by a tenth or more on
 * a small machine; the median is the figure), once above. Each run after the first writes
 * over the plan file before it, as a recompile does.
 */
function command(dir: string, size: number): string {
  const bin = join(fileURLToPath(new URL("..", import.meta.url)), "bin", "upgradec.js");
  if (!existsSync(join(bin, "..", "..", "dist", "upgradec.mjs"))) return "command: not measured, the CLI is not built (npm run build)";
  // The child reports its own peak RSS as it exits.
  const report = 'data:text/javascript,process.on("exit",()=>process.stderr.write("maxrss "+process.resourceUsage().maxRSS+"\\n"))';
  const times: number[] = [];
  let maxrss = 0;
  for (let run = 0; run < (size <= 10_000 ? 3 : 1); run++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, ["--import", report, bin, "compile", "cloud.upg", "-o", "plan.json"], { cwd: dir, encoding: "utf8", maxBuffer: 1 << 28 });
    const ms = performance.now() - t0;
    if (r.status !== 0) return `command: exit ${r.status} after ${ms.toFixed(0)} ms: ${r.stderr.split("\n").slice(0, 3).join(" ")}`;
    times.push(ms);
    maxrss = Math.max(maxrss, Number(/maxrss (\d+)/.exec(r.stderr)?.[1] ?? NaN) * 1024);
  }
  const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)] as number;
  const each = times.length > 1 ? `  (${times.map((t) => t.toFixed(0)).join(" / ")})` : "";
  return `command: upgradec compile cloud.upg -o plan.json  ${median.toFixed(0).padStart(5)} ms${each}  ${mib(statSync(join(dir, "plan.json")).size)} plan.json  peak rss ${mib(maxrss)}`;
}

const args = process.argv.slice(2);
if (args[0] === "--print-upg") {
  console.log(sourceText(cloud(Number(args[1] ?? 20))).upg);
} else if (args[0] === "--write") {
  // The generated cloud as files, to time the command itself: upgradec compile DIR/cloud.upg -o plan.json
  const dir = args[1] ?? "bench-cloud";
  const { upg, ini } = sourceText(cloud(Number(args[2] ?? 10_000)));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "cloud.upg"), upg);
  writeFileSync(join(dir, "hosts.ini"), ini);
  console.log(`wrote ${join(dir, "cloud.upg")} and ${join(dir, "hosts.ini")}`);
} else if (args[0] === "--one") {
  runOne(Number(args[1]));
} else {
  const sizes = args.length > 0 ? args.map(Number) : [1_000, 10_000, 50_000];
  const self = fileURLToPath(import.meta.url);
  console.log(`node ${process.version}, ${process.platform}/${process.arch}; each size in its own process`);
  for (const size of sizes) {
    await new Promise<void>((resolve, reject) => {
      const child = fork(self, ["--one", String(size)], { stdio: "inherit" });
      child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`size ${size} exited with ${code}`))));
    });
  }
}
