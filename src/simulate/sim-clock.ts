/**
 * Simulated time for `upgradec simulate`: `sleep` registers a timer in a heap, and `drive`
 * lets every pending promise settle (one macrotask turn drains the microtasks the runtime
 * chains through), then jumps to the earliest instant and releases every timer due then at
 * once. A 10,000-host plan jumps tens of thousands of times, so a jump must cost O(log n).
 */
import { MinHeap } from "../compiler/schedule/min-heap.js";
import type { Clock } from "../runtime/effects.js";

interface Timer {
  readonly at: number;
  readonly seq: number;
  done: boolean;
  readonly fire: () => void;
}

export class SimClock implements Clock {
  private readonly timers = new MinHeap<Timer>((a, b) => a.at < b.at || (a.at === b.at && a.seq < b.seq));
  private seq = 0;
  /** Timer jumps made, for the benchmark's figures. */
  jumps = 0;

  constructor(private t: number) {}

  now(): number {
    return this.t;
  }

  private isoAt = NaN;
  private isoText = "";
  /** now() as ISO text; many events share an instant, so it is made once per instant. */
  iso(): string {
    if (this.isoAt !== this.t) {
      this.isoAt = this.t;
      this.isoText = new Date(this.t).toISOString();
    }
    return this.isoText;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const onAbort = (): void => {
        timer.done = true;
        resolve();
      };
      const timer: Timer = {
        at: this.t + Math.max(0, ms),
        seq: this.seq++,
        done: false,
        fire: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      this.timers.push(timer);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Run `work` to completion in simulated time; rejects when it waits on nothing that can ever come. */
  async drive<T>(work: Promise<T>): Promise<T> {
    let settled = false;
    work.then(
      () => (settled = true),
      () => (settled = true),
    );
    let idle = 0;
    while (true) {
      await new Promise<void>((r) => setImmediate(r));
      if (settled) return work;
      let next = this.timers.pop();
      while (next !== undefined && next.done) next = this.timers.pop();
      if (next === undefined) {
        // Nothing to wake: give stragglers a few more turns, then call it a hang.
        if (++idle > 3) throw new Error("simulation: the run waits on nothing (a bug in the scheduler or the model)");
        continue;
      }
      idle = 0;
      this.jumps += 1;
      this.t = Math.max(this.t, next.at);
      next.done = true;
      next.fire();
      for (let top = this.timers.peek(); top !== undefined && top.at <= this.t; top = this.timers.peek()) {
        this.timers.pop();
        if (top.done) continue;
        top.done = true;
        top.fire();
      }
    }
  }
}
