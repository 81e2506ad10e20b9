/**
 * The runner's side of the spawner (spawner-process.ts): commands started by a small process
 * of their own instead of by the runner, which forks slowly and cannot journal while it forks.
 *
 * The spawner is started with the executor, answers each command with its pid and its end,
 * and exits when its channel closes: when the executor is closed, or when the runner dies
 * (a kill -9), leaving the commands running in their own process groups as today, where the
 * attempt registry (survivors.ts) finds them. The runner signals the groups itself, by pid.
 *
 * Linux only (the spawner opens the runner's scratch files through /proc); elsewhere, and when
 * the spawner cannot start or has died, commands are started by the runner itself.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type CommandEnd, type CommandLaunch, groupAlive, type LaunchedCommand, type Launcher, launchHere } from "./launcher.js";
import type { ScratchFile } from "./scratch-output.js";

/** The spawner's script: beside this module, as built (dist/) or as source (run through tsx). */
const SOURCE = import.meta.url.endsWith(".ts");
const SCRIPT = fileURLToPath(new URL(SOURCE ? "./spawner-process.ts" : "./spawner.mjs", import.meta.url));

/** No V8 helper threads: the spawner hardly allocates, and it forks a little faster without them. */
const NODE_FLAGS = ["--v8-pool-size=0"];

/** How often a command whose spawner died is looked at, until its group is gone. */
const ORPHAN_POLL_MS = 200;

type Reply = { readonly t: "pid"; readonly id: number; readonly pid: number } | { readonly t: "end"; readonly id: number; readonly code: number | null; readonly signal: string | null; readonly error: string | null };

interface Pending {
  pid: number | null;
  done: boolean;
  readonly started: (pid: number | null) => void;
  readonly ended: (end: CommandEnd) => void;
}

/** A launcher through a spawner process, or null where there is none (not Linux, or it cannot start). */
export function spawnerLauncher(baseEnv: Readonly<Record<string, string>>): Launcher | null {
  if (process.platform !== "linux" || !existsSync(`/proc/${process.pid}/fd`) || !existsSync(SCRIPT)) return null;
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [...NODE_FLAGS, ...(SOURCE ? ["--import", "tsx"] : []), SCRIPT, String(process.pid)], {
      // Its own group: a Ctrl-C to the runner's terminal does not reach it (the runner decides).
      detached: true,
      stdio: ["pipe", "pipe", "inherit"],
      cwd: SOURCE ? join(fileURLToPath(import.meta.url), "..", "..", "..") : undefined,
      env: { PATH: baseEnv["PATH"] ?? "" },
    });
  } catch {
    return null;
  }
  return new SpawnerLauncher(child, baseEnv);
}

class SpawnerLauncher implements Launcher {
  private readonly pending = new Map<number, Pending>();
  private ids = 0;
  private orders: string[] = [];
  private orderQueued = false;
  private dead = false;
  private readonly here: Launcher;
  private partial = "";

  constructor(
    private readonly child: ChildProcess,
    baseEnv: Readonly<Record<string, string>>,
  ) {
    this.here = launchHere(baseEnv);
    child.stdin?.on("error", () => undefined);
    child.stdout?.setEncoding("utf8");
    child.stdout?.on("data", (chunk: string) => this.read(chunk));
    child.on("error", () => this.lost());
    child.on("exit", () => this.lost());
    this.send({ t: "env", env: baseEnv });
    this.idle();
  }

  launch(command: CommandLaunch, out: ScratchFile): LaunchedCommand {
    if (this.dead) return this.here.launch(command, out);
    this.ids += 1;
    const id = this.ids;
    let started: (pid: number | null) => void = () => undefined;
    let ended: (end: CommandEnd) => void = () => undefined;
    const pid = new Promise<number | null>((resolve) => (started = resolve));
    const end = new Promise<CommandEnd>((resolve) => (ended = resolve));
    if (this.pending.size === 0) this.busy();
    const pending: Pending = { pid: null, done: false, started, ended };
    this.pending.set(id, pending);
    this.send({ t: "run", id, file: command.file, args: command.args, env: command.env, cwd: command.cwd, input: command.input, out: out.id, fd: out.fd });
    return { pid, ended: end, hasEnded: () => pending.done };
  }

  closed(file: ScratchFile): void {
    if (!this.dead) this.send({ t: "drop", out: file.id });
  }

  /** Its channel closed; resolves once it has exited (its commands' CPU time is then the runner's children's). */
  close(): Promise<void> {
    this.flush();
    if (this.dead) return Promise.resolve();
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.child.stdin?.end();
    this.busy();
    return exited;
  }

  /** Orders of one turn go in one write. */
  private send(order: Record<string, unknown>): void {
    this.orders.push(JSON.stringify(order));
    if (this.orderQueued) return;
    this.orderQueued = true;
    queueMicrotask(() => this.flush());
  }

  private flush(): void {
    this.orderQueued = false;
    if (this.orders.length === 0 || this.dead) return;
    this.child.stdin?.write(this.orders.join("\n") + "\n");
    this.orders = [];
  }

  private read(chunk: string): void {
    const lines = (this.partial + chunk).split("\n");
    this.partial = lines.pop() ?? "";
    for (const line of lines) {
      let reply: Reply;
      try {
        reply = JSON.parse(line) as Reply;
      } catch {
        continue; // Not an answer (nothing else writes there): ignored rather than fatal.
      }
      this.answer(reply);
    }
  }

  private answer(reply: Reply): void {
    const p = this.pending.get(reply.id);
    if (p === undefined) return;
    if (reply.t === "pid") {
      p.pid = reply.pid;
      p.started(reply.pid);
      return;
    }
    this.pending.delete(reply.id);
    p.done = true;
    p.started(p.pid);
    p.ended({ exitCode: reply.error === null ? reply.code : null, signal: reply.error === null ? reply.signal : null, error: reply.error });
    if (this.pending.size === 0) this.idle();
  }

  /**
   * The spawner died before the runner: its commands' ends will not be told. Each ends when its
   * group has gone (a step never runs twice at once), its exit status unknown; later commands
   * are started by the runner.
   */
  private lost(): void {
    if (this.dead) return;
    this.dead = true;
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.started(p.pid);
      void waitForGroup(p.pid).then(() => {
        p.done = true;
        p.ended({ exitCode: null, signal: null, error: "the process spawner ended before the command did: its exit status is unknown" });
      });
    }
  }

  /** Nothing in flight: the spawner does not keep the runner alive. */
  private idle(): void {
    this.child.unref();
    (this.child.stdout as { unref?: () => void } | null)?.unref?.();
  }

  private busy(): void {
    this.child.ref();
    (this.child.stdout as { ref?: () => void } | null)?.ref?.();
  }
}

async function waitForGroup(pid: number | null): Promise<void> {
  while (pid !== null && groupAlive(pid)) await new Promise((resolve) => setTimeout(resolve, ORPHAN_POLL_MS));
}
