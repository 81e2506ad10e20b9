/**
 * Hosts reached over ssh, through the built binary: hostile host names and host vars, the
 * standard library's `{on-host}` pattern, secrets behind an ssh connection, and `check`
 * probing hosts the way the steps reach them. ssh is test/runtime/fake-ssh/ssh on PATH,
 * which does here what ssh and sshd do (a ProxyCommand runs locally; the words after the
 * destination run under `sh -c`), and logs every call; the tools the library runs
 * (openstack, systemctl, apt-get, dpkg-query) are stubs that record their arguments.
 */
import { execa } from "execa";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const bin = join(root, "bin", "upgradec.js");
const FAKE_SSH = join(root, "test", "runtime", "fake-ssh", "ssh");

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A project directory with a bin/ of stubs and the fake ssh, and a calls/ directory they log to. */
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "upg-remote-hosts-"));
  dirs.push(dir);
  mkdirSync(join(dir, "bin"));
  mkdirSync(join(dir, "calls"));
  const stub = join(dir, "bin", "stub");
  writeFileSync(
    stub,
    `#!/bin/sh
name=$(basename "$0")
printf '%s\\0' "$name" "$@" > "$STUB_CALLS/$name.$$"
case "$name" in
  openstack) case "$*" in *list*) echo up ;; esac ;;
  dpkg-query) echo "27.1.0" ;;
  docker) echo "quay.io/openstack.kolla/nova-compute:2023.1-ubuntu-jammy" ;;
esac
exit 0
`,
  );
  chmodSync(stub, 0o755);
  for (const name of ["openstack", "systemctl", "apt-get", "dpkg-query", "docker"]) symlinkSync("stub", join(dir, "bin", name));
  symlinkSync(FAKE_SSH, join(dir, "bin", "ssh"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function upgradec(dir: string, args: string[], env: Record<string, string> = {}) {
  return execa("node", [bin, ...args], {
    cwd: dir,
    reject: false,
    env: { PATH: `${join(dir, "bin")}:${process.env["PATH"] ?? ""}`, STUB_CALLS: join(dir, "calls"), FAKE_SSH_LOG: join(dir, "calls", "ssh"), NO_COLOR: "1", ...env },
  });
}

/** Every logged call of `program`: its arguments, one array per call. */
function calls(dir: string, program: string): string[][] {
  return readdirSync(join(dir, "calls"))
    .filter((f) => f.startsWith(`${program}.`))
    .map((f) => readFileSync(join(dir, "calls", f), "utf8").split("\0").slice(0, -1));
}

const LIBRARY_PLAN = `plan "hostile-vars" {
  kind update
  from "27.1.0" to "27.2.0"
  start 2026-12-08T14:00 "UTC"
  deploy openstack.apt
}
use openstack
inventory "inventory.yml"
service nova-compute extends openstack.compute-host {
  on compute
  var units = ["nova-compute"]
  evacuate none
  rolling { batch 1  max-unavailable 1  pause 0s }
  health ["openstack", "compute", "service", "list", "--host", "{host}"] { every 1s  within 10s  healthy-for 0s }
  takes 1m
}
`;

describe("the standard library's hosts, reached over ssh", () => {
  it("runs a plan whose host vars hold shell code: every value arrives as one argument and nothing is executed", { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "upg-pwn-"));
    dirs.push(dir);
    const hostile = [`$(touch ${dir}/P1)`, `; touch ${dir}/P2`, `\`touch ${dir}/P3\``, `x\ntouch ${dir}/P4`, `it's "quoted" | tee ${dir}/P5 & wait`, "日本 \\ ~ *"];
    const work = project({
      "cloud.upg": LIBRARY_PLAN,
      "inventory.yml": `all:\n  children:\n    compute:\n      hosts:\n        hv01:\n          packages: ${JSON.stringify(["nova-compute", ...hostile])}\n        hv02:\n          packages: ["nova-compute"]\n`,
    });
    expect((await upgradec(work, ["compile", "cloud.upg", "-o", "plan.json"])).exitCode).toBe(0);
    const run = await upgradec(work, ["run", "plan.json"]);
    expect(run.exitCode, run.stderr + run.stdout).toBe(0);
    expect(readdirSync(dir)).toEqual([]);
    // apt-get on hv01 got each package as one argument, byte for byte.
    const installs = calls(work, "apt-get").filter((c) => c.includes("install"));
    expect(installs.length).toBe(2);
    expect(installs.map((c) => c.slice(c.indexOf("nova-compute")))).toContainEqual(["nova-compute", ...hostile]);
    // Every ssh call puts `--` right before its host, and the remote command after it as one word.
    const ssh = calls(work, "ssh");
    expect(ssh.length).toBeGreaterThan(0);
    for (const c of ssh) expect(c.slice(0, 4), c.join(" ")).toEqual(["-o", "BatchMode=yes", "--", c[3]]);
    expect(new Set(ssh.map((c) => c[3]))).toEqual(new Set(["hv01", "hv02"]));
  });

  it("check reaches each host through ssh as the steps do, and runs the version queries there", { timeout: 60_000 }, async () => {
    const work = project({
      "cloud.upg": LIBRARY_PLAN,
      "inventory.yml": "all:\n  children:\n    compute:\n      vars:\n        packages: [nova-compute]\n      hosts:\n        hv01:\n        hv02:\n        hv03:\n",
    });
    expect((await upgradec(work, ["compile", "cloud.upg", "-o", "plan.json"])).exitCode).toBe(0);
    const check = await upgradec(work, ["check", "plan.json"], { FAKE_SSH_UNREACHABLE: "hv03" });
    expect(check.exitCode).toBe(1);
    const ssh = calls(work, "ssh");
    for (const host of ["hv01", "hv02", "hv03"]) expect(ssh, host).toContainEqual(["-o", "BatchMode=yes", "--", host, "true"]);
    expect(ssh.filter((c) => c[4]?.startsWith("dpkg-query")).map((c) => c[3]).sort()).toEqual(["hv01", "hv02"]);
    expect(check.stdout).toMatch(/reachable\s+hv01\s+ok\s+answers its probe \(ssh -o BatchMode=yes -- hv01 true\)/);
    expect(check.stdout).toMatch(/reachable\s+hv03\s+failed\s+does not answer its probe/);
    expect(check.stdout).toMatch(/version nova-compute\s+hv01\s+ok\s+27\.1\.0 installed/);
    expect(check.stdout).toMatch(/version nova-compute\s+hv03\s+skipped\s+hv03 did not answer its probe/);
    expect(check.stdout).not.toContain("local: commands run on this machine");
  });

  it("check asks each kolla-ansible host which image its container runs, through ssh", { timeout: 60_000 }, async () => {
    const work = project({
      "cloud.upg": `plan "kolla" { kind upgrade  from "2023.1" to "2023.2"  start 2026-12-08T14:00 "UTC"  deploy openstack.kolla-ansible }
use openstack
inventory "inventory.yml"
service nova-compute extends openstack.compute-host {
  on compute
  var kolla-tag = "nova"
  var kolla-container = "nova_compute"
  evacuate none
}
`,
      "inventory.yml": "all:\n  children:\n    compute:\n      hosts:\n        hv01:\n        hv02:\n",
    });
    const compile = await upgradec(work, ["compile", "cloud.upg", "-o", "plan.json"]);
    expect(compile.exitCode, compile.stderr).toBe(0);
    const check = await upgradec(work, ["check", "plan.json"]);
    const inspected = calls(work, "docker").map((c) => c.slice(1));
    expect(inspected).toEqual([
      ["inspect", "--format", "{{.Config.Image}}", "nova_compute"],
      ["inspect", "--format", "{{.Config.Image}}", "nova_compute"],
    ]);
    expect(check.stdout).toMatch(/version nova-compute\s+hv01\s+ok\s+2023\.1 installed/);
    expect(check.stdout).toMatch(/version nova-compute\s+hv02\s+ok\s+2023\.1 installed/);
  });

  it("refuses an inventory host named like an ssh option at compile time, with the place", { timeout: 60_000 }, async () => {
    const pwned = join(tmpdir(), `upg-pwned-${process.pid}`);
    const work = project({
      "cloud.upg": LIBRARY_PLAN,
      "inventory.yml": `all:\n  children:\n    compute:\n      hosts:\n        hv01:\n        "-oProxyCommand=touch ${pwned}":\n`,
    });
    const compile = await upgradec(work, ["compile", "cloud.upg", "-o", "plan.json"]);
    expect(compile.exitCode).toBe(1);
    expect(compile.stderr).toMatch(/inventory\.yml:6:\d+ - error UPG0325: invalid host name "-oProxyCommand=touch [^"]+": it begins with '-'/);
    expect(existsSync(join(work, "plan.json"))).toBe(false);
    expect(existsSync(pwned)).toBe(false);
  });
});

