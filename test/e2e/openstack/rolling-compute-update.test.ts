/**
 * upgradec against a real OpenStack: the lab of test/e2e/openstack (Debian's Zed; keystone,
 * placement, glance, neutron API, nova with three fake-driver computes on 127.0.0.1),
 * started by `.ci/run` (lab-up.sh) before the tests and stopped by pid after them.
 *
 * The plan (plan/compute-update.upg) uses `use openstack` for what to do with a compute
 * (disable, live-migrate its servers away, enable) and the lab's compute.sh to restart a
 * compute as the new release (service version 65 against 64). Everything asserted is
 * OpenStack's own state, read from its database while the run goes on and after: the
 * servers, their hosts, each compute's disabled flag and service version.
 *
 * Without a lab (no $UPGRADEC_OPENSTACK_LAB/lab.env) the tests are skipped, except in CI,
 * where they fail: .ci/run starts the lab.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JournalRecord } from "../../../src/runtime/journal.js";
import { journalOf } from "../../runtime/harness.js";

const here = import.meta.dirname;
const repoRoot = join(here, "..", "..", "..");
const bin = join(repoRoot, "bin", "upgradec.js");
const planSource = join(here, "plan", "compute-update.upg");
const LAB = process.env["UPGRADEC_OPENSTACK_LAB"] ?? "/tmp/upgradec-openstack-lab";
/** A lab is up when its state directory has its facts and the pids of running processes (lab-down empties pids/). */
const labUp = existsSync(join(LAB, "lab.env")) && existsSync(join(LAB, "pids")) && readdirSync(join(LAB, "pids")).length > 0;
const inCI = process.env["CI"] === "true" || process.env["CI"] === "1";
if (!labUp && !inCI) console.warn(`no OpenStack lab in ${LAB}: the OpenStack tests are skipped (sudo bash test/e2e/openstack/lab-up.sh)`);

const COMPUTES = ["cmp1", "cmp2", "cmp3"];
const SERVERS = 4;

/** The lab's admin credentials (adminrc's exports) and its scripts on the PATH. */
function labEnv(): Record<string, string> {
  const env: Record<string, string> = { UPGRADEC_OPENSTACK_LAB: LAB, PATH: `${here}:${process.env["PATH"] ?? ""}` };
  for (const m of readFileSync(join(LAB, "adminrc"), "utf8").matchAll(/(OS_[A-Z_]+)=(\S+)/g)) env[m[1] ?? ""] = m[2] ?? "";
  return env;
}

async function sh(script: string, timeoutMs = 300_000) {
  return execa("bash", ["-c", script], { env: labEnv(), reject: false, all: true, timeout: timeoutMs });
}

async function upgradec(cwd: string, ...args: string[]) {
  return execa(process.execPath, [bin, ...args], { cwd, env: { ...labEnv(), NO_COLOR: "1" }, reject: false, all: true, timeout: 900_000 });
}

/** One query against nova's database: rows of tab-separated columns. */
async function query(sql: string): Promise<string[][]> {
  const r = await execa("mysql", [`--defaults-file=${join(LAB, "my.cnf")}`, "-N", "-B", "-e", sql], { reject: false });
  if (r.exitCode !== 0) throw new Error(`mysql: ${r.stderr}`);
  return r.stdout === "" ? [] : r.stdout.split("\n").map((l) => l.split("\t"));
}

interface Compute {
  readonly host: string;
  readonly disabled: boolean;
  readonly version: number;
}

async function computes(): Promise<Compute[]> {
  const rows = await query("select host, disabled, version from nova.services where topic='compute' and deleted=0 order by host");
  return rows.map(([host, disabled, version]) => ({ host: host ?? "", disabled: disabled === "1", version: Number(version) }));
}

/** Server id → [status, host] as nova's database has them. */
async function servers(): Promise<Map<string, { state: string; host: string }>> {
  const rows = await query("select uuid, vm_state, host from nova.instances where deleted=0");
  return new Map(rows.map(([uuid, state, host]) => [uuid ?? "", { state: state ?? "", host: host ?? "" }]));
}

