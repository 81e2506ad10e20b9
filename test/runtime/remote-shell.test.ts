/**
 * Commands that reach a remote shell through ssh: every argument arrives byte for byte,
 * whatever it holds, and no value becomes an ssh option. The remote side is
 * test/runtime/fake-ssh/ssh, which does here what ssh and sshd do (`sh -c` of the words
 * after the destination, a ProxyCommand run locally).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { buildInvocation, expandVarValues, type Built } from "../../src/runtime/command-line.js";
import { parseSsh, remoteArgv, reparsesArguments } from "../../src/runtime/remote-shell.js";
import type { PlanCommand, VarValue } from "../../src/plan/plan.js";

const FAKE = join(import.meta.dirname, "fake-ssh");
const RECORDER = join(FAKE, "record-args");
const dir = mkdtempSync(join(tmpdir(), "upg-remote-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Arguments as an attacker or an unlucky inventory would write them (NUL cannot be in an argument). */
const hostile = fc.string({
  unit: fc.oneof(
    fc.constantFrom("\n", "\r", "\t", " ", "'", '"', "$", "`", "\\", ";", "|", "&", "(", ")", "<", ">", "*", "?", "~", "#", "!", "-", "{", "}", "=", "é", "日本", "🙂", "\u00a0"),
    fc.string({ minLength: 1, maxLength: 1 }).filter((c) => c !== "\0"),
  ),
  maxLength: 24,
});

/** Spawn what `buildInvocation` built, with the fake ssh first on PATH; the arguments the recorder received. */
function runBuilt(built: Built): { args: string[]; status: number | null; stderr: string } {
  if (!built.ok) throw new Error(built.error);
  const out = join(dir, "received");
  rmSync(out, { force: true });
  const { file, args, env, input } = built.invocation;
  const r = spawnSync(file, [...args], {
    env: { ...process.env, ...env, PATH: `${FAKE}:${process.env["PATH"] ?? ""}`, RECORD_ARGS: out },
    input: input ?? "",
    encoding: "utf8",
  });
  const text = existsSync(out) ? readFileSync(out, "utf8") : "";
  return { args: text === "" ? [] : text.split("\0").slice(0, -1), status: r.status, stderr: r.stderr };
}

function valuesAsVars(values: readonly string[]): Record<string, VarValue> {
  return Object.fromEntries(values.map((v, i) => [`a${i}`, v]));
}

const placeholders = (values: readonly string[]): string[] => values.map((_, i) => `{a${i}}`);
const SSH_CONNECTION = ["ssh", "-o", "BatchMode=yes", "{host}", "--"];

