/**
 * `--events FILE`: every journal record, as the journal writes it (seq, time, run, prev,
 * sum), one JSON line each, appended to a file other tools follow. `run`, `resume` and
 * `rollback` write the records of their journal; `simulate` writes the records its
 * in-memory journal would hold, timed by the virtual clock. One writer, one record shape.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import { chainRecord, type JournalRecord, type JournalRecordInput } from "./journal.js";

export class EventsFile {
  private readonly fd: number;

  /** Opens (creating with mode 0600, since records name hosts and commands) `path` for appending. */
  constructor(path: string) {
    this.fd = openSync(path, "a", 0o600);
  }

  write(record: JournalRecord): void {
    writeSync(this.fd, JSON.stringify(record) + "\n");
  }

  close(): void {
    closeSync(this.fd);
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
