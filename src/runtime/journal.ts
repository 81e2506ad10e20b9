/**
 * The run's journal: one JSON record per line, append-only, each with a checksum over its
 * canonical JSON. Records are buffered and made durable in groups (`commit`: one write and
 * one fsync for every transition of the same instant), and the scheduler commits before it
 * starts any command, so "started" is on disk before the process exists.
 *
 * A power cut can leave the last line torn: reading ignores a bad last line (and the writer
 * cuts it off before appending); a bad line anywhere else is corruption, reported with its
 * line number.
 */
import { closeSync, constants, fstatSync, fsync, fsyncSync, ftruncateSync, openSync, readFileSync, writeSync } from "node:fs";
import { canonicalJson, sha256 } from "../plan/digest.js";

export type JournalType =
  | "run-started"
  | "run-resumed"
  | "step-started"
  | "step-succeeded"
  | "step-failed"
  | "step-skipped"
  | "step-undo-started"
  | "step-undone"
  | "undo-failed"
  | "window-wait"
  | "run-stopped"
  | "run-finished"
  | "rollback-started"
  | "rollback-stopped"
  | "rollback-finished";

/** What the scheduler hands in; seq, time and sum are added by the journal. */
export interface JournalRecordInput {
  readonly type: JournalType;
  readonly step?: string;
  readonly host?: string | null;
  readonly attempt?: number;
  readonly exitCode?: number | null;
  readonly signal?: string | null;
  readonly timedOut?: boolean;
  /** A one-line reason (a failure, a skip, a stop), secrets redacted. */
  readonly message?: string;
  /** run-started: the plan's identity, so resume can insist on the same plan. */
  readonly fingerprint?: string;
  readonly digest?: string;
  readonly plan?: string;
  /** run-started / run-resumed: the options that restrict it. */
  readonly only?: readonly string[];
  readonly hostFilter?: readonly string[];
  /** run-started: what the pre-upgrade checks found: "passed", "passed-with-warnings" or "skipped". */
  readonly checks?: string;
  /** window-wait: when the wait ends (ISO). */
  readonly until?: string;
  /** rollback-started: the checkpoint it goes back to, or null for the start. */
  readonly to?: string | null;
  /** step-failed: the failure is within the service's max-failures: its host is left out and the rollout goes on. */
  readonly tolerated?: boolean;
  /** step-succeeded: set when a done-check (not the command) found it done. */
  readonly byDoneCheck?: boolean;
  /** run-stopped, rollback-*: how it ended. */
  readonly outcome?: string;
}

export interface JournalRecord extends JournalRecordInput {
  readonly seq: number;
  /** ISO time. */
  readonly time: string;
  readonly run: string;
  /** First 16 hex digits of sha256 over the record's canonical JSON without `sum`. */
  readonly sum: string;
}

export function recordChecksum(record: Omit<JournalRecord, "sum">): string {
  return sha256(canonicalJson(record)).slice(0, 16);
}

export function encodeRecord(record: Omit<JournalRecord, "sum">): string {
  return JSON.stringify({ ...record, sum: recordChecksum(record) });
}

/** A line that parses and whose checksum matches, or null. */
function decodeLine(line: string): JournalRecord | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return null;
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return null;
  const { sum, ...rest } = parsed as Record<string, unknown>;
  if (typeof sum !== "string") return null;
  if (typeof rest["seq"] !== "number" || typeof rest["type"] !== "string") return null;
  if (recordChecksum(rest as Omit<JournalRecord, "sum">) !== sum) return null;
  return parsed as JournalRecord;
}

export interface JournalRead {
  readonly records: readonly JournalRecord[];
  /** The torn last line was ignored (a crash while writing it). */
  readonly tornTail: boolean;
  /** Set when a line other than the last is bad: the journal cannot be trusted. */
  readonly corruptLine: number | null;
}

export function parseJournal(text: string): JournalRead {
  const lines = text.split("\n");
  // A complete journal ends with a newline: the last element is then empty.
  const lastComplete = text.endsWith("\n");
  if (lastComplete) lines.pop();
  const records: JournalRecord[] = [];
  let tornTail = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    const isLast = i === lines.length - 1;
    const record = line.trim() === "" && isLast ? null : decodeLine(line);
    if (record === null) {
      if (isLast) {
        tornTail = true;
        break;
      }
      return { records, tornTail: false, corruptLine: i + 1 };
    }
    if (isLast && !lastComplete) {
      // Parsed and checksummed, but the newline was never written: keep it, it is whole.
      records.push(record);
      break;
    }
    records.push(record);
  }
  return { records, tornTail, corruptLine: null };
}

export function readJournal(path: string): JournalRead {
  return parseJournal(readFileSync(path, "utf8"));
}

/** Appends records, durable at each commit. */
export class JournalWriter {
  private readonly fd: number;
  private buffer: string[] = [];
  private seq: number;

  /**
   * Opens (creating with mode 0600) the journal at `path`; a torn tail is cut off so the
   * next record starts on a line of its own.
   */
  constructor(
    path: string,
    private readonly runId: string,
    private readonly now: () => number,
    private readonly redact: (text: string) => string,
    existing: JournalRead | null,
  ) {
    this.fd = openSync(path, constants.O_RDWR | constants.O_CREAT | constants.O_APPEND, 0o600);
    this.seq = existing && existing.records.length > 0 ? (existing.records[existing.records.length - 1]?.seq ?? 0) : 0;
    if (existing?.tornTail) {
      const text = readFileSync(path, "utf8");
      const keep = Buffer.byteLength(text.slice(0, text.lastIndexOf("\n") + 1), "utf8");
      ftruncateSync(this.fd, keep);
      fsyncSync(this.fd);
    } else if (fstatSync(this.fd).size > 0 && !readFileSync(path, "utf8").endsWith("\n")) {
      writeSync(this.fd, "\n");
    }
  }

  record(input: JournalRecordInput): JournalRecord {
    this.seq += 1;
    const base = { ...redactRecord(input, this.redact), seq: this.seq, time: new Date(this.now()).toISOString(), run: this.runId };
    const record: JournalRecord = { ...base, sum: recordChecksum(base) };
    this.buffer.push(JSON.stringify(record));
    return record;
  }

  commit(): void {
    if (this.buffer.length === 0) return;
    const text = this.buffer.join("\n") + "\n";
    this.buffer = [];
    writeSync(this.fd, text);
    fsyncSync(this.fd);
  }

  /**
   * The same, with the fsync off the event loop: while it runs, other commands finish and
   * their records gather for the next commit (group commit under load).
   */
  async commitAsync(): Promise<void> {
    if (this.buffer.length === 0) return;
    const text = this.buffer.join("\n") + "\n";
    this.buffer = [];
    writeSync(this.fd, text);
    await new Promise<void>((resolve, reject) => fsync(this.fd, (error) => (error ? reject(error) : resolve())));
  }

  close(): void {
    this.commit();
    closeSync(this.fd);
  }
}

function redactRecord(input: JournalRecordInput, redact: (text: string) => string): JournalRecordInput {
  return input.message === undefined ? input : { ...input, message: redact(input.message) };
}
