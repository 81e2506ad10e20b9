/**
 * `upgradec facts` and plans compiled from its file, as the operator meets them: the built
 * binary against an OpenStack client that prints a cloud's listings (a script standing in for
 * `openstack`, the only part not real), the file it writes, the plan compiled from it, and
 * `run`/`check` on that plan.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { readFactsFile } from "../../src/facts/facts-file.js";
import type { PlanFile } from "../../src/plan/plan.js";
import { journalOf } from "../runtime/harness.js";

const ROOT = join(import.meta.dirname, "..", "..");
const BIN = join(ROOT, "bin", "upgradec.js");
const dirs: string[] = [];
afterAll(() => {
  if (process.env["UPG_KEEP"] === undefined) for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A cloud's listings as the OpenStack client prints them with `-f json`. */
interface Cloud {
  services: Record<string, unknown>[];
  aggregates: Record<string, unknown>[];
  servers: Record<string, unknown>[];
  groups: Record<string, unknown>[];
}

const G1 = "a79735ab-9e92-434f-be70-9a5a635f01b8";
const G2 = "0b5e0c1e-3e55-4c55-9f0a-1f2e3d4c5b6a";
function labCloud(): Cloud {
  return {
    services: ["cmp3", "cmp1", "cmp2", "cmp4"].map((h) => ({ ID: `id-${h}`, Binary: "nova-compute", Host: h, Zone: h === "cmp4" ? "az2" : "az1", Status: "enabled", State: "up" })),
    aggregates: [
      { ID: 2, Name: "fast", "Availability Zone": null, Properties: {}, Hosts: ["cmp4", "cmp2", "cmp1"] },
      { ID: 1, Name: "agg-a", "Availability Zone": "az1", Properties: {}, Hosts: ["cmp2", "cmp1"] },
    ],
    servers: [
      { ID: "s4", Name: "db-2", Status: "ACTIVE", Host: "cmp2" },
      { ID: "s1", Name: "web-1", Status: "ACTIVE", Host: "cmp1" },
      { ID: "s2", Name: "web-2", Status: "ACTIVE", Host: "cmp3" },
      { ID: "s3", Name: "db-1", Status: "SHUTOFF", Host: "cmp1" },
      { ID: "s5", Name: "building", Status: "BUILD", Host: null },
    ],
    groups: [
      { ID: G1, Name: "web", Policy: "anti-affinity", Members: ["s2", "s1"] },
      { ID: G2, Name: "db", Policy: "soft-anti-affinity", Members: ["s3", "s4"] },
    ],
  };
}

/** A directory with a fake `openstack` on the PATH printing `cloud`'s listings (exit 1 for `fail`). */
function fakeCloud(cloud: Cloud, fail: string | null = null): { dir: string; env: Record<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), "upgradec-facts-"));
  dirs.push(dir);
  const bin = join(dir, "bin");
  mkdirSync(bin);
  writeFileSync(join(bin, "services.json"), JSON.stringify(cloud.services));
  writeFileSync(join(bin, "aggregates.json"), JSON.stringify(cloud.aggregates));
  writeFileSync(join(bin, "servers.json"), JSON.stringify(cloud.servers));
  writeFileSync(join(bin, "groups.json"), JSON.stringify(cloud.groups));
  const script = `#!/bin/sh
d=$(dirname "$0")
case "$1 $2" in
  "compute service") f=services ;;
  "aggregate list") f=aggregates ;;
  "server list") f=servers ;;
  "server group") f=groups ;;
  *) echo "unknown listing: $*" >&2; exit 2 ;;
esac
[ "$f" = "${fail ?? ""}" ] && { echo "Failed to discover available identity versions when contacting http://127.0.0.1:5000/v3" >&2; exit 1; }
cat "$d/$f.json"
`;
  writeFileSync(join(bin, "openstack"), script);
  chmodSync(join(bin, "openstack"), 0o755);
  return { dir, env: { PATH: `${bin}:${process.env["PATH"] ?? ""}`, NO_COLOR: "1" } };
}

