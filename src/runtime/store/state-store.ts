/**
 * Where a plan's run state lives: its lock, its runs' journals, which run is current, and
 * its steps' output. The runtime reaches the state only through this interface, so a
 * directory beside the plan (directory-store.ts) and a shared database are two
 * implementations of one contract (test/runtime/store/ runs the same suite against each).
 *
 * A store is opened for one plan (its name keys the current run and the lock), so two
 * plans sharing one store keep apart.
 */
import type { DamagedRun } from "../current-run.js";
import type { JournalRead, JournalRecord, JournalRecordInput } from "../journal.js";
import type { LockInfo, TakenOver } from "../lock.js";
import type { RunState } from "../run-state.js";
import type { AttemptRegistry } from "../survivors.js";

export interface LockRequest {
  readonly user: string;
  readonly fingerprint: string;
  /** The verb taking it (run, resume, rollback). */
  readonly command: string;
  readonly now: number;
  /** --force-unlock ID: remove the lock with this id, whoever holds it. */
  readonly forceUnlock?: string;
}

export type StoreLock =
  | {
      readonly ok: true;
      readonly lock: LockInfo;
      readonly tookOver: TakenOver | null;
      /** Aborted when the lock is lost (a lease taken over): nothing more may be written or started. */
      readonly lost: AbortSignal;
      release(): Promise<void>;
    }
  /** `damagedId`: the lock is damaged, and `--force-unlock` with this id removes it. */
  | { readonly ok: false; readonly holder: LockInfo | null; readonly reason: string; readonly damagedId: string | null };

/** The lock's holder as `status` shows it. */
export interface HolderView {
  readonly holder: LockInfo | null;
  /** The holder is known to be gone (its process died, its lease expired): the lock is stale. */
  readonly gone: boolean;
}

/**
 * A plan's current run, checked before any verb acts on it. Damage is a value (what is
 * wrong, where, and what could still be read), never "no run": a run taken for absent would
 * run its completed steps again.
 */
export type StoreRun =
  | { readonly kind: "none" }
  | { readonly kind: "run"; readonly runId: string; readonly read: JournalRead; readonly state: RunState }
  | DamagedRun;

/** Appends one run's journal records; each commit makes every record before it durable at once (group commit). */
export interface JournalAppender {
  /** Buffers one record (redacted by the caller) and returns it as it will be stored. */
  record(input: JournalRecordInput): JournalRecord;
  /** Makes every buffered record durable; concurrent records gather for the next commit. */
  commit(): Promise<void>;
  /** Commits and records how far the journal goes (a session's start and end), so a journal cut short is seen. */
  mark(): Promise<void>;
  /** Appends (already redacted) output to a step's log. */
  log(stepId: string, text: string): void;
  /** Marks, then lets go of the journal. */
  close(): Promise<void>;
}

export interface StateStore {
  readonly kind: "directory" | "postgres";
  /** The store as messages name it: a directory's path, or a database URL without its password. */
  readonly where: string;
  /** Where an operator looks at the lock itself. */
  readonly lockWhere: string;
  lock(request: LockRequest): Promise<StoreLock>;
  holder(): Promise<HolderView>;
  currentRun(): Promise<StoreRun>;
  /** Names `runId` this plan's current run (after its first record and mark are durable). */
  setCurrent(runId: string): Promise<void>;
  /** Opens a run's journal for appending after `existing` (null: a new run); `redact` takes secrets out of messages. */
  openJournal(runId: string, existing: JournalRead | null, redact: (text: string) => string): Promise<JournalAppender>;
  readJournal(runId: string): Promise<JournalRead>;
  /** The last `lines` lines of a step's log, and where the whole log is. */
  logTail(runId: string, stepId: string, lines: number): Promise<{ readonly where: string; readonly lines: readonly string[] }>;
  /**
   * The commands this host's runners started and that may outlive them (survivors.ts). They
   * are processes of this host: the registry is always local, whatever the store.
   */
  attempts(): AttemptRegistry;
  /** A run as it is stored: its records verbatim and its steps' logs (`upgradec state push/pull`). */
  exportRun(runId: string): Promise<RunCopy>;
  /**
   * Writes a run copied from another store verbatim (checksums and hash chain kept, so the
   * copy is checked as the original was) and names it this plan's current run. Needs the lock.
   */
  importRun(copy: RunCopy): Promise<void>;
  close(): Promise<void>;
}

export interface RunCopy {
  readonly runId: string;
  readonly records: readonly JournalRecord[];
  readonly logs: readonly { readonly step: string; readonly text: string }[];
}
