/**
 * `--events FILE`: every journal record, as the journal writes it (seq, time, run, prev,
 * sum), one JSON line each, appended to a file other tools follow. `run`, `resume` and
 * `rollback` write the records of their journal; `simulate` writes the records its
 * in-memory journal would hold, timed by the virtual clock. One writer, one record shape.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import { chainRecord, type JournalRecord, type JournalRecordInput } from "./journal.js";

/** A buffered file writes when it holds this much text, and when it closes. */
const FLUSH_AT = 1 << 20;

export class EventsFile {
  private readonly fd: number;
  /** Lines not written yet, for a buffered file; null when each line is written at once. */
  private pending: string[] | null;
  private pendingLength = 0;

  /**
   * Opens (creating with mode 0600, since records name hosts and commands) `path` for appending.
   * A run writes each line at once, for the tools that follow it as it goes; `buffered` (for
   * `simulate`, which finishes in seconds what a run takes days for) writes a megabyte at a
   * time: a write per line was a third of a large simulation's time.
   */
  constructor(path: string, options: { readonly buffered?: boolean } = {}) {
    this.fd = openSync(path, "a", 0o600);
    this.pending = options.buffered === true ? [] : null;
  }

  /** A record as the journal holds it; `extra` (the run's progress) follows its fields, outside its sum. */
  write(record: JournalRecord, extra: Readonly<Record<string, unknown>> = {}): void {
    this.append(JSON.stringify({ ...record, ...extra }) + "\n");
  }

  /** An event the journal does not hold (a batch finished, the lock taken over): no seq, no sum. */
  writeEvent(event: Readonly<Record<string, unknown>>): void {
    this.append(JSON.stringify(event) + "\n");
  }

  private append(line: string): void {
    if (this.pending === null) {
      writeSync(this.fd, line);
      return;
    }
    this.pending.push(line);
    this.pendingLength += line.length;
    if (this.pendingLength >= FLUSH_AT) this.flush();
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  private flush(): void {
    if (this.pending === null || this.pending.length === 0) return;
    const bytes = Buffer.from(this.pending.join(""), "utf8");
    // A write may take less than asked (a full disk gets an error on the next one).
    for (let done = 0; done < bytes.length; ) done += writeSync(this.fd, bytes, done);
    this.pending = [];
    this.pendingLength = 0;
  }
}

/**
 * Records made as a journal makes them (seq from 1, each chained to the one before), for a
 * run that keeps no journal file: `simulate`, whose times come from its virtual clock.
 */
export class RecordChain {
  private seq = 0;
  private lastSum = "";

  constructor(
    private readonly runId: string,
    private readonly redact: (text: string) => string,
  ) {}

  next(input: JournalRecordInput, time: string): JournalRecord {
    this.seq += 1;
    const record = chainRecord(input, { seq: this.seq, time, run: this.runId, prev: this.lastSum }, this.redact);
    this.lastSum = record.sum;
    return record;
  }
}