async function upgradec(cwd: string, env: Record<string, string>, ...args: string[]) {
  return execa(process.execPath, [BIN, ...args], { cwd, env, extendEnv: false, reject: false, all: true });
}

const PLAN = (rolling: string, extra = ""): string => `plan "p" { kind update  from "64" to "65" }
facts "facts.json"
service nova-compute {
  on compute
  tags rolling-upgrade
  rolling {
${rolling}
  }
  upgrade ["true"] { takes 1m }
  ${extra}
}
`;

function planOf(dir: string): PlanFile {
  return JSON.parse(readFileSync(join(dir, "plan.json"), "utf8")) as PlanFile;
}

describe("upgradec facts", () => {
  it("writes each compute host's zone, aggregates, servers and server groups, in one stable order, valid against schema/facts.schema.json", async () => {
    const { dir, env } = fakeCloud(labCloud());
    const r = await upgradec(dir, env, "facts", "-o", "facts.json");
    expect(r.exitCode, r.all).toBe(0);
    expect(r.stderr).toContain("4 compute host(s), 2 aggregate(s), 2 server group(s), 4 server(s)");
    const text = readFileSync(join(dir, "facts.json"), "utf8");
    const facts = JSON.parse(text) as { hosts: { name: string; zone: string; aggregates: string[]; servers: { id: string; groups: string[] }[] }[] };
    expect(facts.hosts.map((h) => h.name)).toEqual(["cmp1", "cmp2", "cmp3", "cmp4"]);
    expect(facts.hosts[0]).toEqual({
      name: "cmp1",
      zone: "az1",
      enabled: true,
      up: true,
      aggregates: ["agg-a", "fast"],
      servers: [
        { id: "s1", name: "web-1", status: "ACTIVE", groups: [G1] },
        { id: "s3", name: "db-1", status: "SHUTOFF", groups: [G2] },
      ],
    });
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    const validate = ajv.compile(JSON.parse(readFileSync(join(ROOT, "schema", "facts.schema.json"), "utf8")) as object);
    expect(validate(JSON.parse(text)), JSON.stringify(validate.errors)).toBe(true);

    // The same cloud listed in another order: the same bytes.
    const shuffled = labCloud();
    for (const k of ["services", "aggregates", "servers", "groups"] as const) shuffled[k].reverse();
    for (const g of shuffled.groups) (g["Members"] as string[]).reverse();
    const again = fakeCloud(shuffled);
    expect((await upgradec(again.dir, again.env, "facts", "-o", "facts.json")).exitCode).toBe(0);
    expect(readFileSync(join(again.dir, "facts.json"), "utf8")).toBe(text);
  });

  it("names the listing that failed, writes nothing and exits 1 when the cloud cannot be read", async () => {
    const { dir, env } = fakeCloud(labCloud(), "groups");
    const r = await upgradec(dir, env, "facts", "-o", "facts.json");
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("UPG0335");
    expect(r.stderr).toContain("openstack server group list --all-projects --long -f json");
    expect(r.stderr).toContain("Failed to discover available identity versions");
    expect(() => readFileSync(join(dir, "facts.json"))).toThrow();
  });

  it("leaves out, with a warning, a compute whose host name could not be a host name", async () => {
    const cloud = labCloud();
    cloud.services.push({ Host: "-oProxyCommand=x", Zone: "az1", Status: "enabled", State: "up" });
    const { dir, env } = fakeCloud(cloud);
    const r = await upgradec(dir, env, "facts");
    expect(r.exitCode, r.all).toBe(0);
    expect(r.stderr).toContain("UPG0336");
    expect((JSON.parse(r.stdout) as { hosts: { name: string }[] }).hosts.map((h) => h.name)).toEqual(["cmp1", "cmp2", "cmp3", "cmp4"]);
  });
});

