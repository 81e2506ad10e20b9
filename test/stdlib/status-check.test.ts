/**
 * `<project>-status upgrade check` through `use openstack`, as an operator meets it: the
 * library's keystone pre-check, a fake `keystone-status` on the PATH returning each of the
 * codes upstream documents (0 passed, 1 warning, 2 failure, 255 error), and the built binary's
 * `check` and `run`. The fake `ssh` on the PATH (test/runtime/fake-ssh/ssh) does here what ssh
 * and sshd do with a command line. Every fake
 * command logs what it was asked to do, so the tests see what ran, not only what was printed.
 */
import { execa } from "execa";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { journalOf } from "../runtime/harness.js";

const root = join(import.meta.dirname, "..", "..");
const bin = join(root, "bin", "upgradec.js");

const PLAN = `plan "keystone-zed-to-2023.1" {
  kind upgrade
  from "zed" to "2023.1"
  deploy openstack.apt
}
use openstack
inventory "inventory.ini"
service keystone extends openstack.keystone {
  on control
  # The library's gate waits 20 s of health; a test has no time for that.
  health ["curl", "-sf", "-o", "/dev/null", "http://{host}:5000/v3"] { every 1s  within 30s  healthy-for 0s }
}
`;

/** ssh for tests (test/runtime/fake-ssh/ssh): runs the remote command line here, in a fresh environment as sshd does. */
const FAKE_SSH = join(root, "test", "runtime", "fake-ssh", "ssh");

/**
 * Every other command the plan runs: logged, then success (dpkg-query reports the installed
 * release). Paths are written in: behind ssh the environment is not the runner's.
 */
function recorder(dir: string): string {
  return `#!/bin/sh
echo "$(basename "$0") $*" >> "${dir}/calls.log"
case "$(basename "$0")" in dpkg-query) echo "keystone zed";; esac
exit 0
`;
}

/** keystone-status exits with the code the test put in status. */
function fakeStatus(dir: string): string {
  return `#!/bin/sh
echo "keystone-status $*" >> "${dir}/calls.log"
code=$(cat "${dir}/status")
echo "status check answers $code"
exit "$code"
`;
}

let dir = "";

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "upgradec-status-"));
  const fakes = join(dir, "bin");
  mkdirSync(fakes);
  const write = (name: string, text: string): void => {
    writeFileSync(join(fakes, name), text);
    chmodSync(join(fakes, name), 0o755);
  };
  write("ssh", readFileSync(FAKE_SSH, "utf8"));
  write("keystone-status", fakeStatus(dir));
  for (const name of ["systemctl", "apt-get", "keystone-manage", "curl", "dpkg-query"]) write(name, recorder(dir));
  writeFileSync(join(dir, "inventory.ini"), "[control]\nctl1\n");
  writeFileSync(join(dir, "plan.upg"), PLAN);
  const compiled = await execa(process.execPath, [bin, "compile", "plan.upg", "-o", "plan.json"], { cwd: dir, reject: false, env: { NO_COLOR: "1" } });
  expect(compiled.exitCode, compiled.stderr).toBe(0);
});

afterAll(() => {
  if (dir !== "") rmSync(dir, { recursive: true, force: true });
});

/** `upgradec ARGS` with no state yet, keystone-status answering `status`; what ran is then in `log`. */
async function upgradec(status: number, log: string, ...args: string[]) {
  rmSync(join(dir, ".upgradec"), { recursive: true, force: true });
  writeFileSync(join(dir, "status"), String(status));
  writeFileSync(join(dir, "calls.log"), "");
  const r = await execa(process.execPath, [bin, ...args], {
    cwd: dir,
    reject: false,
    env: { NO_COLOR: "1", PATH: `${join(dir, "bin")}:${process.env["PATH"] ?? ""}` },
  });
  copyFileSync(join(dir, "calls.log"), log);
  return r;
}

interface CheckJson {
  readonly rows: readonly { readonly check: string; readonly result: string; readonly detail: string }[];
}

function precheckRow(stdout: string): { result: string; detail: string } {
  const report = JSON.parse(stdout) as CheckJson;
  const row = report.rows.find((r) => r.check === "precheck");
  if (!row) throw new Error(`no precheck row in ${stdout}`);
  return row;
}

/** What touched the host: anything but the status check and the read-only queries. */
function changes(log: string): string[] {
  return readFileSync(log, "utf8")
    .split("\n")
    .filter((l) => l !== "" && !l.startsWith("keystone-status") && !l.startsWith("dpkg-query") && !l.startsWith("curl"));
}

describe("the library's status pre-checks pass the exit code through", () => {
  it.each([
    [0, "ok", 0],
    [1, "warning", 0],
    [2, "failed", 1],
    [255, "error", 1],
  ])("keystone-status exiting %i: check reports %s and exits %i", async (status, result, exit) => {
    const log = join(dir, `check-${status}.log`);
    const r = await upgradec(status, log, "check", "plan.json", "--format", "json");
    expect(r.exitCode, r.stderr).toBe(exit);
    expect(precheckRow(r.stdout).result).toBe(result);
    expect(readFileSync(log, "utf8")).toContain("keystone-status upgrade check");
  });

  it.each([0, 1])("run goes on after keystone-status exits %i and upgrades the host", async (status) => {
    const log = join(dir, `run-${status}.log`);
    const r = await upgradec(status, log, "run", "plan.json");
    expect(r.exitCode, r.stderr + r.stdout).toBe(0);
    expect(changes(log).some((l) => l.startsWith("apt-get install"))).toBe(true);
  });

  it.each([2, 255])("run refuses to start when keystone-status exits %i, and touches nothing", async (status) => {
    const log = join(dir, `run-refused-${status}.log`);
    const r = await upgradec(status, log, "run", "plan.json");
    expect(r.exitCode).toBe(1);
    expect(readFileSync(log, "utf8")).toContain("keystone-status upgrade check");
    expect(changes(log)).toEqual([]);
  });

  it.each([2, 255])("run --skip-checks stops at the pre-check when keystone-status exits %i, before touching anything", async (status) => {
    const log = join(dir, `run-skip-${status}.log`);
    const r = await upgradec(status, log, "run", "plan.json", "--skip-checks");
    expect(r.exitCode).toBe(3);
    expect(readFileSync(log, "utf8")).toContain("keystone-status upgrade check");
    expect(changes(log)).toEqual([]);
    const failed = journalOf(dir).find((x) => x.type === "step-failed");
    expect(failed?.step).toBe("keystone/precheck");
    expect(failed?.exitCode).toBe(status);
  });
});
