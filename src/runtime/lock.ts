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
 */
import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from "node:fs";
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

export type LockResult =
  | { readonly ok: true; readonly lock: LockInfo; readonly tookOver: LockInfo | null; release(): void }
  | { readonly ok: false; readonly holder: LockInfo | null; readonly reason: string };

export function currentUser(env: Readonly<Record<string, string | undefined>>): string {
  try {
    return userInfo().username;
  } catch {
    return env["USER"] ?? env["LOGNAME"] ?? "unknown";
  }
}

function readLock(path: string): LockInfo | null {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as LockInfo;
  } catch {
    return null;
  }
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
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null;
  } catch {
    return null;
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

export function acquireLock(options: AcquireOptions): LockResult {
  const info: LockInfo = {
    id: randomBytes(6).toString("hex"),
    user: options.user,
    host: hostname(),
    pid: process.pid,
    since: new Date(options.now).toISOString(),
    fingerprint: options.fingerprint,
    command: options.command,
    pidStart: processStart(process.pid),
  };
  const release = (): void => {
    if (readLock(options.path)?.id === info.id) {
      try {
        unlinkSync(options.path);
      } catch {
        // Gone already.
      }
    }
  };
  let tookOver: LockInfo | null = null;
  for (let attempt = 0; attempt < 3; attempt++) {
    if (tryCreate(options.path, info)) return { ok: true, lock: info, tookOver, release };
    const holder = readLock(options.path);
    if (holder === null) {
      // Being written this instant, or garbage: look again, then give up.
      if (attempt < 2) continue;
      return { ok: false, holder: null, reason: `the lock file ${options.path} cannot be read` };
    }
    const forced = options.forceUnlock !== undefined && options.forceUnlock === holder.id;
    if (!forced && !isStale(holder)) {
      const reason =
        options.forceUnlock !== undefined ? `--force-unlock ${options.forceUnlock} does not name this lock (its id is ${holder.id})` : "another run holds the lock";
      return { ok: false, holder, reason };
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
      return { ok: false, holder: moved, reason: "another run took the lock over just now" };
    }
    unlinkSync(aside);
    tookOver = holder;
  }
  return { ok: false, holder: readLock(options.path), reason: "the lock changed hands while taking it" };
}