describe("a plan compiled from facts", () => {
  async function factsDir(cloud = labCloud()): Promise<{ dir: string; env: Record<string, string> }> {
    const c = fakeCloud(cloud);
    expect((await upgradec(c.dir, c.env, "facts", "-o", "facts.json")).exitCode).toBe(0);
    return c;
  }

  it("reads its hosts as the group `compute` with vars from the cloud, and counts the facts among its sources: changed facts make it stale", async () => {
    const { dir, env } = await factsDir();
    writeFileSync(join(dir, "p.upg"), PLAN("    batch 1\n    max-unavailable 1"));
    const c = await upgradec(dir, env, "compile", "p.upg", "-o", "plan.json");
    expect(c.exitCode, c.all).toBe(0);
    const plan = planOf(dir);
    const cmp1 = plan.hosts.find((h) => h.name === "cmp1");
    expect(cmp1?.groups).toEqual(["aggregate-agg-a", "aggregate-fast", "compute"]);
    expect(cmp1?.vars).toMatchObject({ az: "az1", aggregate: ["agg-a", "fast"], instances: 1, servers: ["s1"], enabled: true, "anti-affinity": ["web"], "soft-anti-affinity": ["db"] });
    expect(plan.services[0]?.hosts).toHaveLength(4);
    expect(plan.sources.filter((s) => s.kind === "facts").map((s) => s.path)).toEqual(["facts.json"]);

    // The cloud changed and the facts were read again: the plan made from the old ones is stale.
    const moved = labCloud();
    (moved.servers[0] as Record<string, unknown>)["Host"] = "cmp3";
    writeFileSync(join(dir, "bin", "servers.json"), JSON.stringify(moved.servers));
    expect((await upgradec(dir, env, "facts", "-o", "facts.json")).exitCode).toBe(0);
    const run = await upgradec(dir, env, "run", "plan.json");
    expect(run.exitCode, run.all).toBe(5);
    expect(run.all).toContain("facts.json changed since the plan was compiled");
  });

  it("never takes two hosts of one anti-affinity group, nor more than half an aggregate, out at once: planned, run, simulated", async () => {
    // cmp1 and cmp3 hold members of `web`; cmp1, cmp2 and cmp4 make `fast` (50%: 1); cmp1 and cmp2 `agg-a`.
    const { dir, env } = await factsDir();
    writeFileSync(join(dir, "p.upg"), PLAN("    batch 4\n    max-unavailable 4\n    max-unavailable 50% per aggregate\n    max-unavailable 1 per anti-affinity"));
    const c = await upgradec(dir, env, "compile", "p.upg", "-o", "plan.json");
    expect(c.exitCode, c.all).toBe(0);
    const plan = planOf(dir);
    expect(plan.services[0]?.rolling.hostSets).toEqual([
      { var: "aggregate", value: "agg-a", hosts: ["cmp1", "cmp2"], max: 1, soft: false },
      { var: "aggregate", value: "fast", hosts: ["cmp1", "cmp2", "cmp4"], max: 1, soft: false },
      { var: "anti-affinity", value: "web", hosts: ["cmp1", "cmp3"], max: 1, soft: false },
    ]);
    const spans = new Map(plan.steps.filter((s) => s.hosts.length === 1).map((s) => [s.hosts[0] as string, [s.estimate.start, s.estimate.start + s.estimate.duration] as const]));
    const overlap = (a: string, b: string): boolean => {
      const x = spans.get(a);
      const y = spans.get(b);
      return x !== undefined && y !== undefined && x[0] < y[1] && y[0] < x[1];
    };
    for (const [a, b] of [["cmp1", "cmp2"], ["cmp1", "cmp4"], ["cmp2", "cmp4"], ["cmp1", "cmp3"]] as const) expect(overlap(a, b), `${a} and ${b} planned out together`).toBe(false);
    // The overall cap is 4: what kept them apart were the sets, and cmp3 went with cmp2.
    expect(overlap("cmp2", "cmp3")).toBe(true);

    const sim = await upgradec(dir, env, "simulate", "plan.json");
    expect(sim.exitCode, sim.all).toBe(0);
    expect(sim.stdout).toMatch(/invariants: all \d+ held/);

    // The runtime holds them too, whatever the timing: each host's upgrade runs 0.3 s.
    writeFileSync(join(dir, "p.upg"), readFileSync(join(dir, "p.upg"), "utf8").replace('upgrade ["true"]', 'upgrade ["sleep", "0.3"]'));
    expect((await upgradec(dir, env, "compile", "p.upg", "-o", "plan.json")).exitCode).toBe(0);
    const run = await upgradec(dir, env, "run", "plan.json");
    expect(run.exitCode, run.all).toBe(0);
    const records = journalOf(dir);
    const ran = new Map<string, [number, number]>();
    for (const r of records) {
      const host = r.step?.split("/")[2];
      if (host === undefined || !r.step?.endsWith("/upgrade")) continue;
      const span = ran.get(host) ?? [Infinity, -Infinity];
      if (r.type === "step-started") span[0] = Math.min(span[0], Date.parse(r.time));
      if (r.type === "step-succeeded") span[1] = Math.max(span[1], Date.parse(r.time));
      ran.set(host, span);
    }
    expect([...ran.keys()].sort()).toEqual(["cmp1", "cmp2", "cmp3", "cmp4"]);
    const together = (a: string, b: string): boolean => {
      const x = ran.get(a) as [number, number];
      const y = ran.get(b) as [number, number];
      return x[0] < y[1] && y[0] < x[1];
    };
    for (const [a, b] of [["cmp1", "cmp2"], ["cmp1", "cmp4"], ["cmp2", "cmp4"], ["cmp1", "cmp3"]] as const) expect(together(a, b), `${a} and ${b} ran together`).toBe(false);
    expect(together("cmp2", "cmp3") || together("cmp3", "cmp4")).toBe(true);
  });

  it("a service upgraded on all its hosts at once cannot honour an anti-affinity: an error naming the group; a soft one is relaxed with a warning", async () => {
    const { dir, env } = await factsDir();
    writeFileSync(join(dir, "p.upg"), PLAN("    max-unavailable 1 per anti-affinity\n    max-unavailable 1 per soft-anti-affinity").replace("  tags rolling-upgrade\n", ""));
    const c = await upgradec(dir, env, "compile", "p.upg", "-o", "plan.json");
    expect(c.exitCode).toBe(1);
    expect(c.stderr).toContain("error UPG0520: anti-affinity web cannot be honoured");
    expect(c.stderr).toMatch(/p\.upg:7:\d+/);
    expect(c.stderr).toContain("warning UPG0521: soft policy relaxed: soft-anti-affinity db");

    writeFileSync(join(dir, "p.upg"), PLAN("    batch 1\n    max-unavailable 0 per aggregate"));
    const zero = await upgradec(dir, env, "compile", "p.upg", "-o", "plan.json");
    expect(zero.exitCode).toBe(1);
    expect(zero.stderr).toContain("error UPG0520: aggregate agg-a cannot be honoured: none of its 2 host(s) may be out");
  });

  it("reports a damaged facts file at its place, with the fix, and compiles nothing", async () => {
    const { dir, env } = await factsDir();
    const text = readFileSync(join(dir, "facts.json"), "utf8").replace('"name": "cmp2"', '"name": "cmp2;reboot"').replace('"policy": "anti-affinity"', '"policy": "anti-afinity"');
    writeFileSync(join(dir, "facts.json"), text);
    writeFileSync(join(dir, "p.upg"), PLAN("    batch 1"));
    const c = await upgradec(dir, env, "compile", "p.upg", "-o", "plan.json");
    expect(c.exitCode).toBe(1);
    const line = (needle: string): number => text.slice(0, text.indexOf(needle)).split("\n").length;
    expect(c.stderr).toContain(`facts.json:${line('"name": "cmp2;reboot"') - 1}:`);
    expect(c.stderr).toContain('host "cmp2;reboot" cannot be a host name');
    expect(c.stderr).toContain('unknown policy "anti-afinity"');
    expect(c.stderr).toContain("= help:");
    expect(readFactsFile("[1, 2", "f.json").diagnostics[0]?.code).toBe("UPG0330");
    expect(readFactsFile('{"format": "upgradec.plan/1"}', "f.json").diagnostics[0]?.code).toBe("UPG0332");
    expect(c.stderr).toContain("error UPG0331");
    const unknownKey = readFactsFile('{"format": "upgradec.facts/1", "hosts": [], "aggregates": [], "serverGroups": [], "zones": []}', "f.json").diagnostics;
    expect(unknownKey.map((d) => [d.code, d.severity])).toContainEqual(["UPG0333", "warning"]);
  });

  it("refuses a plan whose facts file is missing (UPG0334), or that names two (UPG0206)", async () => {
    const { dir, env } = await factsDir();
    writeFileSync(join(dir, "missing.upg"), PLAN("    batch 1").replace('facts "facts.json"', 'facts "nowhere.json"'));
    const missing = await upgradec(dir, env, "compile", "missing.upg", "-o", "plan.json");
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain("error UPG0334");
    writeFileSync(join(dir, "two.upg"), PLAN("    batch 1") + '\nfacts "facts.json"\n');
    const two = await upgradec(dir, env, "compile", "two.upg", "-o", "plan.json");
    expect(two.exitCode).toBe(1);
    expect(two.stderr).toContain("error UPG0206");
    expect(existsSync(join(dir, "plan.json"))).toBe(false);
  });
});

