/**
 * `max-failures N`: a failure within N leaves its host out and the rollout goes on (no later
 * batch waits for it); the run stops when failures exceed N. Through the built binary with
 * real processes, a fake upgrade failing on chosen hosts; asserted on the journal.
 */
import { execa } from "execa";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ExitCode } from "../../src/cli/exit-codes.js";
import type { JournalRecord } from "../../src/runtime/journal.js";
import { journalOf } from "./harness.js";
import { tempDir } from "../support/temp-dir.js";

const bin = join(import.meta.dirname, "..", "..", "bin", "upgradec.js");
const HOSTS = ["a1", "a2", "a3", "a4", "a5"];

async function upgradec(dir: string, ...args: string[]) {
  return execa("node", [bin, ...args], { cwd: dir, reject: false, env: { NO_COLOR: "1" } });
}

/** Five hosts, batches of one, two out at once; the upgrade fails on a host while the file `fail-HOST` exists. */
function project(maxFailures: string, failing: readonly string[]): string {
  const dir = tempDir("upgradec-tolerate-");
  writeFileSync(join(dir, "hosts.ini"), `[app]\n${HOSTS.join("\n")}\n`);
  writeFileSync(
    join(dir, "plan.upg"),
    `plan "tolerate" {
  kind upgrade
  from "zed" to "2023.1"
}
inventory "hosts.ini"

service app {
  on app
  tags rolling-upgrade
  upgrade shell "echo upgrade {host} >> ran.log; test ! -e fail-{host}" { takes 1s }
  start shell "echo start {host} >> ran.log" { takes 1s }
  rolling {
    batch 1
    max-unavailable 3
    max-failures ${maxFailures}
  }
}
`,
  );
  for (const h of failing) writeFileSync(join(dir, `fail-${h}`), "");
  return dir;
}

const succeeded = (records: readonly JournalRecord[]): string[] => records.filter((r) => r.type === "step-succeeded").map((r) => r.step ?? "");
const failed = (records: readonly JournalRecord[]): JournalRecord[] => records.filter((r) => r.type === "step-failed");

describe("max-failures: a tolerated failure leaves its host out and the rollout goes on (run)", () => {
  it("goes on with the later batches past a failure within max-failures 1; the host's own chain and `app/done` wait", { timeout: 60_000 }, async () => {
    const dir = project("1", ["a2"]);
    expect((await upgradec(dir, "compile", "plan.upg", "-o", "plan.json")).exitCode).toBe(0);
    const run = await upgradec(dir, "run", "plan.json", "--skip-checks");
    expect(run.exitCode).toBe(ExitCode.Stopped);
    const records = journalOf(dir);
    const ok = succeeded(records);
    // Every later batch ran, on every other host.
    for (const h of ["a1", "a3", "a4", "a5"]) {
      expect(ok).toContain(`app/b${HOSTS.indexOf(h) + 1}/${h}/upgrade`);
      expect(ok).toContain(`app/b${HOSTS.indexOf(h) + 1}/${h}/start`);
    }
    expect(ok).toContain("app/b4/pause");
    const failures = failed(records);
    expect(failures.map((r) => [r.step, r.tolerated])).toEqual([["app/b2/a2/upgrade", true]]);
    // The failed host's chain goes no further, and "every host is new" does not start.
    const started = new Set(records.filter((r) => r.type === "step-started").map((r) => r.step));
    expect(started.has("app/b2/a2/start")).toBe(false);
    expect(started.has("app/done")).toBe(false);
    const stop = records.find((r) => r.type === "run-stopped");
    expect(stop?.outcome).toBe("hosts-left-out");
    expect(stop?.message).toContain("app: a2");
    expect(run.stderr).toContain("left out");
    expect(run.stderr).toContain("upgradec resume plan.json");
    // status says which failure left its host out.
    const status = await upgradec(dir, "status", "plan.json", "--json");
    const shown = JSON.parse(status.stdout) as { failed: { step: string; tolerated: boolean }[] };
    expect(shown.failed).toEqual([expect.objectContaining({ step: "app/b2/a2/upgrade", tolerated: true })]);
    expect((await upgradec(dir, "status", "plan.json")).stdout).toContain("app/b2/a2/upgrade on a2: exit code 1 on a2 [left out]");

    // Offered for retry: once the host is fixed, resume retries it and finishes the run.
    rmSync(join(dir, "fail-a2"));
    const resume = await upgradec(dir, "resume", "plan.json");
    expect(resume.exitCode).toBe(ExitCode.Ok);
    const after = journalOf(dir);
    expect(succeeded(after)).toEqual(expect.arrayContaining(["app/b2/a2/upgrade", "app/b2/a2/start", "app/done"]));
    expect(after.at(-1)?.type).toBe("run-finished");
    expect(existsSync(join(dir, ".upgradec", "lock"))).toBe(false);
  });

  it("stops when failures exceed max-failures: the second failure of max-failures 1 stops the run; no batch starts after it", { timeout: 60_000 }, async () => {
    const dir = project("1", ["a2", "a3"]);
    expect((await upgradec(dir, "compile", "plan.upg", "-o", "plan.json")).exitCode).toBe(0);
    const run = await upgradec(dir, "run", "plan.json", "--skip-checks");
    expect(run.exitCode).toBe(ExitCode.Stopped);
    const records = journalOf(dir);
    expect(failed(records).map((r) => [r.step, r.tolerated ?? false])).toEqual([
      ["app/b2/a2/upgrade", true],
      ["app/b3/a3/upgrade", false],
    ]);
    const started = records.filter((r) => r.type === "step-started").map((r) => r.step ?? "");
    expect(started.filter((id) => id.startsWith("app/b4/") || id.startsWith("app/b5/"))).toEqual([]);
    const stop = records.find((r) => r.type === "run-stopped");
    expect(stop?.outcome).toBe("stopped");
    expect(stop?.message).toContain("2 failed host(s), more than max-failures 1");
  });

  it("max-failures 0 stops at the first failure", { timeout: 60_000 }, async () => {
    const dir = project("0", ["a2"]);
    expect((await upgradec(dir, "compile", "plan.upg", "-o", "plan.json")).exitCode).toBe(0);
    expect((await upgradec(dir, "run", "plan.json", "--skip-checks")).exitCode).toBe(ExitCode.Stopped);
    const records = journalOf(dir);
    expect(failed(records).map((r) => r.tolerated ?? false)).toEqual([false]);
    expect(records.some((r) => r.type === "step-started" && (r.step ?? "").startsWith("app/b3/"))).toBe(false);
  });

  it("per batch: each batch tolerates its own failures", { timeout: 60_000 }, async () => {
    const dir = project("1 per batch", ["a2", "a3"]);
    expect((await upgradec(dir, "compile", "plan.upg", "-o", "plan.json")).exitCode).toBe(0);
    expect((await upgradec(dir, "run", "plan.json", "--skip-checks")).exitCode).toBe(ExitCode.Stopped);
    const records = journalOf(dir);
    expect(failed(records).map((r) => r.tolerated ?? false)).toEqual([true, true]);
    expect(succeeded(records)).toEqual(expect.arrayContaining(["app/b4/a4/start", "app/b5/a5/start"]));
    expect(records.find((r) => r.type === "run-stopped")?.message).toContain("app: a2, a3");
  });
});
