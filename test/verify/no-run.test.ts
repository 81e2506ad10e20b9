/**
 * `verify` on a plan that has never run says so, and compares what the hosts run (the
 * version probes) with the plan's `from` and `to`: OK only when every host already runs
 * `to`. Through the built binary; the version probe reads a file per host.
 */
import { execa } from "execa";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ExitCode } from "../../src/cli/exit-codes.js";
import { tempDir } from "../support/temp-dir.js";

const bin = join(import.meta.dirname, "..", "..", "bin", "upgradec.js");

async function upgradec(dir: string, ...args: string[]) {
  return execa("node", [bin, ...args], { cwd: dir, reject: false, env: { NO_COLOR: "1" } });
}

async function project(options: { readonly versionAction: boolean; readonly atTo: readonly string[] }): Promise<string> {
  const dir = tempDir("upgradec-verify-");
  writeFileSync(join(dir, "hosts.ini"), "[app]\na1\na2\na3\n");
  writeFileSync(
    join(dir, "plan.upg"),
    `plan "verify-norun" {
  kind upgrade
  from "zed" to "2023.1"
}
inventory "hosts.ini"

service app {
  on app
  tags rolling-upgrade
  upgrade shell "echo 2023.1 > version-{host}"
${options.versionAction ? '  version shell "cat version-{host} 2>/dev/null || echo zed"\n' : ""}}
`,
  );
  for (const h of options.atTo) writeFileSync(join(dir, `version-${h}`), "2023.1\n");
  const compiled = await upgradec(dir, "compile", "plan.upg", "-o", "plan.json");
  expect(compiled.exitCode).toBe(0);
  return dir;
}

describe("verify with no run of the plan", () => {
  it("says no run happened and counts the hosts at from and at to; not OK while they are at from", { timeout: 30_000 }, async () => {
    const dir = await project({ versionAction: true, atTo: [] });
    const r = await upgradec(dir, "verify", "plan.json");
    expect(r.exitCode).toBe(ExitCode.VerifyFailed);
    expect(r.stdout).toContain("no run of this plan: 3 instance(s) at zed (from): app on a1, app on a2, app on a3, 0 at 2023.1 (to)");
    expect(r.stdout).toContain("paste:    upgradec run plan.json");
    expect(r.stdout).not.toContain("OK: the cloud is where the plan leaves it");
    // One problem for the plan, not a "redo the upgrade" per host: nothing ran to redo.
    const json = JSON.parse((await upgradec(dir, "verify", "plan.json", "--format", "json")).stdout) as { problems: { problem: string }[]; run: unknown };
    expect(json.run).toBeNull();
    expect(json.problems.map((p) => p.problem)).toEqual([expect.stringContaining("no run of this plan: 3 instance(s) at zed (from)")]);
  });

  it("counts a cloud half at to", { timeout: 30_000 }, async () => {
    const dir = await project({ versionAction: true, atTo: ["a2"] });
    const r = await upgradec(dir, "verify", "plan.json");
    expect(r.exitCode).toBe(ExitCode.VerifyFailed);
    expect(r.stdout).toContain("2 instance(s) at zed (from): app on a1, app on a3, 1 at 2023.1 (to)");
  });

  it("is OK when every host already runs to, and says that no run is recorded", { timeout: 30_000 }, async () => {
    const dir = await project({ versionAction: true, atTo: ["a1", "a2", "a3"] });
    const r = await upgradec(dir, "verify", "plan.json");
    expect(r.exitCode).toBe(ExitCode.Ok);
    expect(r.stdout).toContain("OK: no run of this plan is recorded, but every probed host already runs the plan's `to`");
  });

  it("is not OK when nothing can tell the hosts' versions", { timeout: 30_000 }, async () => {
    const dir = await project({ versionAction: false, atTo: [] });
    const r = await upgradec(dir, "verify", "plan.json");
    expect(r.exitCode).toBe(ExitCode.VerifyFailed);
    expect(r.stdout).toContain("no run of this plan is recorded, and no version query tells which release the hosts run");
  });

  it("takes the version queries from the plan file, not from its sources compiled again (a source broken since still leaves them)", { timeout: 30_000 }, async () => {
    const dir = await project({ versionAction: true, atTo: ["a1"] });
    writeFileSync(join(dir, "plan.upg"), "service {\n");
    const r = await upgradec(dir, "verify", "plan.json");
    expect(r.exitCode).toBe(ExitCode.VerifyFailed);
    expect(r.stdout).toContain("2 instance(s) at zed (from): app on a2, app on a3, 1 at 2023.1 (to)");
  });

  it("with no `to` in the plan, runs no version query and says why", { timeout: 30_000 }, async () => {
    const dir = tempDir("upgradec-verify-");
    writeFileSync(join(dir, "hosts.ini"), "[app]\na1\n");
    writeFileSync(
      join(dir, "plan.upg"),
      'plan "verify-noto" {\n  kind update\n}\ninventory "hosts.ini"\n\nservice app {\n  on app\n  tags rolling-upgrade\n  upgrade shell "true"\n  version shell "touch probed-{host}; echo 1"\n}\n',
    );
    expect((await upgradec(dir, "compile", "plan.upg", "-o", "plan.json")).exitCode).toBe(0);
    const r = await upgradec(dir, "verify", "plan.json", "--format", "json");
    expect(r.exitCode).toBe(ExitCode.VerifyFailed);
    const json = JSON.parse(r.stdout) as { rows: { check: string; result: string; detail: string }[] };
    expect(json.rows.filter((row) => row.check === "version")).toEqual([expect.objectContaining({ result: "skipped", detail: "the plan names no `to` version" })]);
    expect(existsSync(join(dir, "probed-a1")), "the version query ran").toBe(false);
  });
});
