import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ExitCode } from "../../src/cli/exit-codes.js";
import type { PlanCommandSpec, PlanFile } from "../../src/plan/plan.js";
import { buildInvocation, rewriteScript, shellQuote } from "../../src/runtime/command-line.js";
import { systemClock } from "../../src/runtime/effects.js";
import { processExecutor } from "../../src/runtime/process-executor.js";
import { runSpec, type StepExecContext } from "../../src/runtime/step-exec.js";
import { runPlan } from "../../src/cli/session.js";
import { captureIO, filesUnder, running } from "./harness.js";
import { argv, host, makePlan, service, shell, spec, step, writePlan } from "../support/plan-builder.js";
import { tempDir } from "../support/temp-dir.js";

function context(plan: PlanFile, dir: string, logs: Map<string, string>): StepExecContext {
  return {
    plan,
    planDir: dir,
    clock: systemClock,
    executor: processExecutor({ baseDir: dir, moduleDir: dir, env: process.env, clock: systemClock }),
    secrets: {},
    redact: (t) => t,
    log: (id, t) => logs.set(id, (logs.get(id) ?? "") + t),
  };
}


async function runOne(dir: string, command: PlanCommandSpec, hosts: string[] = [], vars: Record<string, string | readonly string[]> = {}) {
  const s = step("s", { command, hosts, service: hosts.length > 0 ? "svc" : null });
  const plan = makePlan({ dir, hosts: hosts.map((h) => host(h, { rack: "r 1" })), services: hosts.length > 0 ? [service("svc", hosts, { vars })] : [], steps: [s] });
  const logs = new Map<string, string>();
  const started = Date.now();
  const result = await runSpec(context(plan, dir, logs), s, command, "action", new AbortController().signal);
  return { result, elapsed: Date.now() - started, log: logs.get("s") ?? "" };
}

describe("timeouts", () => {
  it("sends SIGTERM at the timeout, then SIGKILL after the grace period to a child that ignores TERM", { timeout: 20_000 }, async () => {
    const dir = tempDir();
    const { result, elapsed } = await runOne(dir, shell('trap "" TERM; echo $$ > pid; while :; do sleep 0.2; done', { timeout: 1, grace: 1 }));
    expect(result.ok).toBe(false);
    expect(result.timedOut).toBe(true);
    expect(result.signal).toBe("SIGKILL");
    expect(elapsed).toBeGreaterThanOrEqual(1900);
    expect(elapsed).toBeLessThan(6000);
    expect(running(Number(readFileSync(join(dir, "pid"), "utf8")))).toBe(false);
  });

  it("lets a child that handles TERM clean up and exit within the grace period", { timeout: 20_000 }, async () => {
    const dir = tempDir();
    const { result, elapsed } = await runOne(dir, shell("trap 'echo cleaned > got-term; exit 0' TERM; while :; do sleep 0.1; done", { timeout: 1, grace: 5 }));
    expect(result.ok).toBe(false);
    expect(result.timedOut).toBe(true);
    expect(readFileSync(join(dir, "got-term"), "utf8")).toBe("cleaned\n");
    expect(elapsed).toBeLessThan(4000);
  });
});

