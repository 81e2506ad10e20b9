/**
 * An evacuation's `concurrency` and `timeout`, as an operator meets them: a plan on the
 * library's `openstack.compute-host`, run by the built binary, with a fake `openstack` on the
 * PATH (one ACTIVE server on the host until it is migrated; each migration logs its start,
 * pid and end) and a `xargs` that logs its argv before handing over to the real one. The
 * tests assert on what ran (the fakes' logs, the processes) and on the journal.
 */
import { execa } from "execa";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PlanFile } from "../../src/plan/plan.js";
import { journalOf, running } from "./harness.js";

const root = join(import.meta.dirname, "..", "..");
const bin = join(root, "bin", "upgradec.js");
const REAL_XARGS = ["/usr/bin/xargs", "/bin/xargs"].find((p) => existsSync(p)) ?? "xargs";

function plan(evacuate: string): string {
  return `plan "compute-update" {
  kind update
  from "2023.1" to "2023.1"
}
use openstack
inventory "inventory.ini"
service nova-compute extends openstack.compute-host {
  on compute
  ${evacuate}
  upgrade ["true"]
  health ["true"] { every 1s  within 10s  healthy-for 0s }
}
`;
}

/**
 * The cloud as \`openstack\` sees it: the server is on the host until a migration of it ends.
 * A migration sleeps $FAKE_MIGRATE_SECONDS.
 */
const FAKE_OPENSTACK = `#!/bin/sh
case "$*" in
  "server list"*) [ -e "$FAKE_DIR/migrated" ] || echo srv-1;;
  "server migrate"*)
    echo "migrate-start $$ $*" >> "$FAKE_DIR/migrations.log"
    echo $$ > "$FAKE_DIR/migrate.pid"
    sleep "$FAKE_MIGRATE_SECONDS"
    touch "$FAKE_DIR/migrated"
    echo "migrate-end $$" >> "$FAKE_DIR/migrations.log";;
esac
exit 0
`;

const FAKE_XARGS = `#!/bin/sh
echo "xargs $*" >> "$FAKE_DIR/xargs.log"
exec ${REAL_XARGS} "$@"
`;

let base = "";

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), "upgradec-evacuate-"));
});

afterAll(() => {
  if (base !== "") rmSync(base, { recursive: true, force: true });
});

/** A fresh directory with the plan compiled, and the fakes on its PATH. */
async function setUp(name: string, evacuate: string): Promise<string> {
  const dir = join(base, name);
  mkdirSync(join(dir, "bin"), { recursive: true });
  for (const [file, text] of [["openstack", FAKE_OPENSTACK], ["xargs", FAKE_XARGS]] as const) {
    writeFileSync(join(dir, "bin", file), text);
    chmodSync(join(dir, "bin", file), 0o755);
  }
  writeFileSync(join(dir, "inventory.ini"), "[compute]\ncmp1\n");
  writeFileSync(join(dir, "plan.upg"), plan(evacuate));
  const compiled = await execa(process.execPath, [bin, "compile", "plan.upg", "-o", "plan.json", "--format", "json"], { cwd: dir, reject: false, env: { NO_COLOR: "1" } });
  expect(compiled.exitCode, compiled.stderr).toBe(0);
  return dir;
}

function run(dir: string, migrateSeconds: number) {
  return execa(process.execPath, [bin, "run", "plan.json", "--skip-checks"], {
    cwd: dir,
    reject: false,
    env: { NO_COLOR: "1", FAKE_DIR: dir, FAKE_MIGRATE_SECONDS: String(migrateSeconds), PATH: `${join(dir, "bin")}:${process.env["PATH"] ?? ""}` },
  });
}


/** Whether `pid` stops running within `ms` (signals are delivered asynchronously). */
async function stopsWithin(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (running(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

describe("evacuate concurrency", () => {
  it("reaches the library's migration command: concurrency 8 runs xargs -P 8", async () => {
    const dir = await setUp("concurrency-8", "evacuate live-migrate concurrency 8 timeout 1m");
    const r = await run(dir, 0);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    const calls = readFileSync(join(dir, "xargs.log"), "utf8");
    expect(calls).toMatch(/-P 8 openstack server migrate --live-migration --wait/);
    expect(readFileSync(join(dir, "migrations.log"), "utf8")).toContain("migrate-end");
  });

  it("without a service's own, the library's concurrency 4 is used", async () => {
    const dir = await setUp("concurrency-default", "");
    const r = await run(dir, 0);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(readFileSync(join(dir, "xargs.log"), "utf8")).toMatch(/-P 4 openstack/);
  });
});

describe("evacuate timeout", () => {
  it("stops a 5 s evacuation at 2 s: the step fails, the journal says it timed out, the migration is gone", async () => {
    const dir = await setUp("timeout-2s", "evacuate live-migrate concurrency 2 timeout 2s");
    // The plan says what will happen: the evacuate step's command carries the deadline.
    const plan = JSON.parse(readFileSync(join(dir, "plan.json"), "utf8")) as PlanFile;
    expect(plan.steps.find((s) => s.action === "evacuate")?.command?.timeout).toBe(2);
    expect(plan.services[0]?.evacuate).toEqual({ strategy: "live-migrate", concurrency: 2, timeout: 2, countVar: "instances", capacityVar: null });
    const r = await run(dir, 5);
    expect(r.exitCode, r.stdout + r.stderr).toBe(3);
    const records = journalOf(dir);
    const failed = records.find((x) => x.type === "step-failed" && x.step?.endsWith("/evacuate"));
    expect(failed?.timedOut).toBe(true);
    expect(failed?.message).toMatch(/timed out after 2s/);
    // Nothing after the evacuation ran on the host.
    expect(records.some((x) => x.type === "step-started" && x.step?.endsWith("/upgrade"))).toBe(false);
    // The migration started and was stopped, not waited for.
    const log = readFileSync(join(dir, "migrations.log"), "utf8");
    expect(log).toContain("migrate-start");
    expect(log).not.toContain("migrate-end");
    const pid = Number(readFileSync(join(dir, "migrate.pid"), "utf8").trim());
    expect(await stopsWithin(pid, 1000)).toBe(true);
    // Failed at the timeout, not after the 5 s the migration wanted: by the journal's clock,
    // which a loaded machine's slow start-up of the CLI does not move.
    const started = records.find((x) => x.type === "step-started" && x.step === failed?.step);
    const took = (Date.parse(failed?.time ?? "") - Date.parse(started?.time ?? "")) / 1000;
    expect(took).toBeGreaterThanOrEqual(1.9);
    expect(took).toBeLessThan(4.5);
  });
});
