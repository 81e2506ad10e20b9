/**
 * "Can I still go back?" has one answer: the preview, the stop message, `status`, `verify`
 * and `rollback` agree, through the built binary on compiled plans, with real processes.
 * What rollback does is read from the files its commands write and from the journal.
 */
import { execa } from "execa";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ExitCode } from "../../src/cli/exit-codes.js";
import { journalOf } from "./harness.js";
import { tempDir } from "../support/temp-dir.js";

const bin = join(import.meta.dirname, "..", "..", "bin", "upgradec.js");

async function upgradec(dir: string, ...args: string[]) {
  return execa("node", [bin, ...args], { cwd: dir, reject: false, env: { NO_COLOR: "1" } });
}

interface Shape {
  /** A checkpoint with a restore before expand. */
  readonly checkpoint: boolean;
  /** Which step fails: the upgrade (before the contract) or the cleanup (after it). */
  readonly fails: "upgrade" | "cleanup";
}

function project(shape: Shape): string {
  const dir = tempDir("upgradec-wayback-");
  writeFileSync(join(dir, "hosts.ini"), "[app]\na1\na2\n");
  const checkpoint = shape.checkpoint
    ? `checkpoint db-backup before expand {
  run shell "echo backup >> ran.log"
  restore shell "echo restore >> ran.log"
}
`
    : "";
  writeFileSync(
    join(dir, "plan.upg"),
    `plan "wayback" {
  kind upgrade
  from "zed" to "2023.1"
}
inventory "hosts.ini"
${checkpoint}
service app {
  on app
  tags rolling-upgrade
  expand shell "echo expand >> ran.log"
  upgrade shell "echo upgrade {host} >> ran.log; test ! -e fail-upgrade-{host}" { undo shell "echo undo {host} >> ran.log" }
  contract shell "echo contract >> ran.log" { undo irreversible }
  cleanup shell "echo cleanup >> ran.log; test ! -e fail-cleanup"
}
`,
  );
  writeFileSync(join(dir, shape.fails === "upgrade" ? "fail-upgrade-a2" : "fail-cleanup"), "");
  return dir;
}

interface Answers {
  readonly previewSaysNoReturn: boolean;
  readonly stopOffersRollback: boolean;
  readonly statusSays: boolean;
  readonly verifySays: boolean;
  readonly rollbackExit: number;
}

async function askAll(dir: string): Promise<Answers & { ran: string[] }> {
  const compiled = await upgradec(dir, "compile", "plan.upg", "-o", "plan.json");
  expect(compiled.exitCode).toBe(0);
  const run = await upgradec(dir, "run", "plan.json", "--skip-checks");
  expect(run.exitCode).toBe(ExitCode.Stopped);
  const status = await upgradec(dir, "status", "plan.json", "--json");
  const verify = await upgradec(dir, "verify", "plan.json", "--format", "json");
  const rollback = await upgradec(dir, "rollback", "plan.json");
  return {
    previewSaysNoReturn: compiled.stdout.includes("POINT OF NO RETURN"),
    stopOffersRollback: run.stderr.includes("undo what was done:                  upgradec rollback plan.json"),
    statusSays: (JSON.parse(status.stdout) as { wayBack: { possible: boolean } }).wayBack.possible,
    verifySays: (JSON.parse(verify.stdout) as { rollback: { possible: boolean } }).rollback.possible,
    rollbackExit: rollback.exitCode ?? -1,
    ran: readFileSync(join(dir, "ran.log"), "utf8").trim().split("\n"),
  };
}

describe("one answer to \"can I still go back?\"", () => {
  it("no checkpoint before an irreversible contract, stopped after it: all five say no, and rollback undoes nothing (exit 11)", { timeout: 60_000 }, async () => {
    const dir = project({ checkpoint: false, fails: "cleanup" });
    const a = await askAll(dir);
    expect(a).toMatchObject({ previewSaysNoReturn: true, stopOffersRollback: false, statusSays: false, verifySays: false, rollbackExit: ExitCode.RollbackRefused });
    expect(a.ran.filter((l) => l.startsWith("undo") || l === "restore")).toEqual([]);
    expect(journalOf(dir).some((r) => r.type.startsWith("rollback"))).toBe(false);
  });

  it("a checkpoint with a restore before the contract, stopped after it: all five say yes, and rollback restores it (exit 4)", { timeout: 60_000 }, async () => {
    const dir = project({ checkpoint: true, fails: "cleanup" });
    const a = await askAll(dir);
    expect(a).toMatchObject({ previewSaysNoReturn: false, stopOffersRollback: true, statusSays: true, verifySays: true, rollbackExit: ExitCode.RolledBack });
    expect(a.ran.at(-1)).toBe("restore");
    expect(journalOf(dir).find((r) => r.type === "rollback-started")?.to).toBe("db-backup");
  });

  it("no checkpoint, stopped before the contract: the plan has a point of no return, but the run has not reached it, so all four say yes", { timeout: 60_000 }, async () => {
    const dir = project({ checkpoint: false, fails: "upgrade" });
    const a = await askAll(dir);
    expect(a).toMatchObject({ previewSaysNoReturn: true, stopOffersRollback: true, statusSays: true, verifySays: true, rollbackExit: ExitCode.RolledBack });
    expect(a.ran).not.toContain("contract");
    expect(a.ran).toContain("undo a1");
  });
});
