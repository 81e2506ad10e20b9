/**
 * The state directory (default `.upgradec/` beside the plan):
 *
 *   lock                         the run lock (lock.ts)
 *   current                      the id of the current run
 *   runs/<run-id>/journal.jsonl  the journal (journal.ts)
 *   runs/<run-id>/logs/<step>.log  each step's output, '/' in step ids as '~'
 *
 * Directories are created 0700 and files 0600: step output and the journal may say more
 * about the cloud than its operators want every local user to read.
 */
import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { join } from "node:path";

export interface StatePaths {
  readonly root: string;
  readonly lock: string;
  readonly current: string;
  run(runId: string): RunPaths;
}

export interface RunPaths {
  readonly dir: string;
  readonly journal: string;
  readonly logs: string;
  log(stepId: string): string;
}

export function statePaths(root: string): StatePaths {
  return {
    root,
    lock: join(root, "lock"),
    current: join(root, "current"),
    run(runId) {
      const dir = join(root, "runs", runId);
      return {
        dir,
        journal: join(dir, "journal.jsonl"),
        logs: join(dir, "logs"),
        log: (stepId) => join(dir, "logs", logFileName(stepId)),
      };
    },
  };
}

export function logFileName(stepId: string): string {
  return stepId.replace(/[/\\]/g, "~").replace(/[^A-Za-z0-9._~@+=-]/g, "_") + ".log";
}

export function ensureDir(path: string): void {
  mkdirSync(path, { recursive: true, mode: 0o700 });
}

export function readCurrent(paths: StatePaths): string | null {
  try {
    const id = readFileSync(paths.current, "utf8").trim();
    return id === "" ? null : id;
  } catch {
    return null;
  }
}

/** Point `current` at a run, atomically (write aside, fsync, rename). */
export function writeCurrent(paths: StatePaths, runId: string): void {
  const tmp = `${paths.current}.${process.pid}.tmp`;
  const fd = openSync(tmp, "w", 0o600);
  writeSync(fd, runId + "\n");
  fsyncSync(fd);
  closeSync(fd);
  renameSync(tmp, paths.current);
}

export function newRunId(now: number): string {
  const stamp = new Date(now).toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  return `${stamp}-${randomBytes(3).toString("hex")}`;
}
