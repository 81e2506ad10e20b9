/**
 * The run lock: a file created with O_EXCL, so of two operators starting the same plan at
 * once exactly one gets it. It records who holds it (user, host, pid, since) for the other's
 * message, and an id that `--force-unlock ID` must name (so a forced unlock is deliberate and
 * aimed at one lock, not at whatever holds it now).
 *
 * A lock whose pid no longer exists on this host (or now belongs to a process that started
 * later than the holder) is stale (its run was killed) and is taken over. Taking over
 * renames the stale file aside first and checks it was the one judged stale, so two
 * processes taking over at once cannot both win.
 *
 * A lock file that is empty or not a lock (a crash between its creation and its write, a
 * full disk, an edit) names no holder to wait for: it is refused, with an id made from its
 * content (`damaged-…`) that `--force-unlock` accepts, so removing it is deliberate too.
 */
import { createHash, randomBytes } from "node:crypto";
import { closeSync, fsyncSync, linkSync, openSync, readFileSync, readSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { hostname, userInfo } from "node:os";

export interface LockInfo {
  readonly id: string;
  readonly user: string;
  readonly host: string;
  readonly pid: number;
  /** ISO time. */
  readonly since: string;
  readonly fingerprint: string;
  readonly command: string;
  /**
   * When the holder's process started (Linux: clock ticks after boot, from /proc), so a pid
   * reused by another process after the holder died is not taken for the holder.
   */
  readonly pidStart?: string | null;
}

/** The lock a session removed before taking its own: a dead holder's, or one forced away (holder null: a damaged file). */
export interface TakenOver {
  readonly holder: LockInfo | null;
  readonly forced: boolean;
}

export type LockResult =
  | { readonly ok: true; readonly lock: LockInfo; readonly tookOver: TakenOver | null; release(): void }
  /** `damagedId`: the lock file is damaged, and `--force-unlock` with this id removes it. */
  | { readonly ok: false; readonly holder: LockInfo | null; readonly reason: string; readonly damagedId: string | null };

export function currentUser(env: Readonly<Record<string, string | undefined>>): string {
  try {
    return userInfo().username;
  } catch {
    return env["USER"] ?? env["LOGNAME"] ?? "unknown";
  }
}

/** A lock file's holder, checked field by field; null when it is not a lock. */
export function parseLock(text: string): LockInfo | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return null;
  const l = parsed as Record<string, unknown>;
  for (const key of ["id", "user", "host", "since", "fingerprint", "command"]) if (typeof l[key] !== "string") return null;
  if (typeof l["pid"] !== "number" || !Number.isSafeInteger(l["pid"]) || l["pid"] <= 0) return null;
  if (l["pidStart"] !== undefined && l["pidStart"] !== null && typeof l["pidStart"] !== "string") return null;
  return parsed as LockInfo;
}

/** The lock file's holder; null when there is no lock file or it is not a lock. */
export function readLockFile(path: string): LockInfo | null {
  return readLock(path);
}