describe("retries", () => {
  it("retries with exponential backoff and succeeds on the third attempt", { timeout: 20_000 }, async () => {
    const dir = tempDir();
    const { result, log } = await runOne(dir, shell('date +%s%N >> attempts; [ "$(wc -l < attempts)" -ge 3 ]', { retries: 3, backoff: 0.3 }));
    expect(result.ok).toBe(true);
    const times = readFileSync(join(dir, "attempts"), "utf8").trim().split("\n").map((t) => Number(BigInt(t) / 1_000_000n));
    expect(times).toHaveLength(3);
    expect((times[1] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(290);
    expect((times[2] ?? 0) - (times[1] ?? 0)).toBeGreaterThanOrEqual(590);
    expect(log).toContain("retry 1 of 3");
  });
});

describe("a spec without options (as the plan file writes one whose options are all at their defaults)", () => {
  it("runs once, with no timeout, in the plan's directory, with the environment it was given", { timeout: 20_000 }, async () => {
    const dir = tempDir();
    const { result, log } = await runOne(dir, { command: { kind: "shell", script: 'pwd > where; echo "$PATH" > path; echo x >> attempts; sleep 0.3; exit 3' } });
    expect(result.ok).toBe(false);
    expect(readFileSync(join(dir, "attempts"), "utf8")).toBe("x\n");
    expect(readFileSync(join(dir, "where"), "utf8").trim()).toBe(dir);
    expect(readFileSync(join(dir, "path"), "utf8").trim()).toBe(process.env["PATH"]);
    expect(log).not.toContain("retry");
    expect(log).not.toContain("timed out");
  });
});

describe("placeholders", () => {
  it("keeps a value with spaces as one argument and expands a whole-argument list var into several", async () => {
    const dir = tempDir();
    const { result } = await runOne(dir, argv(["sh", "-c", 'printf "%s|" "$@" > args', "sh", "{host}", "{rack}", "{packages}", "pkgs={packages}", "{from}->{to}"]), ["h1"], {
      packages: ["nova-common", "nova compute"],
    });
    expect(result.ok).toBe(true);
    expect(readFileSync(join(dir, "args"), "utf8")).toBe("h1|r 1|nova-common|nova compute|pkgs=nova-common,nova compute|zed->2023.1|");
  });

  it("passes values to a shell script as variables, never as script text", async () => {
    const dir = tempDir();
    const { result } = await runOne(dir, shell("echo {host} \"in {rack}\" '{host}' > out; echo $UPG_RACK >> out"), ["h1"]);
    expect(result.ok).toBe(true);
    expect(readFileSync(join(dir, "out"), "utf8")).toBe("h1 in r 1 {host}\nr 1\n");
    expect(rewriteScript("rm -rf {host}", { vars: { host: "; reboot" }, secrets: {} })).toEqual({ ok: true, script: 'rm -rf "${UPG_HOST}"' });
  });

  it("an unknown placeholder fails the step instead of running with an empty string", async () => {
    const dir = tempDir();
    const { result } = await runOne(dir, argv(["touch", "{nope}"]), ["h1"]);
    expect(result.ok).toBe(false);
    expect(result.message).toContain("unknown placeholder {nope}");
  });

  it("quotes every argument behind an ssh connection, since the remote shell parses them again", () => {
    const built = buildInvocation({ kind: "argv", argv: ["echo", "{rack}", "it's"] }, { vars: { host: "cmp1", rack: "r 1; reboot" }, secrets: {} }, {}, ["ssh", "-o", "BatchMode=yes", "{host}", "--"]);
    expect(built).toEqual({ ok: true, invocation: { file: "ssh", args: ["-o", "BatchMode=yes", "--", "cmp1", "echo 'r 1; reboot' 'it'\\''s'"], env: {}, input: null } });
    expect(shellQuote("plain-arg")).toBe("plain-arg");
    const docker = buildInvocation({ kind: "argv", argv: ["echo", "a b"] }, { vars: { host: "c" }, secrets: {} }, {}, ["docker", "exec", "{host}"]);
    expect(docker).toMatchObject({ ok: true, invocation: { file: "docker", args: ["exec", "c", "echo", "a b"] } });
  });
});

describe("TypeScript actions", () => {
  it("imports the module relative to the plan's entry and calls the export with the step's context", { timeout: 30_000 }, async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "site", "actions"), { recursive: true });
    writeFileSync(
      join(dir, "site", "actions", "lb.ts"),
      `import { writeFileSync } from "node:fs";
interface Ctx { host: string | null; vars: Record<string, unknown>; signal: AbortSignal; log: (l: string) => void; step: { id: string }; service: string | null }
export async function drain(ctx: Ctx): Promise<void> {
  const seen: { host: string | null; az: unknown; step: string; service: string | null; aborted: boolean } = { host: ctx.host, az: ctx.vars["az"], step: ctx.step.id, service: ctx.service, aborted: ctx.signal.aborted };
  writeFileSync(new URL("../../drained.json", import.meta.url), JSON.stringify(seen));
  ctx.log("drained " + ctx.host);
}
export function broken(): void { throw new Error("backend lb-1 is not in the pool"); }
`,
    );
    const plan = makePlan({
      dir,
      hosts: [host("cmp1", { az: "az2" })],
      services: [service("nova-compute", ["cmp1"])],
      sources: [{ path: "site/cloud.upg", text: 'plan "p" {}\n' }],
      steps: [
        step("nova-compute/b0/cmp1/drain", { service: "nova-compute", hosts: ["cmp1"], command: spec({ kind: "module", module: "./actions/lb.ts", export: "drain" }) }),
        step("nova-compute/b0/cmp1/broken", { service: "nova-compute", hosts: ["cmp1"], after: ["nova-compute/b0/cmp1/drain"], command: spec({ kind: "module", module: "./actions/lb.ts", export: "broken" }) }),
      ],
    });
    writePlan(dir, plan);
    const io = captureIO(dir);
    expect(await runPlan({ plan: "plan.json" }, io.io)).toBe(ExitCode.Stopped);
    expect(JSON.parse(readFileSync(join(dir, "drained.json"), "utf8"))).toEqual({ host: "cmp1", az: "az2", step: "nova-compute/b0/cmp1/drain", service: "nova-compute", aborted: false });
    const logs = filesUnder(join(dir, ".upgradec")).filter((f) => f.endsWith(".log"));
    expect(logs.map((f) => readFileSync(f, "utf8")).join("")).toContain("drained cmp1");
    expect(io.err()).toContain("backend lb-1 is not in the pool");
  });
});

