/**
 * Simulated time, for tests and `upgradec simulate`: `sleep` registers a timer, and `drive`
 * lets every pending promise settle, then jumps to the earliest timer, until the work
 * settles. A run of hours takes milliseconds, in the same order of events as for real.
 */
import type { Clock, StateSink } from "./effects.js";
import type { JournalRecordInput } from "./journal.js";

interface Timer {
  readonly at: number;
  readonly resolve: () => void;
}

export class VirtualClock implements Clock {
  private timers: Timer[] = [];
  constructor(private t: number) {}

  now(): number {
    return this.t;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const onAbort = (): void => {
        this.timers = this.timers.filter((x) => x !== timer);
        resolve();
      };
      const timer: Timer = {
        at: this.t + Math.max(0, ms),
        resolve: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      this.timers.push(timer);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Run `work` to completion in simulated time. Throws after `limit` jumps (a run that never settles). */
  async drive<T>(work: Promise<T>, limit = 1_000_000): Promise<T> {
    let settled = false;
    const result = work.finally(() => {
      settled = true;
    });
    for (let i = 0; i < limit; i++) {
      // Several turns: a settled promise may schedule more work before it sleeps again.
      for (let k = 0; k < 5; k++) await new Promise((r) => setImmediate(r));
      if (settled) return result;
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers.shift();
      if (!next) continue;
      this.t = Math.max(this.t, next.at);
      next.resolve();
    }
    throw new Error("virtual clock: the work did not settle");
  }
}

export interface TimedRecord extends JournalRecordInput {
  /** Epoch milliseconds by the clock. */
  readonly at: number;
}

/** A journal kept in memory (for simulation: nothing is written). */
export class MemorySink implements StateSink {
  readonly records: TimedRecord[] = [];
  readonly logs = new Map<string, string>();
  commits = 0;
  constructor(private readonly clock: Clock) {}

  record(input: JournalRecordInput): void {
    this.records.push({ ...input, at: this.clock.now() });
  }

  commit(): void {
    this.commits += 1;
  }

  log(stepId: string, text: string): void {
    this.logs.set(stepId, (this.logs.get(stepId) ?? "") + text);
  }

  of(type: JournalRecordInput["type"], step?: string): TimedRecord[] {
    return this.records.filter((r) => r.type === type && (step === undefined || r.step === step));
  }
}
