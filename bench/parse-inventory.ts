/**
 * Reading a 10,000-host inventory, in the INI and the YAML form: groups, `:children`
 * service groups, per-host vars (az, rack, instances), group_vars/ files. Prints the median
 * of a few runs for each; the target is under 1 s each on a 2-core machine.
 *   npx tsx bench/parse-inventory.ts
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { nodeLoadHost } from "../src/files/node-host.js";
import { readInventory } from "../src/inventory/read-inventory.js";

const HOSTS = 10_000;
const RUNS = 5;
const CONTROL = 3;
const NETWORK = 20;
const STORAGE = 500;
const COMPUTE = HOSTS - CONTROL - NETWORK - STORAGE;
const SERVICES: Record<string, readonly string[]> = {
  nova: ["control"],
  "nova-api": ["nova"],
  "nova-conductor": ["nova"],
  "nova-compute": ["compute"],
  neutron: ["network"],
  "neutron-server": ["control"],
  "neutron-openvswitch-agent": ["network", "compute"],
  cinder: ["control"],
  "cinder-volume": ["storage"],
  common: ["control", "network", "compute", "storage"],
};

const pad = (n: number, width: number) => String(n).padStart(width, "0");
const computeVars = (i: number) => ({ az: `az${(i % 3) + 1}`, rack: `r${pad(Math.floor(i / 40), 3)}`, instances: (i * 7) % 30 });

function ini(): string {
  const lines = ["# generated", "[control]", ...Array.from({ length: CONTROL }, (_, i) => `ctl${pad(i + 1, 2)} ansible_host=10.0.0.${i + 1}`)];
  lines.push("", "[network]", `net[01:${pad(NETWORK, 2)}] az=az1`);
  lines.push("", "[storage]", `stor[001:${pad(STORAGE, 3)}] rack=s01`);
  lines.push("", "[compute]");
  for (let i = 1; i <= COMPUTE; i++) {
    const v = computeVars(i);
    lines.push(`cmp${pad(i, 5)} ansible_host=10.${Math.floor(i / 250)}.${i % 250}.10 az=${v.az} rack=${v.rack} instances=${v.instances}`);
  }
  lines.push("", "[compute:vars]", "nova_virt_type=kvm", "", "[all:vars]", "kolla_base_distro=ubuntu");
  for (const [service, children] of Object.entries(SERVICES)) lines.push("", `[${service}:children]`, ...children);
  return `${lines.join("\n")}\n`;
}

function yaml(): string {
  const out = ["all:", "  vars:", "    kolla_base_distro: ubuntu", "  children:"];
  out.push("    control:", "      hosts:");
  for (let i = 1; i <= CONTROL; i++) out.push(`        ctl${pad(i, 2)}: { ansible_host: 10.0.0.${i} }`);
  out.push("    network:", "      hosts:", `        net[01:${pad(NETWORK, 2)}]: { az: az1 }`);
  out.push("    storage:", "      hosts:", `        stor[001:${pad(STORAGE, 3)}]: { rack: s01 }`);
  out.push("    compute:", "      vars:", "        nova_virt_type: kvm", "      hosts:");
  for (let i = 1; i <= COMPUTE; i++) {
    const v = computeVars(i);
    out.push(`        cmp${pad(i, 5)}:`, `          ansible_host: 10.${Math.floor(i / 250)}.${i % 250}.10`, `          az: ${v.az}`, `          rack: ${v.rack}`, `          instances: ${v.instances}`);
  }
  for (const [service, children] of Object.entries(SERVICES)) {
    out.push(`    ${service}:`, "      children:", ...children.map((c) => `        ${c}:`));
  }
  return `${out.join("\n")}\n`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

const dir = mkdtempSync(join(tmpdir(), "upgradec-bench-inventory-"));
try {
  for (const [form, name, text] of [
    ["INI", "ini/multinode", ini()],
    ["YAML", "yaml/hosts.yml", yaml()],
  ] as const) {
    const path = join(dir, name);
    const base = join(path, "..");
    mkdirSync(join(base, "group_vars"), { recursive: true });
    mkdirSync(join(base, "host_vars"), { recursive: true });
    writeFileSync(path, text);
    writeFileSync(join(base, "group_vars", "all.yml"), "openstack_release: '2023.1'\n");
    writeFileSync(join(base, "group_vars", "compute.yml"), "tunnel_interface: eth2\n");
    writeFileSync(join(base, "host_vars", "cmp00042.yml"), "instances: 0\n");

    const times: number[] = [];
    let hosts = 0;
    let errors = 0;
    for (let run = 0; run < RUNS; run++) {
      const start = performance.now();
      const result = readInventory(path, nodeLoadHost(dir));
      times.push(performance.now() - start);
      hosts = result.value?.hosts.size ?? 0;
      errors = result.diagnostics.length;
    }
    const lines = text.split("\n").length;
    console.log(
      `${form.padEnd(4)}  ${hosts} hosts, ${lines} lines, ${(text.length / 1024).toFixed(0)} KiB: median ${median(times).toFixed(0)} ms over ${RUNS} runs ` +
        `(min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)})${errors ? `, ${errors} diagnostics!` : ""}`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
