/**
 * The CLI contract, through the built binary: verbs, help, and distinct exit codes.
 */
import { execa } from "execa";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type { PlanFile } from "../../src/plan/plan.js";
import { planDigest } from "../../src/plan/plan-text.js";

const root = join(import.meta.dirname, "..", "..");
const bin = join(root, "bin", "upgradec.js");

async function upgradec(...args: string[]) {
  return execa("node", [bin, ...args], { cwd: root, reject: false, env: { NO_COLOR: "1" } });
}

const verbs = ["compile", "check", "run", "resume", "rollback", "verify", "status", "simulate", "fmt", "lsp", "facts"];

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

  it("compiles an example that uses the standard library to a plan file that validates, and simulates it", async () => {
    // What an installed upgradec does: the bundle in dist/ finds the standard library, the
    // plan schema and its own version beside it.
    const dir = mkdtempSync(join(tmpdir(), "upgradec-cli-"));
    try {
      const planPath = join(dir, "plan.json");
      const compiled = await upgradec("compile", "examples/upgrade-zed-to-2023.1/cloud.upg", "-o", planPath);
      expect(compiled.stderr).toBe("");
      expect(compiled.exitCode).toBe(0);
      const plan = JSON.parse(readFileSync(planPath, "utf8")) as { compiler: { version: string }; entry: string; sources: { path: string }[]; steps: unknown[] };
      expect(plan.sources.some((s) => s.path.startsWith("<stdlib>"))).toBe(true);
      // Recorded relative to the plan file, which is elsewhere.
      expect(resolve(dir, plan.entry)).toBe(join(root, "examples", "upgrade-zed-to-2023.1", "cloud.upg"));
      expect(plan.steps.length).toBeGreaterThan(10);
      const version = (await upgradec("--version")).stdout.trim();
      expect(plan.compiler.version).toBe(version);
      const simulated = await upgradec("simulate", planPath, "--format", "json");
      expect(simulated.stderr).toBe("");
      expect(simulated.exitCode).toBe(0);
      expect((JSON.parse(simulated.stdout) as { outcome: string }).outcome).toBe("completed");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("writes the plan file byte for byte as --format json prints it, with its writing thread's module and without it (then from the main thread)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "upgradec-cli-"));
    try {
      const source = join(root, "examples", "upgrade-zed-to-2023.1", "cloud.upg");
      const threaded = await execa("node", [bin, "compile", source, "-o", "plan.json", "--format", "json"], { cwd: dir, reject: false, stripFinalNewline: false, env: { NO_COLOR: "1" } });
      expect(threaded.exitCode).toBe(0);
      const written = readFileSync(join(dir, "plan.json"), "utf8");
      expect(written).toBe(threaded.stdout);
      // The digest the thread computed is the one the runtime computes from the file.
      const parsed = JSON.parse(written) as PlanFile;
      expect(planDigest(parsed)).toBe(parsed.digest);
      expect(readdirSync(dir)).toEqual(["plan.json"]);
      // An installed copy whose dist/ lacks the thread's module.
      const pkg = join(dir, "pkg");
      for (const part of ["bin", "dist", "schema", "package.json", join("src", "stdlib")]) cpSync(join(root, part), join(pkg, part), { recursive: true });
      rmSync(join(pkg, "dist", "plan-file-worker.mjs"));
      symlinkSync(join(root, "node_modules"), join(pkg, "node_modules"));
      const direct = await execa("node", [join(pkg, "bin", "upgradec.js"), "compile", source, "-o", "direct.json", "--format", "json"], { cwd: dir, reject: false, stripFinalNewline: false, env: { NO_COLOR: "1" } });
      expect(direct.stderr).toBe("");
      expect(direct.exitCode).toBe(0);
      expect(readFileSync(join(dir, "direct.json"), "utf8")).toBe(direct.stdout);
      expect(direct.stdout).toBe(threaded.stdout);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a compile with errors writes no plan file, and leaves no partial one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "upgradec-cli-"));
    try {
      writeFileSync(join(dir, "bad.upg"), 'plan "p" { from "a" to "b" }\nservice api { after ghost }\n');
      const r = await execa("node", [bin, "compile", "bad.upg", "-o", "plan.json"], { cwd: dir, reject: false, env: { NO_COLOR: "1" } });
      expect(r.exitCode).toBe(1);
      expect(readdirSync(dir)).toEqual(["bad.upg"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("an -o that cannot be written is bad usage (2), says why, and leaves no file behind", async () => {
    const dir = mkdtempSync(join(tmpdir(), "upgradec-cli-"));
    try {
      const r = await upgradec("compile", "examples/upgrade-zed-to-2023.1/cloud.upg", "-o", join(dir, "missing", "plan.json"));
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toContain(`cannot write the plan file ${join(dir, "missing", "plan.json")}`);
      expect(r.stderr).toContain("= help:");
      expect(readdirSync(dir)).toEqual([]);
      // Over a directory: the file is written beside it, the rename fails, and the partial file goes.
      mkdirSync(join(dir, "taken"));
      const over = await upgradec("compile", "examples/upgrade-zed-to-2023.1/cloud.upg", "-o", join(dir, "taken"));
      expect(over.exitCode).toBe(2);
      expect(over.stderr).toContain("cannot write the plan file");
      expect(readdirSync(dir)).toEqual(["taken"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("runs a plan whose action is a TypeScript module through the built CLI (the bundle loads tsx from node_modules)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "upgradec-cli-"));
    try {
      mkdirSync(join(dir, "actions"));
      writeFileSync(join(dir, "hosts.ini"), "[web]\nweb1 ansible_connection=local\n");
      writeFileSync(
        join(dir, "main.upg"),
        'plan "p" { from "a" to "b" }\ninventory "hosts.ini"\nservice api {\n  on web\n  tags rolling-upgrade\n  upgrade uses "./actions/mark.ts#upgrade"\n}\n',
      );
      writeFileSync(
        join(dir, "actions", "mark.ts"),
        'import { writeFileSync } from "node:fs";\nexport function upgrade(ctx: { host: string | null }): void {\n  writeFileSync(new URL("../ran.txt", import.meta.url), `upgraded ${ctx.host ?? "-"}`);\n}\n',
      );
      const inDir = (...args: string[]) => execa("node", [bin, ...args], { cwd: dir, reject: false, env: { NO_COLOR: "1" } });
      const compiled = await inDir("compile", "main.upg", "-o", "plan.json");
      expect(compiled.exitCode).toBe(0);
      const run = await inDir("run", "plan.json");
      expect(run.stderr).not.toContain("cannot load");
      expect(run.exitCode).toBe(0);
      expect(readFileSync(join(dir, "ran.txt"), "utf8")).toBe("upgraded web1");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the plan schema check of the built CLI (its validator compiled by the build)", () => {
  it("refuses a plan that breaks the schema with the same problems as the schema compiled from the sources", async () => {
    const { validatePlanFile } = await import("../../src/plan/validate.js");
    const { ExitCode } = await import("../../src/cli/exit-codes.js");
    const dir = mkdtempSync(join(tmpdir(), "upgradec-schema-"));
    try {
      writeFileSync(join(dir, "main.upg"), 'plan "p" { from "a" to "b" }\nhosts h = h1\nservice api {\n  on h\n  tags rolling-upgrade\n  upgrade ["true"]\n}\n');
      const inDir = (...args: string[]) => execa("node", [bin, ...args], { cwd: dir, reject: false, env: { NO_COLOR: "1" } });
      expect((await inDir("compile", "main.upg", "-o", "plan.json")).exitCode).toBe(0);
      const plan = JSON.parse(readFileSync(join(dir, "plan.json"), "utf8")) as Record<string, unknown> & { steps: Record<string, unknown>[]; plan: Record<string, unknown> };
      plan.plan["parallelism"] = 0;
      plan.plan["start"] = "tomorrow";
      (plan.steps[0] as Record<string, unknown>)["surprise"] = true;
      writeFileSync(join(dir, "bad.json"), JSON.stringify(plan));
      const expected = validatePlanFile(plan);
      expect(expected.ok).toBe(false);
      const r = await inDir("run", "bad.json");
      expect(r.exitCode).toBe(ExitCode.InvalidPlan);
      expect(r.stderr).toContain("UPG0702");
      for (const line of expected.ok ? [] : expected.errors) expect(r.stderr).toContain(line);
      expect(readdirSync(dir)).not.toContain(".upgradec");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
