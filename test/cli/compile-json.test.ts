/**
 * `compile --format json` keeps every finding: the plan on stdout (byte for byte the plan file
 * `-o` writes), and the warnings and notes on stderr as JSON, in the shape `--diagnostics-only`
 * and a failed compile print them (`{ diagnostics, summary }`).
 */
import { execa } from "execa";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const bin = join(root, "bin", "upgradec.js");
let dir = "";

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "upgradec-json-"));
  writeFileSync(join(dir, "inventory.ini"), "[control]\nctl1\nctl2\n");
  // glance-api is not rolled by the library: on two hosts, UPG0506 warns of its downtime.
  writeFileSync(
    join(dir, "plan.upg"),
    `plan "p" {
  kind upgrade
  from "zed" to "2023.1"
  deploy openstack.kolla-ansible
  start 2026-12-05T22:00 "Europe/Berlin"
}
use openstack
inventory "inventory.ini"
service glance-api extends openstack.glance-api { on control }
`,
  );
});

afterAll(() => {
  if (dir !== "") rmSync(dir, { recursive: true, force: true });
});

interface JsonDiagnostics {
  readonly diagnostics: readonly { readonly code: string; readonly severity: string; readonly line?: number }[];
  readonly summary: { readonly warnings: number };
}

describe("compile --format json", () => {
  it("prints the plan on stdout and the warnings as JSON on stderr", async () => {
    const r = await execa(process.execPath, [bin, "compile", "plan.upg", "--format", "json"], { cwd: dir, reject: false, env: { NO_COLOR: "1" } });
    expect(r.exitCode).toBe(0);
    expect((JSON.parse(r.stdout) as { format: string }).format).toMatch(/^upgradec\.plan\//);
    const findings = JSON.parse(r.stderr) as JsonDiagnostics;
    const warning = findings.diagnostics.find((d) => d.code === "UPG0506");
    expect(warning?.severity).toBe("warning");
    expect(warning?.line).toBe(9);
    expect(findings.summary.warnings).toBeGreaterThanOrEqual(1);
  });

  it("lists the same warnings with --diagnostics-only, on stdout", async () => {
    const r = await execa(process.execPath, [bin, "compile", "plan.upg", "--format", "json", "--diagnostics-only"], { cwd: dir, reject: false, env: { NO_COLOR: "1" } });
    expect(r.exitCode).toBe(0);
    expect((JSON.parse(r.stdout) as JsonDiagnostics).diagnostics.map((d) => d.code)).toContain("UPG0506");
  });
});
