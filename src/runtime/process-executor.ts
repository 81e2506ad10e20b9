/**
 * The real executor: commands with Node's `child_process.spawn`, TypeScript or JavaScript
 * actions by import. (Not execa: its set-up of each process cost more than the process
 * itself, and a large run spawns thousands; bench/runtime.ts.)
 *
 * Each process gets its own process group, so a timeout or a cancel reaches what a shell
 * started too: SIGTERM to the group, then SIGKILL after the spec's grace period. Output is
 * streamed to the caller as it comes (stdout and stderr interleaved as they arrive).
 */
import { type ChildProcess, spawn as spawnProcess } from "node:child_process";
import { isAbsolute, join, resolve as resolvePath } from "node:path";
import { pathToFileURL } from "node:url";
import { runOptions, type VarValue } from "../plan/plan.js";
import { buildInvocation } from "./command-line.js";
import type { Clock, ExecRequest, ExecResult, Executor } from "./effects.js";
import type { AttemptRegistry } from "./survivors.js";

/** What a TypeScript action receives. */
export interface ActionContext {
  readonly host: string | null;
  readonly vars: Readonly<Record<string, VarValue>>;
  readonly signal: AbortSignal;
  readonly log: (line: string) => void;
  readonly step: { readonly id: string; readonly action: string; readonly phase: string };
  readonly service: string | null;
  readonly purpose: ExecRequest["purpose"];
}

export interface ProcessExecutorOptions {
  /** Relative `cwd`s are resolved here (the plan file's directory). */
  readonly baseDir: string;
  /** Action modules are resolved here (the directory of the plan's entry .upg file). */
  readonly moduleDir: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly clock: Clock;
  /** Where each command is registered while it may run, so a successor of a killed runner finds it. */
  readonly registry?: AttemptRegistry;
}

type ActionFunction = (ctx: ActionContext) => unknown;

