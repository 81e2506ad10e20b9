/**
 * Generated clouds for the benchmarks, one generator for all of them:
 *   - `cloud(size)` and `sourceText`: the compile benchmark's cloud (3 controllers, computes,
 *     network and storage hosts in 3 zones, 15 services written out in full);
 *   - `operatorCloud`: a cloud written the way operators write one, the full control plane
 *     from `use openstack` (examples/upgrade-zed-to-2023.1, its kolla inventory) with N
 *     computes named as `cloud` names them, spread over N/500 availability zones with `az`
 *     and `instances` host vars, one nightly window and `parallelism 64`;
 *   - `evacuationHistory`: the history of evacuations per instance such clouds are compiled
 *     with (bench/plan-bound.ts, bench/plan-slots.ts).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { History } from "../src/plan/history.js";

/** `prefix00001` … : the hosts' names in every generated cloud. */
export const seq = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}${String(i + 1).padStart(5, "0")}`);

export interface Cloud {
  readonly controllers: string[];
  readonly compute: string[];
  readonly network: string[];
  readonly storage: string[];
}

export function cloud(size: number): Cloud {
  const rest = size - 3;
  const network = Math.max(1, Math.floor(rest * 0.05));
  const storage = Math.max(1, Math.floor(rest * 0.1));
  const compute = rest - network - storage;
  return { controllers: ["ctl1", "ctl2", "ctl3"], compute: seq("cmp", compute), network: seq("net", network), storage: seq("sto", storage) };
}

export const CONTROL = ["mariadb", "rabbitmq", "keystone", "placement", "glance", "cinder-api", "nova-api", "nova-conductor", "neutron-server", "horizon"] as const;

export const pct = (n: number, p: number): number => Math.max(1, Math.floor((n * p) / 100));

/** The same cloud as .upg and INI text, for the end-to-end figure. */
export function sourceText(c: Cloud): { upg: string; ini: string } {
  const lines: string[] = ['plan "bench" { kind upgrade  from "zed" to "2023.1"  start 2026-12-07T22:00 "Europe/Berlin"  parallelism 200 }', 'inventory "hosts.ini"', ""];
  CONTROL.forEach((name, i) => {
    lines.push(`service ${name} {`, "  on control", i > 0 ? `  after ${CONTROL[i - 1]}` : "", "  tags rolling-upgrade", "  plane control", "  rolling { batch 1  max-unavailable 1 }");
    lines.push(`  precheck ["${name}-status", "upgrade", "check"]`);
    if (i >= 2 && i <= 8) lines.push(`  expand ["${name}-manage", "db", "expand"]`, `  contract ["${name}-manage", "db", "contract"]`);
    lines.push(`  stop ["systemctl", "stop", "${name}"]`, `  upgrade ["apt-get", "install", "-y", "${name}"] { takes 5m }`, `  start ["systemctl", "start", "${name}"]`);
    lines.push(`  rollback ["apt-get", "install", "-y", "${name}={from}"]`, `  health ["curl", "-sf", "http://{host}/${name}"] { every 5s  within 5m  healthy-for 30s }`, "}", "");
  });
  const data = (name: string, on: string, after: string | null, extra: string[]): void => {
    lines.push(`service ${name} {`, `  on ${on}`, after ? `  after ${after}` : "", "  tags rolling-upgrade", "  plane data");
    lines.push("  rolling { batch 1, 5%, 10%  max-unavailable 10%  max-unavailable 15% per az  pause 1m }", ...extra);
    lines.push(`  upgrade ["apt-get", "install", "-y", "${name}"]`, "}", "");
  };
  data("nova-compute", "compute", "nova-conductor", [
    '  maintenance { enter ["openstack", "compute", "service", "set", "--disable", "{host}", "nova-compute"] exit ["openstack", "compute", "service", "set", "--enable", "{host}", "nova-compute"] }',
    '  evacuate live-migrate concurrency 4 timeout 30m { run ["nova-evacuate", "{host}"] }',
    '  reboot ["systemctl", "reboot"] takes 5m',
    '  stop ["systemctl", "stop", "nova-compute"]',
    '  start ["systemctl", "start", "nova-compute"]',
    '  health ["curl", "-sf", "http://{host}:8774/"] { every 10s  within 10m  healthy-for 30s }',
  ]);
  data("neutron-ovs-agent", "compute, network", "neutron-server", []);
  data("neutron-l3-agent", "network", "neutron-server", []);
  data("cinder-volume", "storage", "cinder-api", []);
  data("ceph-osd", "storage", null, ['  reboot ["systemctl", "reboot"] takes 5m']);
  const ini: string[] = ["[control]", ...c.controllers.map((h, i) => `${h} az=az${(i % 3) + 1}`)];
  ini.push("", "[compute]", ...c.compute.map((h, i) => `${h} az=az${(i % 3) + 1} instances=${(i * 7) % 20}`));
  ini.push("", "[network]", ...c.network.map((h, i) => `${h} az=az${(i % 3) + 1}`));
  ini.push("", "[storage]", ...c.storage.map((h, i) => `${h} az=az${(i % 3) + 1}`), "");
  return { upg: lines.filter((l) => l !== "").join("\n") + "\n", ini: ini.join("\n") };
}

export interface OperatorCloudOptions {
  /** Every compute holds the same number of VMs (its chains are alike), else 0–29 VMs. */
  readonly uniform: boolean;
  /** `parallelism`; 64 unless said. */
  readonly parallelism?: number;
  /** nova-compute rolls `batch 1, 1%, 2% then continuous` (no barrier after the ramp) instead of in batches. */
  readonly continuous?: boolean;
}

const EXAMPLE = join(fileURLToPath(new URL("..", import.meta.url)), "examples", "upgrade-zed-to-2023.1");

/**
 * The example's cloud with `computes` computes in ceil(computes/500) zones, every service in
 * one nightly window 22:00–06:00 Europe/Berlin (cutoff 30m), and nova-compute rolled with
 * `batch 1, 1%, 2%  max-unavailable 10 per az  max-failures 1%  order empty-first` (with
 * `continuous`, `batch 1, 1%, 2% then continuous`: what an operator who wants it short writes).
 */
export function operatorCloud(computes: number, options: OperatorCloudOptions): { upg: string; ini: string } {
  const zones = Math.max(1, Math.ceil(computes / 500));
  const names = seq("cmp", computes);
  const instances = (i: number): number => (options.uniform ? 15 : (i * 7) % 30);
  const hosts = names.map((h, i) => `${h} az=az${(i % zones) + 1} instances=${instances(i)}`);
  const inventory = readFileSync(join(EXAMPLE, "multinode"), "utf8")
    .split("\n")
    .filter((l) => !/^cmp\d/.test(l))
    .join("\n")
    .replace(/^\[compute\]$/m, ["[compute]", ...hosts].join("\n"));
  let upg = readFileSync(join(EXAMPLE, "cloud.upg"), "utf8")
    .replace(/^window .*$/gm, "")
    .replace(/window saturday-night|window nightly/g, "window nightly")
    .replace(/^inventory .*$/m, 'inventory "hosts.ini"\nwindow nightly { days mon..sun  from 22:00 to 06:00  zone "Europe/Berlin"  cutoff 30m }')
    .replace(/^(\s*deploy .*)$/m, `$1\n  parallelism ${options.parallelism ?? 64}`);
  upg = upg.replace(/(service nova-compute extends openstack\.nova-compute \{[^]*?)rolling \{[^}]*\}/, `$1rolling { batch 1, 1%, 2%${options.continuous === true ? " then continuous" : ""}  max-unavailable 10 per az  max-failures 1%  order empty-first }`);
  return { upg, ini: inventory };
}

/** Seconds an instance's live migration took in the history the mixed clouds are compiled with. */
const PER_INSTANCE = 30;

/**
 * One earlier run's evacuations, as `compile --history` reads them from a journal: 20 computes
 * that held VMs, each evacuated in PER_INSTANCE seconds an instance. With it, each compute's
 * evacuation is planned at its own instance count times the median (docs/language.md,
 * "Estimates that learn"), so the mixed cloud's chains differ (0–29 VMs: 10m20s to 24m50s;
 * uniform, 15 VMs: 17m50s each); without it every evacuation has the same default estimate
 * and the mixed cloud is the uniform one. Both clouds are compiled with it.
 */
export function evacuationHistory(computes: number): History {
  const samples = [];
  for (let i = 0; i < computes && samples.length < 20; i++) {
    const instances = (i * 7) % 30; // operatorCloud's mixed count for the i-th compute
    if (instances === 0) continue;
    samples.push({ service: "nova-compute", action: "evacuate" as const, host: `cmp${String(i + 1).padStart(5, "0")}`, seconds: instances * PER_INSTANCE, run: "bench" });
  }
  return { runs: [{ run: "bench", plan: "bench", journal: "bench/plan-bound.ts", sha256: "0".repeat(64), samples: samples.length }], samples };
}