describe("check on a plan compiled from facts", () => {
  it("warns, host by host, where the cloud no longer matches the facts: a host disabled, servers moved", async () => {
    const c = fakeCloud(labCloud());
    expect((await upgradec(c.dir, c.env, "facts", "-o", "facts.json")).exitCode).toBe(0);
    writeFileSync(join(c.dir, "p.upg"), PLAN("    batch 1"));
    expect((await upgradec(c.dir, c.env, "compile", "p.upg", "-o", "plan.json")).exitCode).toBe(0);
    const same = await upgradec(c.dir, c.env, "check", "plan.json", "--format", "json");
    type Rows = { rows: { check: string; host: string | null; result: string; detail: string }[] };
    const factsRows = (r: { stdout: string }) => (JSON.parse(r.stdout) as Rows).rows.filter((x) => x.check === "facts");
    expect(factsRows(same).map((r) => [r.host, r.result])).toEqual([
      ["cmp1", "ok"],
      ["cmp2", "ok"],
      ["cmp3", "ok"],
      ["cmp4", "ok"],
    ]);

    const changed = labCloud();
    (changed.services.find((s) => s["Host"] === "cmp2") as Record<string, unknown>)["Status"] = "disabled";
    (changed.servers.find((s) => s["ID"] === "s1") as Record<string, unknown>)["Host"] = "cmp4";
    writeFileSync(join(c.dir, "bin", "services.json"), JSON.stringify(changed.services));
    writeFileSync(join(c.dir, "bin", "servers.json"), JSON.stringify(changed.servers));
    const drifted = await upgradec(c.dir, c.env, "check", "plan.json", "--format", "json");
    expect(drifted.exitCode, drifted.all).toBe(0);
    const rows = factsRows(drifted);
    expect(rows.find((r) => r.host === "cmp2")).toMatchObject({ result: "warning", detail: expect.stringContaining("disabled since the facts were read") as unknown });
    expect(rows.find((r) => r.host === "cmp1")).toMatchObject({ result: "warning", detail: expect.stringContaining("1 server(s) left it (s1)") as unknown });
    expect(rows.find((r) => r.host === "cmp4")).toMatchObject({ result: "warning", detail: expect.stringContaining("1 server(s) came to it (s1)") as unknown });
    expect(rows.find((r) => r.host === "cmp3")?.result).toBe("ok");
    expect((await upgradec(c.dir, c.env, "check", "plan.json", "--strict")).exitCode).toBe(1);
  });
});