interface Sample {
  readonly at: number;
  readonly disabled: readonly string[];
  /** Active servers per host. */
  readonly onHost: Readonly<Record<string, number>>;
}

/** Reads nova's state about once a second until stopped: which computes are disabled, and where the servers are. */
function sample(): { stop: () => Promise<Sample[]> } {
  const samples: Sample[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const [cs, ss] = await Promise.all([computes(), servers()]);
      const onHost: Record<string, number> = {};
      for (const s of ss.values()) if (s.state === "active") onHost[s.host] = (onHost[s.host] ?? 0) + 1;
      samples.push({ at: Date.now(), disabled: cs.filter((c) => c.disabled).map((c) => c.host), onHost });
      await new Promise((r) => setTimeout(r, 700));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return samples;
    },
  };
}

/** Each compute on the old release, enabled, nothing broken, and SERVERS servers ACTIVE across them. */
async function resetLab(): Promise<void> {
  expect((await sh("compute.sh unbreak")).exitCode).toBe(0);
  for (const c of await computes()) {
    if (c.version !== 64) expect((await sh(`compute.sh restart ${c.host} --version old`)).exitCode, c.host).toBe(0);
    if (c.disabled) expect((await sh(`openstack compute service set --enable ${c.host} nova-compute`)).exitCode).toBe(0);
  }
  const existing = await servers();
  if (existing.size !== SERVERS || [...existing.values()].some((s) => s.state !== "active")) {
    expect((await sh("servers.sh delete-all")).exitCode).toBe(0);
    const boot = await sh(`servers.sh boot ${SERVERS}`);
    expect(boot.exitCode, boot.all).toBe(0);
  }
}

/** When each host was between the start of its `stop` and the success of its `health`: restarting. */
function restarting(records: readonly JournalRecord[], stepsOf: (host: string) => Set<string>): Map<string, [number, number]> {
  const spans = new Map<string, [number, number]>();
  for (const host of COMPUTES) {
    const steps = stepsOf(host);
    const times = (type: string, action: string) =>
      records.filter((r) => r.type === type && r.step !== undefined && steps.has(r.step) && r.step.endsWith(`/${action}`)).map((r) => Date.parse(r.time));
    const from = times("step-started", "stop")[0];
    const to = times("step-succeeded", "health")[0] ?? times("step-failed", "upgrade")[0];
    if (from !== undefined && to !== undefined) spans.set(host, [from, to]);
  }
  return spans;
}

const suite = labUp || inCI ? describe : describe.skip;

