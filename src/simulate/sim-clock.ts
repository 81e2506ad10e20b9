/**
 * Simulated time for `upgradec simulate`: `sleep` registers a timer in a heap, and `drive`
 * lets every pending promise settle (one macrotask turn drains the microtasks the runtime
 * chains through), then jumps to the earliest instant and releases every timer due then at
 * once. A 10,000-host plan jumps tens of thousands of times, so a jump must cost O(log n).
 */
import { MinHeap } from "../base/min-heap.js";
import type { Clock } from "../runtime/effects.js";

interface Timer {
  readonly at: number;
  readonly seq: number;
  done: boolean;
  readonly resolve: () => void;
  /** The sleepers on the signal that may cut it short, itself among them. */
  readonly cutBy: Set<Timer> | null;
}

export class SimClock implements Clock {
  private readonly timers = new MinHeap<Timer>((a, b) => a.at < b.at || (a.at === b.at && a.seq < b.seq));
  private seq = 0;
  /**
   * Sleepers by the signal that may cut them short, with one abort listener per signal: the
   * runtime gives most steps one shared signal, and a listener per sleep on it would cost
   * each sleep the number of steps running.
   */
  private readonly sleepers = new WeakMap<AbortSignal, Set<Timer>>();
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
      const cutBy = signal === undefined ? null : this.sleepersOn(signal);
      const timer: Timer = { at: this.t + Math.max(0, ms), seq: this.seq++, done: false, resolve, cutBy };
      this.timers.push(timer);
      cutBy?.add(timer);
    });
  }

  private sleepersOn(signal: AbortSignal): Set<Timer> {
    let set = this.sleepers.get(signal);
    if (set === undefined) {
      const sleeping = new Set<Timer>();
      signal.addEventListener(
        "abort",
        () => {
          for (const timer of sleeping) {
            timer.done = true;
            timer.resolve();
          }
          sleeping.clear();
        },
        { once: true },
      );
      this.sleepers.set(signal, sleeping);
      set = sleeping;
    }
    return set;
  }

  private fire(timer: Timer): void {
    timer.done = true;
    timer.cutBy?.delete(timer);
    timer.resolve();
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
      this.fire(next);
      for (let top = this.timers.peek(); top !== undefined && top.at <= this.t; top = this.timers.peek()) {
        this.timers.pop();
        if (!top.done) this.fire(top);
      }
    }
  }
}
