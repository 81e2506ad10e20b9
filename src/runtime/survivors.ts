/**
 * Step processes that may outlive their runner. Every command runs in a process group of its
 * own (process-executor.ts), so after a `kill -9` of the runner it goes on running, and
 * whatever it spawned with it. A new attempt of the same step beside it would run the same
 * `kolla-ansible upgrade --limit HOST` twice at once: so each attempt is registered in the
 * state directory while it may run, and a session that takes the state over first looks for
 * the earlier attempts still alive and waits for them (or stops them, when asked to).
 *
 *   procs/<pid>-<random>.jsonl   one per session, append-only: a line when a command is
 *                                about to be spawned (step, purpose, until when it may run),
 *                                one with its group leader's pid and start time as soon as
 *                                it is known, one when it has ended
 *
 * The command's environment holds `UPGRADEC_ATTEMPT=<state>/<token>`, so a runner killed
 * between the spawn and the pid's line still leaves the process findable. A session's file
 * goes when the session ends with none of its commands running, or when a later session
 * finds none of them alive. The lines are not fsynced: they guard against a runner that
 * dies while the machine runs on (its page cache survives the runner); when the machine
 * itself goes down, the processes go with it.
 *
 * Writes, fewest that keep this (a large run spawns thousands of commands): the begin line
 * is written before its spawn, with every line still held; the pid lines of the commands
 * spawned in one turn go together at the end of that turn (the environment marks them
 * meanwhile); an end line waits for the next write or the session's end, since a line
 * missing there only makes a successor look whether the command is alive, and it is not.
 *
 * Alive means: a process in the group whose leader's pid and start time (Linux: clock ticks
 * after boot, /proc/PID/stat) are the ones recorded, so a reused pid is not mistaken for it;
 * or a process whose environment names the attempt. Without /proc, the group is looked for
 * with kill(-pgid, 0).
 */
import { createHash, randomBytes } from "node:crypto";
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, realpathSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { processStart } from "./lock.js";

export const ATTEMPT_ENV = "UPGRADEC_ATTEMPT";

export interface TrackedAttempt {
  readonly token: string;
  readonly step: string;
  /** action, undo, done, health or restore. */
  readonly purpose: string;
  readonly host: string | null;
  /** The runner that started it. */
  readonly runner: number;
  /** Milliseconds since the epoch. */
  readonly since: number;
  /** The group leader (the group's id), once spawned. */
  readonly pid: number | null;
  readonly pidStart: string | null;
  /** When its runner would have stopped it (since + timeout), ms; null without a timeout. */
  readonly until: number | null;
  /** Seconds between SIGTERM and SIGKILL. */
  readonly grace: number;
}

/** An attempt with processes still alive. */
export interface Survivor {
  readonly attempt: TrackedAttempt;
  /** Its live processes. */
  readonly pids: readonly number[];
}

function stateIdOf(root: string): string {
  let real = root;
  try {
    real = realpathSync(root);
  } catch {
    // Not there yet: its name will do.
  }
  return createHash("sha256").update(real).digest("hex").slice(0, 16);
}

/** Where a session registers its commands while they may run: one append-only file per session. */
export class AttemptRegistry {
  private readonly stateId: string;
  readonly dir: string;
  private fd: number | null = null;
  private file: string | null = null;
  private readonly open = new Set<string>();
  /** Lines not written yet (pid lines until the turn ends, end lines until the next write). */
  private held: string[] = [];
  private pidFlushQueued = false;
  /** Tokens are this session's random prefix and a count: unique without a random draw per command. */
  private readonly tokenPrefix = randomBytes(4).toString("hex");
  private tokens = 0;

  constructor(stateRoot: string) {
    this.dir = join(stateRoot, "procs");
    this.stateId = stateIdOf(stateRoot);
  }

  /** Registers an attempt about to be spawned (its line is written now); returns its token and the environment that marks it. */
  begin(input: Pick<TrackedAttempt, "step" | "purpose" | "host" | "grace"> & { readonly timeout: number | null; readonly now: number }): {
    readonly token: string;
    readonly env: Readonly<Record<string, string>>;
  } {
    this.tokens += 1;
    const token = this.tokenPrefix + this.tokens.toString(16).padStart(8, "0");
    const until = input.timeout === null ? null : input.now + input.timeout * 1000;
    this.hold({ t: "b", token, step: input.step, purpose: input.purpose, host: input.host, runner: process.pid, since: input.now, until, grace: input.grace });
    this.flush();
    this.open.add(token);
    return { token, env: { [ATTEMPT_ENV]: `${this.stateId}/${token}` } };
  }

  /** The command was spawned as the leader of group `pid`: its line goes at the end of this turn, with the others spawned in it. */
  spawned(token: string, pid: number): void {
    this.hold({ t: "p", token, pid, pidStart: processStart(pid) });
    if (this.pidFlushQueued) return;
    this.pidFlushQueued = true;
    queueMicrotask(() => {
      this.pidFlushQueued = false;
      this.flush();
    });
  }