suite("a rolling nova-compute update on a real OpenStack (test/e2e/openstack)", { timeout: 900_000 }, () => {
  beforeAll(async () => {
    if (!labUp) throw new Error(`no OpenStack lab in ${LAB}: .ci/run starts it with test/e2e/openstack/lab-up.sh`);
    await resetLab();
  }, 600_000);

  afterAll(async () => {
    if (labUp) await sh("compute.sh unbreak");
  });

  it("stops at a compute whose new release will not start; verify names it and the remedy; rollback brings it back old and enabled", async () => {
    await resetLab();
    const before = await servers();
    const dir = mkdtempSync(join(tmpdir(), "upgradec-openstack-broken-"));
    expect((await upgradec(dir, "compile", planSource, "-o", "plan.json")).exitCode).toBe(0);
    expect((await sh("compute.sh break")).exitCode).toBe(0);

    const run = await upgradec(dir, "run", "plan.json");
    expect(run.exitCode, run.all).toBe(3);
    const failed = journalOf(dir).filter((r) => r.type === "step-failed");
    expect(failed.map((r) => r.step)).toEqual([expect.stringMatching(/^nova-compute\/.*\/cmp1\/upgrade$/)]);
    // Only the first compute was touched: the others are old and enabled.
    const stopped = await computes();
    expect(stopped.filter((c) => c.host !== "cmp1").every((c) => c.version === 64 && !c.disabled)).toBe(true);
    expect(stopped.find((c) => c.host === "cmp1")?.disabled).toBe(true);

    const verify = await upgradec(dir, "verify", "plan.json");
    expect(verify.exitCode, verify.all).toBe(8);
    expect(verify.all).toContain("cmp1");
    expect(verify.all).toMatch(/upgradec (rollback|resume|run)/);

    await sh("compute.sh unbreak");
    const rollback = await upgradec(dir, "rollback", "plan.json");
    expect(rollback.exitCode, rollback.all).toBe(4);
    const status = await sh("compute.sh status cmp1");
    expect(status.exitCode, status.all).toBe(0);
    expect(status.stdout).toContain("release=old");
    for (const c of await computes()) {
      expect(c.version, c.host).toBe(64);
      expect(c.disabled, c.host).toBe(false);
    }
    const after = await servers();
    expect(new Set(after.keys())).toEqual(new Set(before.keys()));
    for (const [id, s] of after) expect(s.state, id).toBe("active");
    expect(journalOf(dir).at(-1)?.type).toBe("rollback-finished");
  });

  it("checks, runs and verifies: every compute on the new version, no server lost or left on a restarting host, never two computes out", async () => {
    await resetLab();
    const dir = mkdtempSync(join(tmpdir(), "upgradec-openstack-"));
    const before = await servers();
    expect(before.size).toBe(SERVERS);

    const compiled = await upgradec(dir, "compile", planSource, "-o", "plan.json");
    expect(compiled.exitCode, compiled.all).toBe(0);
    const check = await upgradec(dir, "check", "plan.json");
    expect(check.exitCode, check.all).toBe(0);

    const sampler = sample();
    const run = await upgradec(dir, "run", "plan.json");
    const samples = await sampler.stop();
    expect(run.exitCode, run.all).toBe(0);
    const verify = await upgradec(dir, "verify", "plan.json");
    expect(verify.exitCode, verify.all).toBe(0);

    // The same servers, all ACTIVE, all on some compute.
    const after = await servers();
    expect(new Set(after.keys())).toEqual(new Set(before.keys()));
    for (const [id, s] of after) expect(s.state, id).toBe("active");
    // Every compute reports the new release, none is left disabled.
    for (const c of await computes()) {
      expect(c.version, c.host).toBe(65);
      expect(c.disabled, c.host).toBe(false);
    }
    // Never more computes disabled at once than the cap (1).
    expect(samples.length).toBeGreaterThan(20);
    expect(Math.max(...samples.map((s) => s.disabled.length))).toBe(1);
    // No server on a compute while it was restarting (stop → healthy again).
    const plan = JSON.parse(readFileSync(join(dir, "plan.json"), "utf8")) as { steps: { id: string; hosts: string[] }[] };
    const records = journalOf(dir);
    const spans = restarting(records, (host) => new Set(plan.steps.filter((s) => s.hosts.includes(host)).map((s) => s.id)));
    expect([...spans.keys()].sort()).toEqual(COMPUTES);
    for (const [host, [from, to]] of spans) {
      const during = samples.filter((s) => s.at >= from && s.at <= to);
      expect(during.length, `${host}: samples while restarting`).toBeGreaterThan(0);
      for (const s of during) expect(s.onHost[host] ?? 0, `${host} held servers while restarting`).toBe(0);
    }
    // Servers did move: each compute was emptied while the others kept them.
    expect(records.filter((r) => r.type === "step-succeeded" && r.step?.endsWith("/evacuate"))).toHaveLength(3);
    expect(records.at(-1)?.type).toBe("run-finished");
    // nova's online data migrations ran last, once.
    expect(records.filter((r) => r.type === "step-succeeded" && r.step === "nova-compute/migrate")).toHaveLength(1);
  });
});