function readLock(path: string): LockInfo | null {
  const text = readText(path);
  return text === null ? null : parseLock(text);
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

/** The id `--force-unlock` takes for a damaged lock file: from its content, so it names this file as it is. */
function damagedIdOf(text: string): string {
  return "damaged-" + createHash("sha256").update(text).digest("hex").slice(0, 12);
}

function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, owned by someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** A process's start time from /proc/PID/stat (field 22), or null where there is no /proc. */
export function processStart(pid: number): string | null {
  try {
    const stat = readProcStat(pid);
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null;
  } catch {
    return null;
  }
}

/**
 * /proc/PID/stat with one read into a buffer that holds the whole line (a few hundred bytes:
 * the command name in it is at most 15 characters). It is read at every spawn, and reading it
 * as a file of unknown size took several reads and most of a spawn's own bookkeeping.
 */
function readProcStat(pid: number): string {
  const fd = openSync(`/proc/${pid}/stat`, "r");
  try {
    const buffer = Buffer.allocUnsafe(1024);
    const n = readSync(fd, buffer, 0, buffer.length, null);
    return buffer.toString("utf8", 0, n);
  } finally {
    closeSync(fd);
  }
}

export function isStale(holder: LockInfo): boolean {
  if (holder.host !== hostname()) return false;
  if (!alive(holder.pid)) return true;
  // Alive, but maybe another process that got the dead holder's pid.
  const start = holder.pidStart ?? null;
  if (start === null) return false;
  const now = processStart(holder.pid);
  return now !== null && now !== start;
}

function tryCreate(path: string, info: LockInfo): boolean {
  let fd: number;
  try {
    fd = openSync(path, "wx", 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
  try {
    writeSync(fd, JSON.stringify(info, null, 2) + "\n");
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return true;
}

export interface AcquireOptions {
  readonly path: string;
  readonly user: string;
  readonly fingerprint: string;
  readonly command: string;
  readonly now: number;
  /** --force-unlock ID: remove the lock with this id, whoever holds it. */
  readonly forceUnlock?: string;
}

/** The lock this process writes when it takes a plan's lock, in a directory or in a database. */
export function thisProcessLock(who: { readonly user: string; readonly now: number; readonly fingerprint: string; readonly command: string }): LockInfo {
  return {
    id: randomBytes(6).toString("hex"),
    user: who.user,
    host: hostname(),
    pid: process.pid,
    since: new Date(who.now).toISOString(),
    fingerprint: who.fingerprint,
    command: who.command,
    pidStart: processStart(process.pid),
  };
}

export function acquireLock(options: AcquireOptions): LockResult {
  const info = thisProcessLock(options);
  const release = (): void => {
    if (readLock(options.path)?.id === info.id) {
      try {
        unlinkSync(options.path);
      } catch {
        // Gone already.
      }
    }
  };
  let tookOver: TakenOver | null = null;
  for (let attempt = 0; attempt < 4; attempt++) {
    if (tryCreate(options.path, info)) return { ok: true, lock: info, tookOver, release };
    const text = readText(options.path);
    if (text === null) continue;
    const holder = parseLock(text);
    if (holder === null) {
      const damagedId = damagedIdOf(text);
      if (options.forceUnlock === damagedId) {
        if (removeIf(options.path, (aside) => readText(aside) === text)) tookOver = { holder: null, forced: true };
        continue;
      }
      // Being written this instant (its creator writes right after creating it): look again.
      if (attempt < 2) {
        pause(50);
        continue;
      }
      const what = text.trim() === "" ? "empty" : "not a lock";
      return {
        ok: false,
        holder: null,
        damagedId,
        reason: `the lock file ${options.path} is ${what}${options.forceUnlock !== undefined ? ` (--force-unlock ${options.forceUnlock} does not name it: its id is ${damagedId})` : ""}`,
      };
    }
    const forced = options.forceUnlock !== undefined && options.forceUnlock === holder.id;
    if (!forced && !isStale(holder)) {
      const reason =
        options.forceUnlock !== undefined ? `--force-unlock ${options.forceUnlock} does not name this lock (its id is ${holder.id})` : "another run holds the lock";
      return { ok: false, holder, reason, damagedId: null };
    }
    const aside = `${options.path}.${process.pid}.${randomBytes(3).toString("hex")}.stale`;
    try {
      renameSync(options.path, aside);
    } catch {
      continue;
    }
    const moved = readLock(aside);
    if (moved?.id !== holder.id) {
      // Someone else took it over between our look and our rename: give theirs back.
      try {
        linkSync(aside, options.path);
      } catch {
        // They will notice their lock is gone when they release it.
      }
      unlinkSync(aside);
      return { ok: false, holder: moved, reason: "another run took the lock over just now", damagedId: null };
    }
    unlinkSync(aside);
    tookOver = { holder, forced };
  }
  return { ok: false, holder: readLock(options.path), reason: "the lock changed hands while taking it", damagedId: null };
}

/**
 * Renames the lock aside and removes it if `same` says it is still the one judged; otherwise
 * puts it back (someone replaced it between the look and the rename).
 */
function removeIf(path: string, same: (aside: string) => boolean): boolean {
  const aside = `${path}.${process.pid}.${randomBytes(3).toString("hex")}.stale`;
  try {
    renameSync(path, aside);
  } catch {
    return false;
  }
  if (!same(aside)) {
    try {
      linkSync(aside, path);
    } catch {
      // Another lock was made meanwhile: theirs stands.
    }
    unlinkSync(aside);
    return false;
  }
  unlinkSync(aside);
  return true;
}