  /** The command has ended (or never started): its line goes with the next write. */
  ended(token: string): void {
    if (!this.open.delete(token)) return;
    this.hold({ t: "e", token });
  }

  /** The session ends: its file goes when none of its commands may still run. */
  close(): void {
    this.flush();
    if (this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
    if (this.open.size === 0 && this.file !== null) removeFile(this.file);
  }

  /** Earlier attempts with processes still alive; the files of sessions with none are removed. */
  survivors(): Survivor[] {
    return this.look(true);
  }

  /** The same, only reading (for `status`). */
  alive(): Survivor[] {
    return this.look(false);
  }

  private look(prune: boolean): Survivor[] {
    const files = listFiles(this.dir).filter((f) => f !== this.file);
    if (files.length === 0) return [];
    const procs = scanProcesses(`${ATTEMPT_ENV}=${this.stateId}/`);
    const out: Survivor[] = [];
    for (const file of files) {
      const mine: Survivor[] = [];
      for (const attempt of unfinished(file)) {
        const pids = procs === null ? groupAlive(attempt) : aliveOf(attempt, procs);
        if (pids.length > 0) mine.push({ attempt, pids });
      }
      out.push(...mine);
      if (prune && mine.length === 0) removeFile(file);
    }
    return out;
  }

  private hold(record: Record<string, unknown>): void {
    this.held.push(JSON.stringify(record) + "\n");
  }

  /**
   * The held lines, appended with a single write and not fsynced: the lines must outlive the
   * runner, not the machine (whose end takes the commands with it), and an fsync per command
   * would cost a large run more than its commands do.
   */
  private flush(): void {
    if (this.held.length === 0) return;
    if (this.fd === null) {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      this.file = join(this.dir, `${process.pid}-${this.tokenPrefix}.jsonl`);
      this.fd = openSync(this.file, "a", 0o600);
    }
    const text = this.held.join("");
    this.held = [];
    writeSync(this.fd, text);
  }
}

function removeFile(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Gone already.
  }
}

function listFiles(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((n) => n.endsWith(".jsonl"))
      .map((n) => join(dir, n));
  } catch {
    return [];
  }
}

/** The attempts a session's file says were begun and not ended; a torn or foreign line is skipped. */
function unfinished(path: string): TrackedAttempt[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return [];
  }
  const byToken = new Map<string, TrackedAttempt>();
  for (const line of text.split("\n")) {
    const r = parseRecord(line);
    if (r === null) continue;
    if (r.t === "b") byToken.set(r.attempt.token, r.attempt);
    else if (r.t === "p") {
      const a = byToken.get(r.token);
      if (a) byToken.set(r.token, { ...a, pid: r.pid, pidStart: r.pidStart });
    } else byToken.delete(r.token);
  }
  return [...byToken.values()];
}

type RegistryRecord =
  | { readonly t: "b"; readonly attempt: TrackedAttempt }
  | { readonly t: "p"; readonly token: string; readonly pid: number; readonly pidStart: string | null }
  | { readonly t: "e"; readonly token: string };

/** A registry line, checked field by field (the state directory is not trusted blindly). */
function parseRecord(line: string): RegistryRecord | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return null;
  }
  if (parsed === null || typeof parsed !== "object") return null;
  const a = parsed as Record<string, unknown>;
  const token = a["token"];
  if (typeof token !== "string" || !/^[0-9a-f]{16}$/.test(token)) return null;
  const positive = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v > 0;
  switch (a["t"]) {
    case "e":
      return { t: "e", token };
    case "p":
      if (!positive(a["pid"]) || (a["pidStart"] !== null && typeof a["pidStart"] !== "string")) return null;
      return { t: "p", token, pid: a["pid"], pidStart: a["pidStart"] as string | null };
    case "b":
      if (typeof a["step"] !== "string" || typeof a["purpose"] !== "string" || typeof a["since"] !== "number" || typeof a["grace"] !== "number") return null;
      if (a["until"] !== null && !positive(a["until"])) return null;
      return {
        t: "b",
        attempt: {
          token,
          step: a["step"],
          purpose: a["purpose"],
          host: typeof a["host"] === "string" ? a["host"] : null,
          runner: positive(a["runner"]) ? a["runner"] : 0,
          since: a["since"],
          pid: null,
          pidStart: null,
          until: a["until"] as number | null,
          grace: Math.max(0, a["grace"]),
        },
      };
    default:
      return null;
  }
}

interface ProcInfo {
  readonly pid: number;
  readonly pgrp: number;
  readonly start: string;
  /** The attempt token in its environment, for this state directory. */
  readonly token: string | null;
}

