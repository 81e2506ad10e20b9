/**
 * The run's journal: one JSON record per line, append-only, each with a checksum over its
 * canonical JSON. Records are buffered and made durable in groups (`commit`: one write and
 * one fsync for every transition of the same instant), and the scheduler commits before it
 * starts any command, so "started" is on disk before the process exists.
 *
 * What reading accepts, so that damage is never taken for "less work done":
 * - record n is on line n and has seq n, the run's id, and the previous record's sum in
 *   `prev` (a hash chain; journals written before the chain have no `prev` and are read
 *   without it); record 1 is run-started;
 * - a power cut can tear the last write: a last line without its newline that does not
 *   decode is ignored (and the writer cuts it off before appending). Anything else that does
 *   not decode or does not follow is damage, reported with its line;
 * - the journal's mark (`journal.mark` beside it: the seq and sum of the last record when a
 *   session started and when it ended, fsynced) must name a record the journal holds: a
 *   journal cut short (records lost at the end, a file replaced) is damage too.
 */
import { closeSync, constants, fstatSync, fsync, fsyncSync, ftruncateSync, openSync, readFileSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import { canonicalJson, sha256 } from "../plan/digest.js";
import { writeFileDurably } from "./state-dir.js";

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
  /** run-stopped, rollback-*: how it ended ("interrupted" when an operator's signal stopped it). */
  readonly outcome?: string;
  /** run-started with --start-over: the run it abandons (its id, or what the pointer held). */
  readonly abandoned?: string;
}

export interface JournalRecord extends JournalRecordInput {
  readonly seq: number;
  /** ISO time. */
  readonly time: string;
  readonly run: string;
  /** The previous record's sum ("" for the first): a hash chain, so the mark vouches for every record before it. */
  readonly prev?: string;
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

export interface JournalDamage {
  /** The journal itself, or its mark. */
  readonly file: "journal" | "mark";
  /** The line it is on, or null for the file as a whole (missing, empty, cut short). */
  readonly line: number | null;
  readonly reason: string;
}

export interface JournalRead {
  readonly records: readonly JournalRecord[];
  /** The torn last line was ignored (a crash while writing it). */
  readonly tornTail: boolean;
  /** Set when anything but a torn last line is wrong: the journal cannot be trusted. */
  readonly damage: JournalDamage | null;
  /** Its records carry the hash chain (`prev`) and it has a mark (every journal this version starts). */
  readonly chained: boolean;
}

export interface JournalMark {
  readonly seq: number;
  readonly sum: string;
}

export function markPathOf(journalPath: string): string {
  return join(dirname(journalPath), "journal.mark");
}

/** Why `record`, read on line `line` after `previous`, does not follow it; null when it does. */
function breakInSequence(record: JournalRecord, line: number, previous: JournalRecord | undefined, runId: string | null, chained: boolean): string | null {
  if (record.seq !== line) {
    return record.seq > line ? `record ${record.seq} is on line ${line}: records before it are missing` : `record ${record.seq} is on line ${line}: records are repeated or out of order`;
  }
  if (line === 1 && record.type !== "run-started") return `the first record is ${record.type}, not run-started`;
  if (runId !== null && record.run !== runId) return `the record belongs to run ${JSON.stringify(record.run)}, not ${runId}`;
  if (chained && record.prev !== (previous?.sum ?? "")) return "the record does not follow the one before it (its prev is not that record's sum)";
  return null;
}

/**
 * The records of a journal's text, checked as the header says. `runId`, when given, is the run
 * the journal must belong to.
 */
export function parseJournal(text: string, runId: string | null = null): JournalRead {
  const lines = text.split("\n");
  // A complete journal ends with a newline: the last element is then empty.
  const lastComplete = text.endsWith("\n");
  if (lastComplete) lines.pop();
  const records: JournalRecord[] = [];
  let chained = false;
  const damaged = (line: number | null, reason: string): JournalRead => ({ records, tornTail: false, damage: { file: "journal", line, reason }, chained });
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    const torn = i === lines.length - 1 && !lastComplete;
    const record = decodeLine(line);
    if (record === null) {
      if (torn && i > 0) return { records, tornTail: true, damage: null, chained };
      return damaged(i + 1, line.trim() === "" ? "an empty line" : "the line is not a whole record (its checksum does not match, or it is not JSON)");
    }
    if (i === 0) chained = typeof record.prev === "string";
    const broken = breakInSequence(record, i + 1, records[i - 1], runId, chained);
    if (broken !== null) return damaged(i + 1, broken);
    records.push(record);
  }
  if (records.length === 0) return damaged(null, "the journal is empty (a run's journal begins with its run-started record)");
  return { records, tornTail: false, damage: null, chained };
}