/**
 * A fake cloud for the library's compute-host steps: servers live in $FAKE_DIR/on-HOST (one
 * id a line); `server migrate` moves one to $FAKE_DIR/on-elsewhere, except an id listed in
 * $FAKE_DIR/stuck, which stays (nova's "No valid host"). Listings for `facts` as fakeCloud.
 */
const FAKE_RUNTIME_OPENSTACK = `#!/bin/sh
case "$*" in
  "server list --all-projects --host "*)
    h=$5; [ -e "$FAKE_DIR/on-$h" ] && cat "$FAKE_DIR/on-$h"; exit 0;;
  "server migrate --live-migration --wait "*)
    id=$5; grep -qx "$id" "$FAKE_DIR/stuck" 2>/dev/null && { echo "No valid host was found for $id" >&2; exit 1; }
    for f in "$FAKE_DIR"/on-cmp*; do grep -vx "$id" "$f" > "$f.new"; mv "$f.new" "$f"; done
    echo "$id" >> "$FAKE_DIR/on-elsewhere"; exit 0;;
  "compute service list --service nova-compute --host "*) echo up; exit 0;;
  "compute service set"*) exit 0;;
esac
exec "$(dirname "$0")/openstack-listings" "$@"
`;

describe("evacuation from facts", () => {
  it("moves the servers the facts list, names one that left and one that came, and fails naming the server it could not move", async () => {
    const c = fakeCloud(labCloud());
    // The listings stay for `facts`; the runtime's calls go to the fake cloud above.
    writeFileSync(join(c.dir, "bin", "openstack-listings"), readFileSync(join(c.dir, "bin", "openstack"), "utf8"));
    chmodSync(join(c.dir, "bin", "openstack-listings"), 0o755);
    writeFileSync(join(c.dir, "bin", "openstack"), FAKE_RUNTIME_OPENSTACK);
    expect((await upgradec(c.dir, c.env, "facts", "-o", "facts.json")).exitCode).toBe(0);
    writeFileSync(
      join(c.dir, "p.upg"),
      `plan "p" { kind update  from "64" to "65" }
use openstack
facts "facts.json"
service nova-compute extends openstack.compute-host {
  on cmp1
  rolling { batch 1  max-unavailable 1  pause 0s }
  upgrade ["true"]
  health ["true"] { every 1s  within 10s  healthy-for 0s }
}
`,
    );
    const compiled = await upgradec(c.dir, c.env, "compile", "p.upg", "-o", "plan.json");
    expect(compiled.exitCode, compiled.all).toBe(0);
    // The estimate counts the facts' one ACTIVE server on cmp1 (s1; s3 is SHUTOFF).
    expect(compiled.stdout).toContain("instances live-migrated: 1");

    // Since the facts: s1 is still there, s7 came; and s7 will not move.
    writeFileSync(join(c.dir, "on-cmp1"), "s1\ns7\n");
    writeFileSync(join(c.dir, "stuck"), "s7\n");
    const env = { ...c.env, FAKE_DIR: c.dir };
    const failed = await upgradec(c.dir, env, "run", "plan.json", "--skip-checks");
    expect(failed.exitCode, failed.all).toBe(3);
    expect(readFileSync(join(c.dir, "on-elsewhere"), "utf8")).toBe("s1\n");
    expect(readFileSync(join(c.dir, "on-cmp1"), "utf8")).toBe("s7\n");
    const log = failed.all;
    expect(log).toContain("ACTIVE on cmp1 and not in the facts (moved too): s7");
    expect(log).toContain("could not move from cmp1: s7");
    expect(journalOf(c.dir).filter((r) => r.type === "step-failed").map((r) => r.step)).toEqual(["nova-compute/b1/cmp1/evacuate"]);

    // The stuck server moved by hand; s1 is gone already: named, and the step succeeds.
    writeFileSync(join(c.dir, "on-cmp1"), "");
    const resumed = await upgradec(c.dir, env, "resume", "plan.json");
    expect(resumed.exitCode, resumed.all).toBe(0);
    const runs = join(c.dir, ".upgradec", "runs");
    const logs = readdirSync(runs).map((id) => join(runs, id, "logs", "nova-compute~b1~cmp1~evacuate.log"));
    expect(logs.map((l) => readFileSync(l, "utf8")).join("")).toContain("in the facts, not ACTIVE on cmp1 now: s1");
  });
});
