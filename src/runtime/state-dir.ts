/**
 * The state directory (default `.upgradec/` beside the plan):
 *
 *   lock                           the run lock (lock.ts), one for the directory
 *   plans/<plan>                   the id of that plan's current run (one pointer per plan
 *                                  name, so two plans in one directory keep apart)
 *   current                        the current run of layouts before per-plan pointers
 *                                  (read, never written)
 *   runs/<run-id>/journal.jsonl    the journal (journal.ts)
 *   runs/<run-id>/journal.mark     how far the journal went at a session's start and end
 *   runs/<run-id>/logs/<step>.log  each step's output, '/' in step ids as '~'
 *
 * Directories are created 0700 and files 0600: step output and the journal may say more
 * about the cloud than its operators want every local user to read.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from "node:fs";
import { createHash, randomBytes } from "node:crypto";
import { dirname, join, resolve as resolvePath } from "node:path";
import { fileURLToPath } from "node:url";

export interface StatePaths {
  readonly root: string;
  readonly lock: string;
  /** The shared pointer of older layouts. */
  readonly legacyCurrent: string;
  /** The pointer to this plan's current run. */
  readonly current: string;
  run(runId: string): RunPaths;
}

export interface RunPaths {
  readonly dir: string;
  readonly journal: string;
  readonly mark: string;
  readonly logs: string;
  log(stepId: string): string;
}

/** The state of the plan named `planName` under `root`. */
export function statePaths(root: string, planName: string): StatePaths {
  return {
    root,
    lock: join(root, "lock"),
    legacyCurrent: join(root, "current"),
    current: join(root, "plans", planStateKey(planName)),
    run(runId) {
      const dir = join(root, "runs", runId);
      return {
        dir,
        journal: join(dir, "journal.jsonl"),
        mark: join(dir, "journal.mark"),
        logs: join(dir, "logs"),
        log: (stepId) => join(dir, "logs", logFileName(stepId)),
      };
    },
  };
}

/**
 * A plan name as a file name: itself when it is a plain one, else a hash of it (plan names
 * come from sources: a name with '/' or '..' must not reach outside `plans/`).
 */
export function planStateKey(planName: string): string {
  if (/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(planName)) return planName;
  return "plan-" + createHash("sha256").update(planName, "utf8").digest("hex").slice(0, 16);
}

/** What a run id looks like: a file name, nothing that could lead elsewhere. */
export function isRunId(text: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(text);
}

export type StateRoot = { readonly ok: true; readonly root: string } | { readonly ok: false; readonly message: string; readonly help: string };

/**
 * `--state` as given (relative to the working directory; a `file:` URL is a path too), else
 * `.upgradec/` beside the plan. Any other URL scheme is refused: the state is a directory,
 * and `mysql://…` must not quietly become one named `mysql:` (a PostgreSQL URL is a
 * database store: store/open-store.ts takes it before this).
 */
export function resolveStateRoot(state: string | undefined, planDir: string, cwd: string): StateRoot {
  if (state === undefined) return { ok: true, root: join(planDir, ".upgradec") };
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(state)?.[1];
  if (scheme === undefined) return { ok: true, root: resolvePath(cwd, state) };
  if (scheme.toLowerCase() === "file") {
    try {
      return { ok: true, root: fileURLToPath(state) };
    } catch (error) {
      return { ok: false, message: `--state ${state}: ${error instanceof Error ? error.message : String(error)}`, help: "give a directory: --state DIR, or --state file:///absolute/dir" };
    }
  }
  return {
    ok: false,
    message: `--state ${state}: upgradec keeps its state in a directory or in PostgreSQL; the scheme ${scheme}: is not supported`,
    help: `give a directory: --state DIR (a path, or file:///absolute/dir), or a database: --state postgres://USER@HOST/DB${state.includes("//") ? "" : `; a directory whose name has a colon: --state ./${state}`}`,
  };
}

export function logFileName(stepId: string): string {
  return stepId.replace(/[/\\]/g, "~").replace(/[^A-Za-z0-9._~@+=-]/g, "_") + ".log";
}

export function ensureDir(path: string): void {
  mkdirSync(path, { recursive: true, mode: 0o700 });
}

/**
 * Write a small file so that it is either the old or the new content after a crash: write
 * aside, fsync, rename, fsync the directory.
 */
export function writeFileDurably(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, "w", 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  const dir = openSync(dirname(path), "r");
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

/** Point this plan's `current` at a run. */
export function writeCurrent(paths: StatePaths, runId: string): void {
  ensureDir(dirname(paths.current));
  writeFileDurably(paths.current, runId + "\n");
}

export function newRunId(now: number): string {
  const stamp = new Date(now).toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  return `${stamp}-${randomBytes(3).toString("hex")}`;
}