describe("secrets", () => {
  it("are substituted at run time and never written to the journal, the logs or the events", { timeout: 30_000 }, async () => {
    const dir = tempDir();
    const secret = "s3cr3t-Pa55word";
    writeFileSync(join(dir, "db.pw"), "db-pw-0042\n");
    const plan = makePlan({
      dir,
      hosts: [],
      services: [],
      secrets: [
        { name: "os-password", source: "env", ref: "TEST_OS_PASSWORD" },
        { name: "db", source: "file", ref: "db.pw" },
      ],
      steps: [
        // The command itself may do what it likes with the value (here: prove it got it).
        step("use", { command: argv(["sh", "-c", 'printf "%s %s" "$1" "$2" > received; echo "token is $1 and $2"', "sh", "{secret.os-password}", "{secret.db}"]) }),
        step("shell", { command: shell('echo "again: $UPG_SECRET_OS_PASSWORD {secret.db}"'), after: ["use"] }),
        step("fail", { command: argv(["/nonexistent/{secret.os-password}"]), after: ["shell"] }),
      ],
    });
    writePlan(dir, plan);
    const io = captureIO(dir, { ...process.env, TEST_OS_PASSWORD: secret });
    expect(await runPlan({ plan: "plan.json", events: "events.jsonl" }, io.io)).toBe(ExitCode.Stopped);
    expect(readFileSync(join(dir, "received"), "utf8")).toBe(`${secret} db-pw-0042`);
    const written = [...filesUnder(join(dir, ".upgradec")), join(dir, "events.jsonl")];
    expect(written.some((f) => f.endsWith("use.log"))).toBe(true);
    for (const file of written) {
      const text = readFileSync(file, "utf8");
      expect(text, file).not.toContain(secret);
      expect(text, file).not.toContain("db-pw-0042");
    }
    const all = written.map((f) => readFileSync(f, "utf8")).join("\n");
    expect(all).toContain("token is *** and ***");
    expect(all).toContain("again: *** ***");
    expect(io.out() + io.err()).not.toContain(secret);
    expect(existsSync(join(dir, "events.jsonl"))).toBe(true);
  });
});

describe("stopping at once (a second stop signal)", () => {
  it("stops a running command's group and a JavaScript action that ignores its signal, within the grace, and retries nothing", { timeout: 30_000 }, async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "stuck.mjs"), "export function stuck() { return new Promise(() => {}); }\n");
    const sleeps = argv(["sh", "-c", "echo $$ > sleeper.pid; echo try >> tries.log; sleep 30"], { grace: 0.5, retries: 3, backoff: 10 });
    const hangs = spec({ kind: "module", module: "./stuck.mjs", export: "stuck" }, { grace: 0.5 });
    const sleeper = step("sleeper", { command: sleeps });
    const stuck = step("stuck", { command: hangs });
    const plan = makePlan({ dir, hosts: [], services: [], steps: [sleeper, stuck] });
    const halt = new AbortController();
    const ctx: StepExecContext = { ...context(plan, dir, new Map()), halt: halt.signal };
    const never = new AbortController().signal;
    const outcomes = [runSpec(ctx, sleeper, sleeps, "action", never), runSpec(ctx, stuck, hangs, "action", never)];
    const end = Date.now() + 10_000;
    while (!existsSync(join(dir, "sleeper.pid")) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100));
    const haltedAt = Date.now();
    halt.abort();
    const [a, b] = await Promise.all(outcomes);
    expect(Date.now() - haltedAt).toBeLessThan(5_000);
    expect(a?.ok).toBe(false);
    expect(a?.message).toContain("interrupted");
    expect(b?.ok).toBe(false);
    expect(running(Number(readFileSync(join(dir, "sleeper.pid"), "utf8").trim()))).toBe(false);
    // No retry after the stop, though the spec has three.
    expect(readFileSync(join(dir, "tries.log"), "utf8")).toBe("try\n");
  });
});
