/**
 * What `--help` promises, the verb accepts: every option used in a verb's examples is one of
 * its options (the class of `fmt --help` advertising a `--check` that fmt rejected), and a
 * verb that is not built yet says so in its help.
 */
import { execa } from "execa";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const bin = join(root, "bin", "upgradec.js");
const verbs = ["compile", "check", "run", "resume", "rollback", "verify", "status", "simulate", "fmt", "lsp", "state", "facts"];

async function help(verb: string): Promise<string> {
  const r = await execa(process.execPath, [bin, verb, "--help"], { cwd: root, reject: false, env: { NO_COLOR: "1" } });
  expect(r.exitCode).toBe(0);
  return r.stdout;
}

/** The long options a section of the help names. */
function optionsIn(text: string): Set<string> {
  return new Set([...text.matchAll(/(?:^|\s)(--[a-z][a-z-]*)/g)].map((m) => m[1] as string));
}

describe("verb help", () => {
  it.each(verbs)("%s --help uses in its examples only options it accepts", async (verb) => {
    const text = await help(verb);
    const [, afterOptions = ""] = text.split(/^Options:$/m);
    const [options = "", rest = ""] = afterOptions.split(/^Examples:$/m);
    // The examples end where the next section (Signals, Exit codes) begins.
    const [examples = ""] = rest.split(/^(?:Signals|Exit codes):$/m);
    const accepted = optionsIn(options);
    for (const used of optionsIn(examples)) expect(accepted, `${verb}: ${used} is in an example, not among the options`).toContain(used);
  });

  it("fmt --check, as its help shows it, checks without touching the file", async () => {
    const file = "examples/lab-haproxy/upgrade.upg";
    const before = readFileSync(join(root, file), "utf8");
    const r = await execa(process.execPath, [bin, "fmt", "--check", file], { cwd: root, reject: false, env: { NO_COLOR: "1" } });
    expect(r.exitCode).toBe(0);
    expect(readFileSync(join(root, file), "utf8")).toBe(before);
  });
});