/** Every live (not zombie) process of /proc, or null where there is no /proc. */
function scanProcesses(marker: string): ProcInfo[] | null {
  let names: string[];
  try {
    names = readdirSync("/proc");
  } catch {
    return null;
  }
  const out: ProcInfo[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, "utf8");
    } catch {
      continue;
    }
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (fields[0] === "Z" || fields[0] === "X") continue;
    out.push({ pid, pgrp: Number(fields[2]), start: fields[19] ?? "", token: tokenIn(`/proc/${name}/environ`, marker) });
  }
  return out;
}

function tokenIn(path: string, marker: string): string | null {
  let environ: string;
  try {
    // Another user's processes cannot be read: they are not ours (a step that changes user
    // keeps its group, which finds it).
    environ = readFileSync(path, "latin1");
  } catch {
    return null;
  }
  const at = environ.indexOf(marker);
  if (at < 0 || (at > 0 && environ[at - 1] !== "\0")) return null;
  return environ.slice(at + marker.length, at + marker.length + 16);
}

function aliveOf(attempt: TrackedAttempt, procs: readonly ProcInfo[]): number[] {
  const pids = new Set<number>();
  for (const p of procs) if (p.token === attempt.token) pids.add(p.pid);
  const leader = attempt.pid;
  if (leader !== null) {
    const holder = procs.find((p) => p.pid === leader);
    // The pid now belongs to a process that started later: the group is gone (Linux does not
    // hand out a pid that is still some group's id).
    const reused = holder !== undefined && attempt.pidStart !== null && holder.start !== attempt.pidStart;
    if (!reused) for (const p of procs) if (p.pgrp === leader) pids.add(p.pid);
  }
  return [...pids].sort((a, b) => a - b);
}

function groupAlive(attempt: TrackedAttempt): number[] {
  if (attempt.pid === null) return [];
  try {
    process.kill(-attempt.pid, 0);
    return [attempt.pid];
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM" ? [attempt.pid] : [];
  }
}

/** Signals a survivor: its group, and each of its processes (one may have left the group). */
export function signalSurvivor(survivor: Survivor, signal: NodeJS.Signals): void {
  const targets = survivor.attempt.pid !== null ? [-survivor.attempt.pid, ...survivor.pids] : survivor.pids;
  for (const target of targets) {
    try {
      process.kill(target, signal);
    } catch {
      // Gone already.
    }
  }
}

export interface SettleOptions {
  readonly registry: AttemptRegistry;
  /** Stop them now (SIGTERM to each group, SIGKILL after its grace) instead of waiting. */
  readonly kill: boolean;
  readonly now: () => number;
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Aborted (Ctrl-C) to give up waiting. */
  readonly signal: AbortSignal;
  readonly say: (text: string) => void;
}

function describeSurvivor(s: Survivor, now: number): string {
  const a = s.attempt;
  const bound = a.until === null ? "no timeout: until it ends" : a.until > now ? `its timeout ends in ${Math.ceil((a.until - now) / 1000)}s, then ${a.grace}s of grace` : "its timeout has passed";
  return `  ${a.step} (${a.purpose}${a.host !== null ? ` on ${a.host}` : ""}): pid ${s.pids.join(", ")}; ${bound}`;
}

/**
 * Waits until no earlier attempt has a process alive. One past its timeout is stopped as its
 * runner would have stopped it: SIGTERM to its group, SIGKILL after its grace; with `kill`,
 * every one is stopped so at once. Returns false when `signal` aborted the wait (then
 * nothing may start).
 */
export async function settleSurvivors(options: SettleOptions): Promise<boolean> {
  let survivors = options.registry.survivors();
  if (survivors.length === 0) return true;
  const began = options.now();
  options.say(
    [
      `${survivors.length} command(s) of an earlier attempt are still running; nothing starts until they end:`,
      ...survivors.map((s) => describeSurvivor(s, began)),
      options.kill ? "stopping them (--kill-survivors): SIGTERM to each process group, SIGKILL after its grace" : "(to stop them instead of waiting: --kill-survivors)",
    ].join("\n") + "\n",
  );
  const termSent = new Map<string, number>();
  while (survivors.length > 0) {
    if (options.signal.aborted) return false;
    const now = options.now();
    for (const s of survivors) {
      const stopAt = options.kill ? began : s.attempt.until;
      if (stopAt === null || now < stopAt) continue;
      const sent = termSent.get(s.attempt.token);
      if (sent === undefined) {
        if (!options.kill) options.say(`${s.attempt.step}: its timeout has passed: SIGTERM to its process group\n`);
        signalSurvivor(s, "SIGTERM");
        termSent.set(s.attempt.token, now);
      } else if (now >= sent + s.attempt.grace * 1000) signalSurvivor(s, "SIGKILL");
    }
    await options.sleep(50, options.signal);
    survivors = options.registry.survivors();
  }
  options.say(`the earlier attempt's commands have ended (after ${((options.now() - began) / 1000).toFixed(1)}s)\n`);
  return true;
}
