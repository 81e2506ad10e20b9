/**
 * Opening a session is a value: the open session, or the refusal (its outcome and problems)
 * that the CLI prints and turns into an exit code. Nothing is printed by the runtime except
 * what it says through `say` on the way.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openSession, type SessionRequest } from "../../src/runtime/open-session.js";
import { makePlan, shell, step, writePlan } from "../support/plan-builder.js";
import { tempDir } from "../support/temp-dir.js";

function request(dir: string, env: Readonly<Record<string, string | undefined>> = {}): SessionRequest & { readonly said: string[] } {
  const said: string[] = [];
  return { verb: "run", plan: "plan.json", cwd: dir, env, signals: { signal: new AbortController().signal, halt: new AbortController().signal }, say: (text) => said.push(text), said };
}

function planIn(dir: string, secrets = false): void {
  writePlan(dir, makePlan({
    dir,
    hosts: [],
    services: [],
    steps: [step("one", { command: shell("true") })],
    ...(secrets ? { secrets: [{ name: "db", source: "env" as const, ref: "UPGRADEC_TEST_NEVER_SET" }] } : {}),
  }));
}

describe("openSession", () => {
  it("opens a session holding the lock; a second is refused as locked (UPG0801, naming the holder) until the first releases it", async () => {
    const dir = tempDir();
    planIn(dir);
    const first = await openSession(request(dir));
    if (!first.ok) throw new Error(`not opened: ${first.refusal}`);
    expect(first.session.loaded.plan.plan.name).toBe("test");
    const second = await openSession(request(dir));
    expect(second.ok).toBe(false);
    if (second.ok) return;
    expect(second.refusal).toBe("locked");
    expect(second.problems.map((d) => d.code)).toEqual(["UPG0801"]);
    expect(second.problems[0]?.notes).toContain(`lock id ${first.session.lock.id}`);
    await first.session.release();
    const third = await openSession(request(dir));
    expect(third.ok).toBe(true);
    if (third.ok) await third.session.release();
  });

  it("refuses an invalid plan with its load problems, and takes no lock", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "plan.json"), "{ not json");
    const opened = await openSession(request(dir));
    expect(opened.ok).toBe(false);
    if (opened.ok) return;
    expect(opened.refusal).toBe("invalid-plan");
    expect(opened.problems.length).toBeGreaterThan(0);
    expect(opened.problems.every((d) => d.severity === "error")).toBe(true);
  });

  it("refuses a secret that cannot be read as a usage error (UPG0803), and releases the lock it took", async () => {
    const dir = tempDir();
    planIn(dir, true);
    const opened = await openSession(request(dir));
    expect(opened.ok).toBe(false);
    if (opened.ok) return;
    expect(opened.refusal).toBe("usage");
    expect(opened.problems.map((d) => d.code)).toEqual(["UPG0803"]);
    expect(opened.problems[0]?.message).toContain("UPGRADEC_TEST_NEVER_SET");
    const again = await openSession(request(dir, { UPGRADEC_TEST_NEVER_SET: "s3cret" }));
    expect(again.ok).toBe(true);
    if (again.ok) await again.session.release();
  });

  it("refuses a --state it cannot use (UPG0809) as a usage error", async () => {
    const dir = tempDir();
    planIn(dir);
    const opened = await openSession({ ...request(dir), state: "ftp://example.invalid/state" });
    expect(opened.ok).toBe(false);
    if (opened.ok) return;
    expect(opened.refusal).toBe("usage");
    expect(opened.problems.map((d) => d.code)).toEqual(["UPG0809"]);
  });
});
