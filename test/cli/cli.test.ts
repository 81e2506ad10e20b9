/**
 * The CLI contract, through the built binary: verbs, help, and distinct exit codes.
 */
import { execa } from "execa";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const bin = join(root, "bin", "upgradec.js");

async function upgradec(...args: string[]) {
  return execa("node", [bin, ...args], { cwd: root, reject: false, env: { NO_COLOR: "1" } });
}

const verbs = ["compile", "check", "run", "resume", "rollback", "verify", "status", "simulate", "fmt"];

describe("upgradec CLI", () => {
  it("lists every verb and the exit codes in --help", async () => {
    const r = await upgradec("--help");
    expect(r.exitCode).toBe(0);
    for (const verb of verbs) expect(r.stdout).toMatch(new RegExp(`upgradec ${verb}\\b`));
    expect(r.stdout).toContain("Exit codes:");
  });

  it.each(verbs)("%s --help shows usage and examples", async (verb) => {
    const r = await upgradec(verb, "--help");
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(`upgradec ${verb}`);
    expect(r.stdout).toContain("Examples:");
  });

  it("an unknown verb is bad usage (2) with a suggestion", async () => {
    const r = await upgradec("compil", "x.upg");
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/compile/);
  });

  it("a missing argument is bad usage (2)", async () => {
    const r = await upgradec("compile");
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/file/);
  });

  it("no verb at all is bad usage (2)", async () => {
    const r = await upgradec();
    expect(r.exitCode).toBe(2);
  });

  it("a missing .upg file is a compile error (1), not bad usage", async () => {
    const r = await upgradec("compile", "does/not/exist.upg");
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("does/not/exist.upg");
  });

  it("--version prints the package version", async () => {
    const r = await upgradec("--version");
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
