/**
 * A plan whose `from` and `to` are the same release, through the built binary: as an
 * upgrade it is a compile error (nothing to upgrade; every old-against-new check would compare
 * a release with itself); as an update (new packages or images within a release) it is
 * normal, and `simulate` tells the code before the update from the code after it.
 * Release names and numbers that are not OpenStack's are compile errors with the one meant.
 */
import { execa } from "execa";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const bin = join(root, "bin", "upgradec.js");
const dirs: string[] = [];

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function cloud(kind: string, from: string, to: string): string {
  const dir = mkdtempSync(join(tmpdir(), "upgradec-release-"));
  dirs.push(dir);
  writeFileSync(join(dir, "inventory.ini"), "[control]\nctl[1:3]\n");
  writeFileSync(
    join(dir, "plan.upg"),
    `plan "p" {
  kind ${kind}
  from "${from}" to "${to}"
  deploy openstack.kolla-ansible
  start 2026-12-05T22:00 "Europe/Berlin"
}
use openstack
inventory "inventory.ini"
service keystone extends openstack.keystone { on control }
`,
  );
  return dir;
}

function upgradec(dir: string, ...args: string[]) {
  return execa(process.execPath, [bin, ...args], { cwd: dir, reject: false, env: { NO_COLOR: "1" } });
}

interface JsonDiagnostic {
  readonly code: string;
  readonly severity: string;
  readonly message: string;
  readonly help?: string;
}

function diagnosticsOf(stdout: string): JsonDiagnostic[] {
  return (JSON.parse(stdout) as { diagnostics: JsonDiagnostic[] }).diagnostics;
}

describe("same release", () => {
  it("an upgrade from a release to itself does not compile", async () => {
    const dir = cloud("upgrade", "2023.1", "antelope");
    const r = await upgradec(dir, "compile", "plan.upg", "-o", "plan.json");
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/error UPG0423: the plan upgrades from 2023\.1 antelope to the same release/);
    expect(r.stderr).toContain("kind update");
  });

  it("an update within a release compiles, and simulate sees no old code next to a contracted schema", async () => {
    const dir = cloud("update", "2023.1", "2023.1");
    const compiled = await upgradec(dir, "compile", "plan.upg", "-o", "plan.json");
    expect(compiled.exitCode, compiled.stderr).toBe(0);
    const r = await upgradec(dir, "simulate", "plan.json");
    expect(r.stdout).not.toContain("schema contracted");
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/final state: 3 of 3 service instance\(s\) at 2023\.1/);
  });
});

describe("release names", () => {
  it.each([
    ["2023.2", "2023.3", '"2023.3" is not an OpenStack release'],
    ["antelop", "2023.2", '"antelop" is not an OpenStack release'],
  ])("from %s to %s does not compile", async (from, to, message) => {
    const dir = cloud("upgrade", from, to);
    const r = await upgradec(dir, "compile", "plan.upg", "--format", "json");
    expect(r.exitCode).toBe(1);
    const found = diagnosticsOf(r.stdout).find((d) => d.code === "UPG0425");
    expect(found?.severity).toBe("error");
    expect(found?.message).toContain(message);
    expect(found?.help).toMatch(/did you mean "(2023\.[12]|antelope)"\?/);
  });
});