describe("remote command lines", () => {
  it("arrive byte for byte behind an ssh connection, through a list var like {on-host}, through two hops, and as a shell step's variables", () => {
    fc.assert(
      fc.property(fc.array(hostile, { minLength: 1, maxLength: 5 }), (values) => {
        const vars = { host: "cmp1", ...valuesAsVars(values) };
        // A connection's exec prefix.
        const viaConnection = buildInvocation({ kind: "argv", argv: [RECORDER, ...placeholders(values)] }, { vars, secrets: {} }, {}, SSH_CONNECTION);
        expect(runBuilt(viaConnection).args).toEqual(values);
        // The standard library's pattern: ssh inside a list var at the head of the command.
        const listVars = expandVarValues({ ...vars, "on-host": ["ssh", "-o", "BatchMode=yes", "--", "{host}"], jump: ["ssh", "--", "gw", "ssh", "--", "{host}"] });
        const viaVar = buildInvocation({ kind: "argv", argv: ["{on-host}", RECORDER, ...placeholders(values)] }, { vars: listVars, secrets: {} }, {}, []);
        expect(runBuilt(viaVar).args).toEqual(values);
        const viaJump = buildInvocation({ kind: "argv", argv: ["{jump}", RECORDER, ...placeholders(values)] }, { vars: listVars, secrets: {} }, {}, []);
        expect(runBuilt(viaJump).args).toEqual(values);
        // A shell step: the values travel as variables and the script refers to them.
        const script: PlanCommand = { kind: "shell", script: `${RECORDER} ${placeholders(values).join(" ")}` };
        expect(runBuilt(buildInvocation(script, { vars, secrets: {} }, {}, SSH_CONNECTION)).args).toEqual(values);
      }),
      { numRuns: 40 },
    );
  });

  it("a secret reaching a remote shell step arrives byte for byte too (on standard input)", () => {
    fc.assert(
      // A marker, so that "the value is in no argument" means something for short values.
      fc.property(hostile.map((s) => `pw-7f3a${s}`), (secret) => {
        const script: PlanCommand = { kind: "shell", script: `${RECORDER} {secret.pw}` };
        const built = buildInvocation(script, { vars: { host: "cmp1" }, secrets: { pw: secret } }, {}, SSH_CONNECTION);
        expect(built.ok && built.invocation.args.some((a) => a.includes(secret))).toBe(false);
        expect(runBuilt(built).args).toEqual([secret]);
      }),
      { numRuns: 30 },
    );
  });

  it("a command gets only the secrets it names, here as there", () => {
    const secrets = { db: "pw-db", os: "pw-os" };
    const envOf = (command: Parameters<typeof buildInvocation>[0], stepEnv: Record<string, string> = {}): Record<string, string> => {
      const built = buildInvocation(command, { vars: { host: "cmp1" }, secrets }, stepEnv, []);
      return built.ok ? { ...built.invocation.env } : {};
    };
    expect(Object.keys(envOf({ kind: "shell", script: "true" })).filter((k) => k.startsWith("UPG_SECRET"))).toEqual([]);
    expect(envOf({ kind: "shell", script: "use {secret.db}" })).toMatchObject({ UPG_SECRET_DB: "pw-db" });
    expect(envOf({ kind: "shell", script: "use {secret.db}" })).not.toHaveProperty("UPG_SECRET_OS");
    expect(envOf({ kind: "shell", script: 'use "$UPG_SECRET_OS"' })).toEqual(expect.objectContaining({ UPG_SECRET_OS: "pw-os" }));
    expect(envOf({ kind: "shell", script: 'use "$UPG_SECRET_OSX"' })).not.toHaveProperty("UPG_SECRET_OS");
    expect(envOf({ kind: "argv", argv: ["login"] }, { PW: "{secret.os}" })).toEqual({ PW: "pw-os" });
    // Behind a connection: not one secret value in the argv, only on standard input.
    const remote = buildInvocation({ kind: "shell", script: "use {secret.db}" }, { vars: { host: "cmp1" }, secrets }, { PW: "{secret.os}" }, SSH_CONNECTION);
    expect(remote.ok).toBe(true);
    if (remote.ok) {
      expect(remote.invocation.args.join(" ")).not.toMatch(/pw-db|pw-os/);
      expect(remote.invocation.input).toContain("UPG_SECRET_DB=pw-db; export UPG_SECRET_DB");
      expect(remote.invocation.input).toContain("PW=pw-os; export PW");
    }
  });

  it("a connection that does not forward standard input fails the command rather than running it without its secrets", () => {
    const script: PlanCommand = { kind: "shell", script: `${RECORDER} {secret.pw}` };
    const closesStdin = ["/bin/sh", "-c", 'exec "$@" </dev/null', "connection"];
    const r = runBuilt(buildInvocation(script, { vars: { host: "cmp1" }, secrets: { pw: "pw-1" } }, {}, closesStdin));
    expect(r.status).toBe(125);
    expect(r.stderr).toContain("no secrets on standard input");
    expect(r.args).toEqual([]);
    // Forwarded, the same command gets its secret; and a step that names no secret needs no standard input.
    expect(runBuilt(buildInvocation(script, { vars: { host: "cmp1" }, secrets: { pw: "pw-1" } }, {}, ["/bin/sh", "-c", 'exec "$@"', "connection"])).args).toEqual(["pw-1"]);
    expect(runBuilt(buildInvocation({ kind: "shell", script: `${RECORDER} x` }, { vars: { host: "cmp1" }, secrets: { pw: "pw-1" } }, {}, closesStdin)).args).toEqual(["x"]);
  });

  it("puts `--` before the destination, so a host name is never read as an option", () => {
    const pwned = join(dir, "pwned");
    const host = `-oProxyCommand=touch ${pwned}`;
    // The plan's own connection writes {host} before `--`, as the docs once did: still safe.
    const built = buildInvocation({ kind: "argv", argv: ["true"] }, { vars: { host }, secrets: {} }, {}, SSH_CONNECTION);
    expect(built).toEqual({ ok: false, error: `the host name '${host}' begins with '-' (ssh would read it as an option)` });
    const listVars = expandVarValues({ host, "on-host": ["ssh", "{host}"] });
    expect(buildInvocation({ kind: "argv", argv: ["{on-host}", "true"] }, { vars: listVars, secrets: {} }, {}, []).ok).toBe(false);
    expect(existsSync(pwned)).toBe(false);
    // The fake ssh is faithful: the same argv given to it as it was built before runs the command.
    spawnSync(join(FAKE, "ssh"), ["-o", "BatchMode=yes", host, "--", "true"]);
    expect(existsSync(pwned)).toBe(true);
  });

  it("splits an ssh argv as ssh does", () => {
    expect(parseSsh(["ssh", "-o", "BatchMode=yes", "h", "--", "ls", "-l"])).toEqual({ program: "ssh", options: ["-o", "BatchMode=yes"], destination: "h", command: ["ls", "-l"] });
    expect(parseSsh(["ssh", "h", "-p", "2222", "uptime"])).toEqual({ program: "ssh", options: ["-p", "2222"], destination: "h", command: ["uptime"] });
    expect(parseSsh(["ssh", "-vT", "-luser", "--", "-h", "-x"])).toEqual({ program: "ssh", options: ["-vT", "-luser"], destination: "-h", command: ["-x"] });
    expect(parseSsh(["ssh", "-V"])).toBeNull();
    expect(parseSsh(["autossh", "-M", "0", "-o", "ServerAliveInterval=30", "h", "uptime"])).toMatchObject({ options: ["-M", "0", "-o", "ServerAliveInterval=30"], destination: "h", command: ["uptime"] });
    expect(remoteArgv(["/usr/bin/ssh", "-i", "k", "h", "echo", "a b"])).toEqual({ ok: true, argv: ["/usr/bin/ssh", "-i", "k", "--", "h", "echo 'a b'"] });
    expect(remoteArgv(["docker", "exec", "c", "echo", "a b"])).toEqual({ ok: true, argv: ["docker", "exec", "c", "echo", "a b"] });
  });
});

describe("which programs reparse their arguments", () => {
  it("is ssh or autossh by the program's last path component, as basename gives it", () => {
    const part = fc.constantFrom("ssh", "autossh", "sshx", "xssh", "usr", "bin", "", "ssh.exe", "autossh2");
    const program = fc.array(part, { minLength: 1, maxLength: 4 }).chain((parts) => fc.constantFrom("", "/", "//").map((tail) => parts.join("/") + tail));
    fc.assert(fc.property(program, (p) => reparsesArguments(p) === /^(ssh|autossh)$/.test(basename(p))));
    expect(reparsesArguments(undefined)).toBe(false);
  });
});