export function processExecutor(options: ProcessExecutorOptions): Executor {
  const modules = new Map<string, Promise<Record<string, unknown>>>();
  // The runner's environment, made once: every command starts from it.
  const baseEnv = stringEnv(options.env);

  async function loadModule(path: string): Promise<Record<string, unknown>> {
    let loaded = modules.get(path);
    if (!loaded) {
      loaded = /\.[cm]?tsx?$/.test(path)
        ? import("tsx/esm/api").then((api) => api.tsImport(pathToFileURL(path).href, import.meta.url) as Promise<Record<string, unknown>>)
        : (import(pathToFileURL(path).href) as Promise<Record<string, unknown>>);
      modules.set(path, loaded);
    }
    return loaded;
  }

  async function runModule(request: ExecRequest, module: string, exportName: string): Promise<ExecResult> {
    const path = isAbsolute(module) ? module : join(options.moduleDir, module);
    let fn: ActionFunction;
    try {
      const mod = await loadModule(path);
      const candidate = mod[exportName];
      if (typeof candidate !== "function") return fail(`${module} has no exported function \`${exportName}\``);
      fn = candidate as ActionFunction;
    } catch (error) {
      return fail(`cannot load ${module}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const controller = new AbortController();
    const onAbort = (): void => controller.abort(request.signal.reason);
    request.signal.addEventListener("abort", onAbort, { once: true });
    const ctx: ActionContext = {
      host: request.host,
      vars: request.vars,
      signal: controller.signal,
      log: (line) => request.onOutput(line.endsWith("\n") ? line : line + "\n"),
      step: { id: request.step.id, action: request.step.action, phase: request.step.phase },
      service: request.step.service,
      purpose: request.purpose,
    };
    const { timeout, grace } = runOptions(request.spec);
    const timeoutMs = timeout === null ? null : timeout * 1000;
    const stopTimer = new AbortController();
    // A stopped function (a cancel, or upgradec stopping at once) that does not return within
    // its grace is left behind: the step ends without it.
    let abandon = (): void => undefined;
    const abandoned = new Promise<ExecResult | null>((resolve) => {
      abandon = () =>
        void options.clock.sleep(grace * 1000, stopTimer.signal).then(() => resolve(stopTimer.signal.aborted ? null : fail(`stopped, and ${exportName} did not return within its ${grace}s grace`)));
      stopTimer.signal.addEventListener("abort", () => resolve(null), { once: true });
    });
    if (request.signal.aborted) abandon();
    else request.signal.addEventListener("abort", abandon, { once: true });
    try {
      const work = Promise.resolve()
        .then(() => fn(ctx))
        .then(
          (value): ExecResult => (value === false ? fail(`${exportName} returned false`) : ok()),
          (error: unknown): ExecResult => fail(error instanceof Error ? error.message : String(error)),
        );
      if (timeoutMs === null) return await Promise.race([work, abandoned.then((r) => r ?? work)]);
      // A function cannot be killed: on timeout its signal aborts, and after the grace period
      // the step fails whether or not the function has returned.
      const timedOut = options.clock.sleep(timeoutMs, stopTimer.signal).then(async (): Promise<ExecResult | null> => {
        if (stopTimer.signal.aborted) return null;
        controller.abort(new Error("timeout"));
        await options.clock.sleep(grace * 1000, stopTimer.signal);
        return { exitCode: null, signal: null, timedOut: true, error: `timed out after ${timeout}s` };
      });
      const first = await Promise.race([work, timedOut.then((r) => r ?? work), abandoned.then((r) => r ?? work)]);
      return first;
    } finally {
      stopTimer.abort();
      request.signal.removeEventListener("abort", onAbort);
      request.signal.removeEventListener("abort", abandon);
    }
  }

  async function runProcess(request: ExecRequest): Promise<ExecResult> {
    const command = request.spec.command;
    if (command.kind === "module") return fail("internal: module command reached the process runner");
    const run = runOptions(request.spec);
    const built = buildInvocation(command, { vars: request.vars, secrets: request.secrets }, run.env, request.connection);
    if (!built.ok) return fail(built.error);
    const { file, args, env, input } = built.invocation;
    const cwd = run.cwd === null ? options.baseDir : resolvePath(options.baseDir, run.cwd);
    if (request.signal.aborted) return { exitCode: null, signal: null, timedOut: false, error: "cancelled before it started" };
    const tracked = options.registry?.begin({ step: request.step.id, purpose: request.purpose, host: request.host, timeout: run.timeout, grace: run.grace, now: options.clock.now() });
    try {
      const spawn = { file, args, env: { ...baseEnv, ...env, ...tracked?.env }, input, cwd };
      return await spawnTracked(request, spawn, run, tracked?.token ?? null);
    } finally {
      if (tracked !== undefined) options.registry?.ended(tracked.token);
    }
  }

  async function spawnTracked(
    request: ExecRequest,
    spawn: { readonly file: string; readonly args: readonly string[]; readonly env: Record<string, string>; readonly input: string | null; readonly cwd: string },
    run: ReturnType<typeof runOptions>,
    token: string | null,
  ): Promise<ExecResult> {
    const child = spawnChild(spawn);
    // Recorded at once: a runner killed from here on leaves the group findable by its pid.
    if (token !== null && child.pid !== undefined) options.registry?.spawned(token, child.pid);
    // Both streams to the same log as they come.
    for (const stream of [child.stdout, child.stderr]) {
      stream?.setEncoding("utf8");
      stream?.on("data", (chunk: string) => request.onOutput(chunk));
    }

    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    const terminate = (): void => {
      if (killTimer !== undefined || child.pid === undefined) return;
      signalGroup(child.pid, "SIGTERM");
      killTimer = setTimeout(() => {
        if (child.pid !== undefined) signalGroup(child.pid, "SIGKILL");
      }, run.grace * 1000);
    };
    const timeout = run.timeout;
    const timeoutTimer = timeout === null ? undefined : setTimeout(() => ((timedOut = true), terminate()), timeout * 1000);
    request.signal.addEventListener("abort", terminate, { once: true });
    try {
      const ended = await ending(child);
      // The leader has exited; anything it left in its group goes too.
      if (killTimer !== undefined && child.pid !== undefined) signalGroup(child.pid, "SIGKILL");
      return {
        exitCode: ended.exitCode,
        signal: ended.signal,
        timedOut,
        error: timedOut ? `timed out after ${timeout}s` : ended.error,
      };
    } finally {
      clearTimeout(timeoutTimer);
      clearTimeout(killTimer);
      request.signal.removeEventListener("abort", terminate);
    }
  }

  return {
    run(request) {
      const command = request.spec.command;
      return command.kind === "module" ? runModule(request, command.module, command.export) : runProcess(request);
    },
  };
}

/**
 * Starts a command as the leader of a process group of its own, its environment exactly the
 * one given. Secrets for a remote command come on standard input (command-line.ts), never in
 * argv; a command that exits without reading them is no error.
 */
function spawnChild(spawn: { readonly file: string; readonly args: readonly string[]; readonly env: Record<string, string>; readonly input: string | null; readonly cwd: string }): ChildProcess {
  const child = spawnProcess(spawn.file, [...spawn.args], {
    env: spawn.env,
    cwd: spawn.cwd,
    stdio: [spawn.input === null ? "ignore" : "pipe", "pipe", "pipe"],
    detached: true,
  });
  if (spawn.input !== null && child.stdin !== null) {
    child.stdin.on("error", () => undefined);
    child.stdin.end(spawn.input);
  }
  return child;
}

/**
 * How a command ended, once it has exited and its output streams are closed (a command that
 * could not start, e.g. ENOENT or EACCES, ends with its error).
 */
function ending(child: ChildProcess): Promise<{ readonly exitCode: number | null; readonly signal: string | null; readonly error: string | null }> {
  return new Promise((resolve) => {
    let error: string | null = null;
    child.on("error", (e) => {
      error ??= e.message;
      // Not started: no close may follow on every Node version.
      if (child.pid === undefined) resolve({ exitCode: null, signal: null, error });
    });
    child.on("close", (code, signal) => {
      const started = child.pid !== undefined;
      resolve({ exitCode: started ? code : null, signal: started ? signal : null, error: started ? null : (error ?? "could not start") });
    });
  });
}

/** Signals a command's whole process group; one already gone is no error. */
export function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** An environment without its unset names, as `spawn` takes it. */
export function stringEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

function ok(): ExecResult {
  return { exitCode: 0, signal: null, timedOut: false, error: null };
}

function fail(error: string): ExecResult {
  return { exitCode: null, signal: null, timedOut: false, error };
}