function parseMark(text: string): JournalMark | null {
  try {
    const value = JSON.parse(text) as unknown;
    if (value === null || typeof value !== "object") return null;
    const { seq, sum } = value as Record<string, unknown>;
    return typeof seq === "number" && Number.isInteger(seq) && seq > 0 && typeof sum === "string" ? { seq, sum } : null;
  } catch {
    return null;
  }
}

/** Damage the mark (its text, or null when it is missing) shows: records it vouches for are gone or differ. */
function checkMark(read: JournalRead, markText: string | null): JournalDamage | null {
  if (markText === null) return { file: "mark", line: null, reason: "the journal's mark is missing" };
  const mark = parseMark(markText);
  if (mark === null) return { file: "mark", line: 1, reason: 'the journal\'s mark is not {"seq":N,"sum":"…"}' };
  const marked = read.records[mark.seq - 1];
  if (marked === undefined) {
    return { file: "journal", line: null, reason: `it ends at record ${read.records.length}, but record ${mark.seq} was written (its mark says so): records were lost` };
  }
  if (marked.sum !== mark.sum) return { file: "journal", line: mark.seq, reason: `record ${mark.seq} is not the one that was written (its mark holds another sum)` };
  return null;
}

/** A journal's text checked with its mark's text (null: no mark file): the whole of what reading accepts. */
export function checkJournal(text: string, markText: string | null, runId: string | null = null): JournalRead {
  const read = parseJournal(text, runId);
  if (read.damage !== null || !read.chained) return read;
  const damage = checkMark(read, markText);
  return damage === null ? read : { ...read, damage };
}

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

/** The journal at `path` with its mark; a missing or unreadable file is damage, not "no records". */
export function readJournal(path: string, runId: string | null = null): JournalRead {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { records: [], tornTail: false, chained: false, damage: { file: "journal", line: null, reason: code === "ENOENT" ? "the journal is missing" : `the journal cannot be read (${code ?? String(error)})` } };
  }
  return checkJournal(text, readOrNull(markPathOf(path)), runId);
}

/**
 * A record as the journal holds it: the input redacted, its place (seq, time, run), the
 * previous record's sum (left out when `prev` is null: a journal from before the chain) and
 * its own sum. The journal and `--events` (events.ts) both make records here.
 */
export function chainRecord(
  input: JournalRecordInput,
  at: { readonly seq: number; readonly time: string; readonly run: string; readonly prev: string | null },
  redact: (text: string) => string,
): JournalRecord {
  const base = { ...redactRecord(input, redact), seq: at.seq, time: at.time, run: at.run, ...(at.prev !== null ? { prev: at.prev } : {}) };
  return { ...base, sum: recordChecksum(base) };
}

/** Appends records, durable at each commit. */
export class JournalWriter {
  private readonly fd: number;
  private buffer: string[] = [];
  private seq: number;
  /** The last record's sum, for the next one's `prev`; null for a journal from before the chain. */
  private lastSum: string | null;
  private readonly markPath: string;

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
    const last = existing?.records[existing.records.length - 1];
    this.seq = last?.seq ?? 0;
    this.lastSum = existing === null || existing.chained ? (last?.sum ?? "") : null;
    this.markPath = markPathOf(path);
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
    const record = chainRecord(input, { seq: this.seq, time: new Date(this.now()).toISOString(), run: this.runId, prev: this.lastSum }, this.redact);
    if (this.lastSum !== null) this.lastSum = record.sum;
    this.buffer.push(JSON.stringify(record));
    return record;
  }

  /**
   * Commit, then record durably how far the journal goes (seq and sum of its last record), so
   * a journal later cut short is seen as damaged. Called when a session has started and when
   * it ends: two fsyncs a session, none per step.
   */
  mark(): void {
    this.commit();
    if (this.lastSum === null || this.seq === 0) return;
    writeFileDurably(this.markPath, JSON.stringify({ seq: this.seq, sum: this.lastSum }) + "\n");
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
    this.mark();
    closeSync(this.fd);
  }
}

function redactRecord(input: JournalRecordInput, redact: (text: string) => string): JournalRecordInput {
  return input.message === undefined ? input : { ...input, message: redact(input.message) };
}
