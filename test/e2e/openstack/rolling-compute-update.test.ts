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
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
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
const factsPlan = join(here, "plan", "facts-update.upg");
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

interface FactsFile {
  readonly format: string;
  readonly hosts: { readonly name: string; readonly servers: { readonly id: string }[] }[];
  readonly aggregates: { readonly name: string; readonly hosts: string[] }[];
  readonly serverGroups: { readonly name: string; readonly policy: string; readonly members: string[] }[];
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

  it("from the cloud's facts: two computes holding an anti-affinity group's members, and their aggregate at 50%, are never out together though three may be", async () => {
    await resetLab();
    const dir = mkdtempSync(join(tmpdir(), "upgradec-openstack-facts-"));
    try {
      // The placement to honour: an aggregate of cmp1 and cmp2, and an anti-affinity group
      // with one server on each (no zone on the aggregate: the lab's servers boot into `nova`).
      // The group's two servers are stopped: with three computes, a running member has one
      // host to go to (not its partner's, not its own), so any second compute out would leave
      // it nowhere. Stopped, they stay where they are, members all the same.
      const made = await sh(
        [
          "set -e",
          "openstack aggregate create upg-agg -f value -c id >/dev/null",
          "openstack aggregate add host upg-agg cmp1 >/dev/null",
          "openstack aggregate add host upg-agg cmp2 >/dev/null",
          "g=$(openstack server group create --policy anti-affinity upg-ha -f value -c id)",
          "for h in cmp1 cmp2; do openstack server create --image fake-image --flavor m1.tiny --nic none --availability-zone nova:$h --hint group=$g --wait -f value -c id ha-$h >/dev/null; done",
          "servers.sh wait",
          "openstack server stop ha-cmp1 ha-cmp2",
          "for i in $(seq 60); do [ \"$(openstack server list --all-projects --name '^ha-' --status SHUTOFF -f value -c ID | wc -l)\" = 2 ] && exit 0; sleep 2; done; echo 'ha servers not SHUTOFF' >&2; exit 1",
        ].join("\n"),
      );
      expect(made.exitCode, made.all).toBe(0);

      const facts = await upgradec(dir, "facts", "-o", "facts.json");
      expect(facts.exitCode, facts.all).toBe(0);
      const written = JSON.parse(readFileSync(join(dir, "facts.json"), "utf8")) as FactsFile;
      expect(written.format).toBe("upgradec.facts/1");
      expect(written.hosts.map((h) => h.name)).toEqual(COMPUTES);
      const ha = written.serverGroups.find((g) => g.name === "upg-ha");
      expect(ha?.policy).toBe("anti-affinity");
      expect(ha?.members).toHaveLength(2);
      expect(written.aggregates.find((a) => a.name === "upg-agg")?.hosts).toEqual(["cmp1", "cmp2"]);
      // Each host's servers as nova's database has them.
      const placed = await servers();
      for (const h of written.hosts) expect(h.servers.map((x) => x.id).sort(), h.name).toEqual([...placed].filter(([, x]) => x.host === h.name).map(([id]) => id).sort());

      copyFileSync(factsPlan, join(dir, "facts-update.upg"));
      const compiled = await upgradec(dir, "compile", "facts-update.upg", "-o", "plan.json");
      expect(compiled.exitCode, compiled.all).toBe(0);
      const plan = JSON.parse(readFileSync(join(dir, "plan.json"), "utf8")) as { services: { rolling: { maxUnavailable: number; hostSets?: { var: string; value: string; hosts: string[]; max: number }[] } }[] };
      expect(plan.services[0]?.rolling.maxUnavailable).toBe(3);
      expect(plan.services[0]?.rolling.hostSets).toEqual([
        { var: "aggregate", value: "upg-agg", hosts: ["cmp1", "cmp2"], max: 1, soft: false },
        { var: "anti-affinity", value: "upg-ha", hosts: ["cmp1", "cmp2"], max: 1, soft: false },
      ]);
      const check = await upgradec(dir, "check", "plan.json");
      expect(check.exitCode, check.all).toBe(0);

      const sampler = sample();
      const run = await upgradec(dir, "run", "plan.json");
      const samples = await sampler.stop();
      expect(run.exitCode, run.all).toBe(0);
      expect(samples.length).toBeGreaterThan(20);
      // Three may be out, and more than one was: the caps of the sets, not the overall one, kept cmp1 and cmp2 apart.
      expect(Math.max(...samples.map((s) => s.disabled.length))).toBeGreaterThanOrEqual(2);
      for (const s of samples) {
        const inAggregate = s.disabled.filter((h) => h === "cmp1" || h === "cmp2");
        expect(inAggregate.length, `at ${new Date(s.at).toISOString()}: ${s.disabled.join(", ")} disabled`).toBeLessThanOrEqual(1);
      }
      for (const c of await computes()) {
        expect(c.version, c.host).toBe(65);
        expect(c.disabled, c.host).toBe(false);
      }
      // The group's members stayed apart, where they were; every running server is ACTIVE on some compute.
      const after = await servers();
      expect((ha?.members ?? []).map((id) => after.get(id)?.host).sort()).toEqual(["cmp1", "cmp2"]);
      for (const [id, x] of after) if (!(ha?.members ?? []).includes(id)) expect(x.state, id).toBe("active");

      // The servers moved: the cloud no longer matches the facts the plan was built from.
      const stale = await upgradec(dir, "check", "plan.json", "--format", "json");
      const drift = (JSON.parse(stale.stdout) as { rows: { check: string; host: string | null; result: string }[] }).rows.filter((r) => r.check === "facts");
      expect(drift.map((r) => r.host).sort(), stale.all).toEqual(COMPUTES);
      expect(drift.filter((r) => r.result === "warning").length, stale.all).toBeGreaterThan(0);
    } finally {
      // Whatever happened: every compute running (old, if it had to be started) and enabled.
      await sh(`for h in ${COMPUTES.join(" ")}; do compute.sh status $h >/dev/null || compute.sh restart $h --version old; openstack compute service set --enable $h nova-compute; done`);
      await sh(
        [
          "openstack server delete --wait ha-cmp1 ha-cmp2",
          "openstack server group delete upg-ha",
          "for h in cmp1 cmp2; do openstack aggregate remove host upg-agg $h; done",
          "openstack aggregate delete upg-agg",
        ].join("; "),
      );
    }
  });
});
