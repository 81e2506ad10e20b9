/**
 * The state as a directory (state-dir.ts has its layout): the store one operator on one
 * deployment host needs, and the default (`.upgradec/` beside the plan).
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { findCurrentRun } from "../current-run.js";
import { type JournalRead, JournalWriter, readJournal } from "../journal.js";
import { acquireLock, isStale, readLockFile } from "../lock.js";
import { ensureDir, type StatePaths, writeCurrent, writeFileDurably } from "../state-dir.js";
import { AttemptRegistry } from "../survivors.js";
import type { HolderView, JournalAppender, LockRequest, RunCopy, StateStore, StoreLock, StoreRun } from "./state-store.js";

export class DirectoryStore implements StateStore {
  readonly kind = "directory";
  constructor(
    readonly paths: StatePaths,
    private readonly planName: string,
    private readonly now: () => number,
  ) {}

  get where(): string {
    return this.paths.root;
  }

  get lockWhere(): string {
    return this.paths.lock;
  }

  lock(request: LockRequest): Promise<StoreLock> {
    ensureDir(this.paths.root);
    const got = acquireLock({ path: this.paths.lock, ...request });
    if (!got.ok) return Promise.resolve(got);
    // A directory's lock is held until released: its holder's death is seen by the next one (isStale).
    return Promise.resolve({ ok: true, lock: got.lock, tookOver: got.tookOver, lost: new AbortController().signal, release: () => Promise.resolve(got.release()) });
  }

  holder(): Promise<HolderView> {
    const holder = readLockFile(this.paths.lock);
    return Promise.resolve({ holder, gone: holder !== null && isStale(holder) });
  }

  currentRun(): Promise<StoreRun> {
    return Promise.resolve(this.currentRunNow());
  }

  /** The same, at once (`verify`'s reader of a directory). */
  currentRunNow(): StoreRun {
    return findCurrentRun(this.paths, this.planName);
  }

  setCurrent(runId: string): Promise<void> {
    writeCurrent(this.paths, runId);
    return Promise.resolve();
  }

  openJournal(runId: string, existing: JournalRead | null, redact: (text: string) => string): Promise<JournalAppender> {
    const run = this.paths.run(runId);
    mkdirSync(run.logs, { recursive: true, mode: 0o700 });
    const writer = new JournalWriter(run.journal, runId, this.now, redact, existing);
    return Promise.resolve({
      record: (input) => writer.record(input),
      commit: () => writer.commitAsync(),
      mark: () => Promise.resolve(writer.mark()),
      log: (stepId, text) => appendFileSync(run.log(stepId), text, { mode: 0o600 }),
      close: () => Promise.resolve(writer.close()),
    });
  }

  readJournal(runId: string): Promise<JournalRead> {
    return Promise.resolve(readJournal(this.paths.run(runId).journal));
  }

  logTail(runId: string, stepId: string, lines: number): Promise<{ readonly where: string; readonly lines: readonly string[] }> {
    const path = this.paths.run(runId).log(stepId);
    return Promise.resolve({ where: path, lines: tailOf(path, lines) });
  }

  attempts(): AttemptRegistry {
    return new AttemptRegistry(this.paths.root);
  }

  async exportRun(runId: string): Promise<RunCopy> {
    const read = await this.readJournal(runId);
    const run = this.paths.run(runId);
    const steps = [...new Set(read.records.flatMap((r) => (r.step !== undefined ? [r.step] : [])))];
    const logs = steps.filter((step) => existsSync(run.log(step))).map((step) => ({ step, text: readFileSync(run.log(step), "utf8") }));
    return { runId, records: read.records, logs };
  }

  importRun(copy: RunCopy): Promise<void> {
    const run = this.paths.run(copy.runId);
    mkdirSync(run.logs, { recursive: true, mode: 0o700 });
    for (const log of copy.logs) writeFileSync(run.log(log.step), log.text, { mode: 0o600 });
    writeFileDurably(run.journal, copy.records.map((r) => JSON.stringify(r) + "\n").join(""));
    const last = copy.records[copy.records.length - 1];
    if (last !== undefined && last.prev !== undefined) writeFileDurably(run.mark, JSON.stringify({ seq: last.seq, sum: last.sum }) + "\n");
    writeCurrent(this.paths, copy.runId);
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

function tailOf(path: string, lines: number): string[] {
  try {
    const all = readFileSync(path, "utf8").split("\n");
    if (all[all.length - 1] === "") all.pop();
    return all.slice(-lines);
  } catch {
    return [];
  }
}
