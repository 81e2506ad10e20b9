/**
 * What starts a step's command: this process (process-executor.ts) or a small process of its
 * own that forks more cheaply (spawner.ts). Either way the command leads a process group of
 * its own, writes to the scratch file it is given, and is signalled by its pid.
 */
import { type ChildProcess, spawn as spawnProcess } from "node:child_process";
import type { ScratchFile } from "./scratch-output.js";

/** A command to start: its environment is added to the runner's. */
export interface CommandLaunch {
  readonly file: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Written to its standard input (secrets for a remote command), or null for none. */
  readonly input: string | null;
  readonly cwd: string;
}

/** How a command ended (a command that could not start, e.g. ENOENT or EACCES, ends with its error). */
export interface CommandEnd {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly error: string | null;
}

export interface LaunchedCommand {
  /** Its pid, the id of its process group; null when it did not start. */
  readonly pid: Promise<number | null>;
  /** Once its leader has exited. */
  readonly ended: Promise<CommandEnd>;
  /** Whether its end is known already (its pid then need not be recorded). */
  hasEnded(): boolean;
}

export interface Launcher {
  launch(command: CommandLaunch, out: ScratchFile): LaunchedCommand;
  /** A scratch file was closed: a launcher that holds a descriptor of it closes it too. */
  closed(file: ScratchFile): void;
  /** No more commands; resolves once the launcher has let go of everything it started. */
  close(): Promise<void>;
}

/** Commands started by this process: each the leader of a process group of its own. */
export function launchHere(baseEnv: Readonly<Record<string, string>>): Launcher {
  return {
    launch(command, out) {
      let child: ChildProcess;
      try {
        child = spawnChild({ ...command, env: { ...baseEnv, ...command.env } }, out.fd);
      } catch (error) {
        // Refused before any process (an argument Node will not pass): the command could not start.
        const end: CommandEnd = { exitCode: null, signal: null, error: error instanceof Error ? error.message : String(error) };
        return { pid: Promise.resolve(null), ended: Promise.resolve(end), hasEnded: () => true };
      }
      let done = false;
      const ended = ending(child).then((end) => ((done = true), end));
      return { pid: Promise.resolve(child.pid ?? null), ended, hasEnded: () => done };
    },
    closed: () => undefined,
    close: () => Promise.resolve(),
  };
}

/**
 * Starts a command as the leader of a process group of its own, its environment exactly the
 * one given, its stdout and stderr the scratch file `out`. Secrets for a remote command come
 * on standard input (command-line.ts), never in argv; a command that exits without reading
 * them is no error.
 */
export function spawnChild(spawn: CommandLaunch, out: number): ChildProcess {
  const child = spawnProcess(spawn.file, [...spawn.args], {
    env: spawn.env,
    cwd: spawn.cwd,
    stdio: [spawn.input === null ? "ignore" : "pipe", out, out],
    detached: true,
  });
  if (spawn.input !== null && child.stdin !== null) {
    child.stdin.on("error", () => undefined);
    child.stdin.end(spawn.input);
  }
  return child;
}

/**
 * How a command ended, once it has exited (a command that could not start, e.g. ENOENT or
 * EACCES, ends with its error).
 */
export function ending(child: ChildProcess): Promise<CommandEnd> {
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


/** Whether a process of the group is still there (a zombie counts: it may hold files until reaped). */
export function groupAlive(pid: number): boolean {
  // Asked after every command, whose group is nearly always gone: the error that says so is
  // made without a stack trace, which took more than half of the call's time.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    process.kill(-pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  } finally {
    Error.stackTraceLimit = limit;
  }
}
