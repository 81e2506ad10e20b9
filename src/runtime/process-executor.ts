/**
 * The real executor: commands with Node's `child_process.spawn`, TypeScript or JavaScript
 * actions by import. (Not execa: its set-up of each process cost more than the process
 * itself, and a large run spawns thousands; bench/runtime.ts.)
 *
 * Each process gets its own process group, so a timeout or a cancel reaches what a shell
 * started too: SIGTERM to the group, then SIGKILL after the spec's grace period. Output goes to
 * a scratch file per running command (scratch-output.ts; stdout and stderr interleaved in the
 * order written), read every second while the command runs and at once when it exits: the
 * step ends when the leader exits, whether or not a process it left behind still holds its
 * output.
 */
import { isAbsolute, join, resolve as resolvePath } from "node:path";
import { pathToFileURL } from "node:url";
import { runOptions, type VarValue } from "../plan/plan.js";
import { buildInvocation } from "./command-line.js";
import type { Clock, ExecRequest, ExecResult, Executor } from "./effects.js";
import { type CommandLaunch, groupAlive, type Launcher, launchHere } from "./launcher.js";
import { type ScratchFile, ScratchPool } from "./scratch-output.js";
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
  /**
   * What starts the commands (its owner closes it): the CLI's verbs give a spawner (spawner.ts),
   * started before the plan is loaded; without one, this process starts them.
   */
  readonly launcher?: Launcher;
  /** Where the commands' scratch output files are made (the system's temporary directory by default). */
  readonly scratchDir?: string;
  /** How often a running command's new output is read, in ms. */
  readonly outputEvery?: number;
}

/** A running command's output reaches its step's log at least this often. */
const OUTPUT_EVERY_MS = 1000;

type ActionFunction = (ctx: ActionContext) => unknown;

/** The executor, and its end: its scratch files closed. */
export interface ProcessExecutor extends Executor {
  close(): void;
}

/** A command's output file being read while the command runs. */
interface Streamed {
  readonly out: ScratchFile;
  readonly onOutput: (text: string) => void;
}

export function processExecutor(options: ProcessExecutorOptions): ProcessExecutor {
  const modules = new Map<string, Promise<Record<string, unknown>>>();
  // The runner's environment, made once: every command starts from it.
  const baseEnv = stringEnv(options.env);
  const launcher = options.launcher ?? launchHere(baseEnv);
  const scratch = new ScratchPool(options.scratchDir, (file) => launcher.closed(file));
  const streaming = outputReader(options.outputEvery ?? OUTPUT_EVERY_MS);

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
      const spawn: CommandLaunch = { file, args, env: { ...env, ...tracked?.env }, input, cwd };
      return await spawnTracked(request, spawn, run, tracked?.token ?? null);
    } finally {
      if (tracked !== undefined) options.registry?.ended(tracked.token);
    }
  }

  async function spawnTracked(request: ExecRequest, spawn: CommandLaunch, run: ReturnType<typeof runOptions>, token: string | null): Promise<ExecResult> {
    const out = scratch.take();
    const launched = launcher.launch(spawn, out);
    const streamed: Streamed = { out, onOutput: request.onOutput };
    streaming.add(streamed);
    const pid = await launched.pid;
    // Recorded at once: a runner killed from here on leaves the group findable by its pid. A
    // command whose end came with its pid (a spawner's answers come in batches) is not
    // looked for: its end line follows.
    if (token !== null && pid !== null && !launched.hasEnded()) options.registry?.spawned(token, pid);

    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    const terminate = (): void => {
      if (killTimer !== undefined || pid === null) return;
      signalGroup(pid, "SIGTERM");
      killTimer = setTimeout(() => signalGroup(pid, "SIGKILL"), run.grace * 1000);
    };
    const timeout = run.timeout;
    const timeoutTimer = timeout === null ? undefined : setTimeout(() => ((timedOut = true), terminate()), timeout * 1000);
    request.signal.addEventListener("abort", terminate, { once: true });
    if (request.signal.aborted) terminate();
    try {
      const ended = await launched.ended;
      // The leader has exited; anything it left in its group goes too.
      if (killTimer !== undefined && pid !== null) signalGroup(pid, "SIGKILL");
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
      streaming.delete(streamed);
      // All the leader wrote is in the file once it has exited: read before the step's end is journaled.
      out.finish(request.onOutput);
      // A process it left behind may still write to the file: that file is not handed to another command.
      if (pid !== null && groupAlive(pid)) scratch.retire(out);
      else scratch.give(out);
    }
  }

  return {
    run(request) {
      const command = request.spec.command;
      return command.kind === "module" ? runModule(request, command.module, command.export) : runProcess(request);
    },
    close() {
      scratch.close();
    },
  };
}

/**
 * The running commands' output files, read every `every` ms while any command runs: a long
 * step's output reaches its log as it goes (one timer for them all, none while nothing runs).
 */
function outputReader(every: number): { add(s: Streamed): void; delete(s: Streamed): void } {
  const running = new Set<Streamed>();
  let timer: NodeJS.Timeout | undefined;
  const readAll = (): void => {
    for (const s of running) s.out.readNew(s.onOutput);
  };
  return {
    add(s) {
      running.add(s);
      // Unreferenced: the commands keep the runner alive, not their reading.
      timer ??= setInterval(readAll, every).unref();
    },
    delete(s) {
      running.delete(s);
      if (running.size > 0) return;
      clearInterval(timer);
      timer = undefined;
    },
  };
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