describe("secrets behind an ssh connection", () => {
  it("reach only the steps that name them, on standard input: never in the argv of ssh or of any process", { timeout: 60_000 }, async () => {
    const secret = "pw-Zq81-never-in-argv";
    const other = "other-7Hk2-unused";
    const work = project({
      "cloud.upg": `plan "secrets" { kind update  from "27.1.0" to "27.2.0"  start 2026-12-08T14:00 "UTC"  connection ssh }
connection ssh {
  exec ["ssh", "-o", "BatchMode=yes", "--", "{host}"]
}
secret db env "TEST_DB_PASSWORD"
secret other env "TEST_OTHER"
service db {
  on db1
  tags rolling-upgrade
  upgrade shell "printf %s {secret.db} > got-db; sleep 2" { takes 1m }
  start shell "env > env-of-start" { takes 1m }
}
`,
    });
    expect((await upgradec(work, ["compile", "cloud.upg", "-o", "plan.json"])).exitCode).toBe(0);
    const child = upgradec(work, ["run", "plan.json"], { TEST_DB_PASSWORD: secret, TEST_OTHER: other });
    // While the upgrade step sleeps, no process on this machine shows the secret in its arguments.
    const seen: string[] = [];
    const deadline = Date.now() + 20_000;
    while (!existsSync(join(work, "got-db")) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
      try {
        seen.push(readFileSync(join("/proc", pid, "cmdline"), "utf8"));
      } catch {
        // Gone meanwhile.
      }
    }
    const run = await child;
    expect(run.exitCode, run.stderr + run.stdout).toBe(0);
    expect(seen.some((c) => c.includes("got-db"))).toBe(true);
    expect(seen.filter((c) => c.includes(secret) || c.includes(other))).toEqual([]);
    const ssh = calls(work, "ssh");
    expect(ssh.length).toBe(2);
    for (const c of ssh) expect(c.join(" ")).not.toMatch(new RegExp(`${secret}|${other}`));
    // The step that names the secret got it; the one that names none got no secret at all.
    expect(readFileSync(join(work, "got-db"), "utf8")).toBe(secret);
    const env = readFileSync(join(work, "env-of-start"), "utf8");
    expect(env).not.toContain(secret);
    expect(env).not.toContain(other);
    expect(env).not.toContain("UPG_SECRET_");
  });
});
