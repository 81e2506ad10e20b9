/**
 * The scheduling loop shared by `run` and `rollback`: start every item whose dependencies
 * have succeeded, within the parallelism, the max-unavailable caps and the gates (windows,
 * pauses), until nothing more can start. What an item does, what its gate is and what a
 * failure means are the caller's (hooks); the loop owns only order, concurrency and time.
 *
 * Durability: hooks buffer journal records; the loop commits them once per turn, after the
 * records of every transition of that turn and before any command of that turn starts (a
 * group commit: one fsync for many steps, and never a command whose start is not on disk,
 * nor one that depends on a step whose end is not). The loop does not wait for a commit:
 * while one fsync runs, the next turns' records gather for the next, and the commands of one
 * commit are spawned while the next one's fsync runs (`groupCommitter`). It returns only when
 * every record is durable.
 */
import { setMaxListeners } from "node:events";
import type { PlanStep } from "../plan/plan.js";
import type { CapTracker } from "./caps.js";
import type { Chain } from "../plan/chains.js";
import type { Clock } from "./effects.js";

/** The reason a wait is cut short: a step finished or a stop was asked for. */
const WOKEN = "woken";

export interface WorkItem {
  readonly step: PlanStep;
  /** Ids of items (in this same set) that must succeed first. */
  readonly deps: readonly string[];
}

export type Gate =
  | { readonly kind: "go" }
  /** Not before this time (a window's opening, the end of a pause). */
  | { readonly kind: "wait"; readonly until: number }
  /** Not yet, for a reason that only another item's progress can change. */
  | { readonly kind: "hold" }
  /** Never in this run (a window too short for the work). */
  | { readonly kind: "never"; readonly why: string };

export type Outcome =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly message: string;
      readonly rollback: boolean;
      readonly exitCode?: number | null;
      readonly signal?: string | null;
      readonly timedOut?: boolean;
    };

export interface EndDecision {
  /** Stop starting new items, for this reason. */
  readonly stop?: string;
  /**
   * Abort the running items this picks (a service's `cancel` on too many failures); it may
   * pick only items the `cancellable` hook allows.
   */
  readonly cancel?: (step: PlanStep) => boolean;
  /**
   * The failure is within the policy (max-failures): what depends on the failed item is left
   * out of this run, except the items `passesLeftOut` lets through (the markers between a
   * service's batches), which go on as if it had succeeded. No later batch waits for it.
   */
  readonly tolerated?: boolean;
}

export interface EngineHooks {
  gate(step: PlanStep, now: number): Gate;
  /** Buffer the start record. */
  onStart(step: PlanStep): void;
  execute(step: PlanStep, signal: AbortSignal): Promise<Outcome>;
  /**
   * Whether an end decision may cancel this step while it runs. Only such a step gets a
   * signal of its own; the others share one that never aborts (an AbortController per step
   * is a large share of a large run's scheduling cost). Without this hook, every step may
   * be cancelled.
   */
  cancellable?(step: PlanStep): boolean;
  /** Buffer the end record, and say what the outcome means for the rest. */
  onEnd(step: PlanStep, outcome: Outcome): EndDecision;
  /** Make buffered records durable (the loop waits for it before starting anything). */
  commit(): void | Promise<void>;
  /**
   * Whether this item may go on when a dependency was left out by a tolerated failure (a
   * marker between batches); every other item depending on it is left out too. Without
   * this hook, none may.
   */
  passesLeftOut?(step: PlanStep): boolean;
  /** An item that will not run in this run because a tolerated failure left it out. */
  onLeftOut?(step: PlanStep, because: string): void;
  /**
   * Looked at every turn while work runs: a reason to stop (a progress deadline passed), and
   * when to look again.
   */
  watch?(now: number): { readonly stop?: string; readonly rollback?: boolean; readonly next?: number };
}

export interface EngineOptions {
  readonly items: readonly WorkItem[];
  readonly parallelism: number;
  readonly clock: Clock;
  readonly caps: CapTracker;
  readonly chainsOf: (step: PlanStep) => readonly Chain[];
  /** Chains already holding their host out when the loop starts (a run resumed half-way through a host). */
  readonly initiallyActive: ReadonlySet<string>;
  readonly hooks: EngineHooks;
  /** Aborted to stop gracefully (no new items; running ones finish). */
  readonly stop?: AbortSignal;
  /**
   * The parallelism slot a step holds, as the compiler's scheduler counts them: items with
   * one key share one slot from the first one's start to the last one's end (a host's
   * chain runs one step at a time), null holds none (a pause marker). Without it, every
   * item holds its own slot while it runs.
   */
  readonly slotOf?: (step: PlanStep) => string | null;
}

export interface EngineResult {
  readonly succeeded: readonly string[];
  readonly failed: readonly string[];
  /** The failed items whose failure was tolerated (within max-failures), in the order they failed. */
  readonly tolerated: readonly string[];
  /** Items that never started, each with why. */
  readonly notStarted: readonly { readonly id: string; readonly why: string }[];
  readonly stopReason: string | null;
  readonly rollbackRequested: boolean;
}

type ItemState = "pending" | "running" | "ok" | "failed";

interface ChainState {
  readonly chain: Chain;
  remaining: number;
  active: boolean;
}

/** A completed item, as its end came back. */
interface Completion {
  readonly i: number;
  readonly outcome: Outcome;
}

/** What one turn decided to start, and the earliest time a gate said to look again. */
interface Admission {
  readonly starting: readonly { readonly i: number; readonly signal: AbortSignal }[];
  readonly nextTimer: number;
}

export async function runEngine(options: EngineOptions): Promise<EngineResult> {
  const loop = new Scheduler(options);
  options.stop?.addEventListener("abort", loop.onExternalStop);
  try {
    await loop.run();
  } finally {
    options.stop?.removeEventListener("abort", loop.onExternalStop);
  }
  return loop.result();
}

/** Per chain, the state of each item's chains (by its index in `items`), with the chains already active taken under the caps. */
function chainStates(options: EngineOptions): ChainState[][] {
  const chains = new Map<string, ChainState>();
  const chainsOfItem = options.items.map((item) => {
    const list: ChainState[] = [];
    for (const chain of options.chainsOf(item.step)) {
      let cs = chains.get(chain.id);
      if (!cs) {
        cs = { chain, remaining: 0, active: false };
        chains.set(chain.id, cs);
      }
      cs.remaining += 1;
      list.push(cs);
    }
    return list;
  });
  for (const id of options.initiallyActive) {
    const cs = chains.get(id);
    if (cs && !cs.active) {
      cs.active = true;
      options.caps.take(cs.chain.key);
    }
  }
  return chainsOfItem;
}

/** The dependency graph by index: each item's dependents, and how many of its dependencies (in this set) are left. */
function dependencyGraph(items: readonly WorkItem[], position: ReadonlyMap<string, number>) {
  const dependents: number[][] = items.map(() => []);
  const depsLeft = items.map((item, i) => {
    let n = 0;
    for (const dep of item.deps) {
      const at = position.get(dep);
      if (at === undefined) continue;
      n += 1;
      dependents[at]?.push(i);
    }
    return n;
  });
  return { dependents, depsLeft };
}

/** The loop's state across turns; `run` is the loop, each of its steps a method. */
class Scheduler {
  private readonly items: readonly WorkItem[];
  private readonly clock: Clock;
  private readonly caps: CapTracker;
  private readonly hooks: EngineHooks;
  private readonly parallelism: number;
  // Per item, by its index in `items`.
  private readonly state: ItemState[];
  private readonly chainsOfItem: ChainState[][];
  private readonly position: Map<string, number>;
  private readonly dependents: number[][];
  private readonly depsLeft: number[];
  // Items whose dependencies have all succeeded, in priority order: a turn looks at these
  // only, so a large plan costs per turn what is ready, not what is left.
  private ready: number[];
  private running = 0;
  private readonly slots: ReturnType<typeof slotTracker>;
  /** The running items that may be cancelled, each with its own controller. */
  private readonly controllers = new Map<number, AbortController>();
  // Never aborted; every item no decision can cancel runs with it.
  private readonly uncancellable = new AbortController().signal;
  private readonly completions: Completion[] = [];
  private wake: (() => void) | null = null;
  private stopReason: string | null = null;
  private rollbackRequested = false;
  private readonly why = new Map<number, string>();
  private readonly tolerated: number[] = [];
  /** Items that will not run: a tolerated failure upstream left them out. */
  private readonly leftOut = new Set<number>();
  // A commit that failed (the journal cannot be made durable): the loop throws it, as it
  // throws a commit that fails at once, and the items waiting for it never start.
  private readonly commitFailures: unknown[] = [];
  private readonly committer: ReturnType<typeof groupCommitter>;

  constructor(private readonly options: EngineOptions) {
    this.items = options.items;
    this.clock = options.clock;
    this.caps = options.caps;
    this.hooks = options.hooks;
    this.parallelism = Math.max(1, options.parallelism);
    this.state = this.items.map(() => "pending");
    this.chainsOfItem = chainStates(options);
    this.position = new Map(this.items.map((item, i) => [item.step.id, i]));
    const { dependents, depsLeft } = dependencyGraph(this.items, this.position);
    this.dependents = dependents;
    this.depsLeft = depsLeft;
    this.ready = depsLeft.flatMap((n, i) => (n === 0 ? [i] : []));
    this.slots = slotTracker(this.items, this.parallelism, options.slotOf);
    // Each running command may listen on it: as many listeners as the parallelism, no leak.
    setMaxListeners(0, this.uncancellable);
    this.committer = groupCommitter(this.hooks.commit, (error) => {
      this.commitFailures.push(error);
      this.wake?.();
    });
  }

  readonly onExternalStop = (): void => this.wake?.();

  async run(): Promise<void> {
    while (true) {
      if (this.commitFailures.length > 0) throw this.commitFailures[0];
      // 1. What finished since the last turn.
      for (const { i, outcome } of this.completions.splice(0)) this.absorb(i, outcome);
      const watched = this.hooks.watch?.(this.clock.now());
      if (watched?.stop !== undefined && this.stopReason === null) {
        this.stopReason = watched.stop;
        if (watched.rollback === true) this.rollbackRequested = true;
      }
      // 2. What may start now.
      const stopping = this.stopReason !== null || this.options.stop?.aborted === true;
      const { starting, nextTimer: gateTimer } = stopping ? { starting: [], nextTimer: Infinity } : this.admitReady();
      let nextTimer = gateTimer;
      if (starting.length > 0) this.ready = this.ready.filter((i) => this.state[i] === "pending" && !this.leftOut.has(i));
      this.committer.add(starting.length === 0 ? null : () => {
        for (const { i, signal } of starting) this.launch(i, (this.items[i] as WorkItem).step, signal);
      });
      if (watched?.next !== undefined && this.running > 0 && this.stopReason === null) nextTimer = Math.min(nextTimer, watched.next);
      if (this.running === 0 && this.completions.length === 0) {
        if (stopping || nextTimer === Infinity) break;
      }
      if (this.completions.length > 0) continue;
      await this.waitTurn(nextTimer);
      this.wake = null;
    }
    // The last turns' records (ends with nothing after them) are durable before the loop returns.
    await this.committer.drain();
    if (this.commitFailures.length > 0) throw this.commitFailures[0];
  }

  /** An item's end: its dependents and chains move on, and the hook says what it means for the rest. */
  private absorb(i: number, outcome: Outcome): void {
    const step = (this.items[i] as WorkItem).step;
    this.running -= 1;
    this.slots.end(i, outcome.ok);
    this.controllers.delete(i);
    this.state[i] = outcome.ok ? "ok" : "failed";
    if (outcome.ok) this.succeeded(i);
    else if (outcome.rollback) {
      this.rollbackRequested = true;
      this.stopReason ??= `${step.id}: ${outcome.message} (on deadline: rollback)`;
    }
    const decision = this.hooks.onEnd(step, outcome);
    if (decision.stop !== undefined) this.stopReason ??= decision.stop;
    if (!outcome.ok && decision.tolerated === true && decision.stop === undefined) {
      this.tolerated.push(i);
      this.leaveOut(i);
    }
    if (decision.cancel) {
      // Only the running items that may be cancelled have a controller (their ends come
      // back asynchronously, so none leaves the map while this goes through it).
      for (const [k, controller] of this.controllers) {
        if (decision.cancel((this.items[k] as WorkItem).step)) controller.abort(new Error("cancelled"));
      }
    }
  }

  /** Item i succeeded: its dependents have one dependency less, and a chain it ends gives its host back. */
  private succeeded(i: number): void {
    for (const d of this.dependents[i] ?? []) {
      this.depsLeft[d] = (this.depsLeft[d] ?? 1) - 1;
      if (this.depsLeft[d] === 0) this.makeReady(d);
    }
    for (const cs of this.chainsOfItem[i] ?? []) {
      cs.remaining -= 1;
      if (cs.remaining === 0 && cs.active) {
        cs.active = false;
        this.caps.release(cs.chain.key);
      }
    }
  }

  private makeReady(i: number): void {
    let lo = 0;
    let hi = this.ready.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.ready[mid] ?? 0) < i) lo = mid + 1;
      else hi = mid;
    }
    this.ready.splice(lo, 0, i);
  }

  // A tolerated failure of item `from`: its dependents are left out (and theirs, down the
  // graph), except the ones that pass a left-out dependency, which count it as met.
  private leaveOut(from: number): void {
    const root = (this.items[from] as WorkItem).step.id;
    const stack = [from];
    while (stack.length > 0) {
      const at = stack.pop() as number;
      for (const d of this.dependents[at] ?? []) {
        const next = this.items[d];
        if (next === undefined || this.state[d] !== "pending" || this.leftOut.has(d)) continue;
        if (this.hooks.passesLeftOut?.(next.step) === true) {
          this.depsLeft[d] = (this.depsLeft[d] ?? 1) - 1;
          if (this.depsLeft[d] === 0) this.makeReady(d);
          continue;
        }
        this.leftOut.add(d);
        const because = `left out: ${root} failed within max-failures`;
        this.why.set(d, because);
        this.hooks.onLeftOut?.(next.step, because);
        stack.push(d);
      }
    }
  }

  /** The ready items that may start now (their start records buffered), and when a gate said to look again. */
  private admitReady(): Admission {
    let nextTimer = Infinity;
    const starting: { i: number; signal: AbortSignal }[] = [];
    const now = this.clock.now();
    for (const i of this.ready) {
      const item = this.items[i];
      if (item === undefined || this.state[i] !== "pending" || this.leftOut.has(i)) continue;
      const blocked = this.blocker(i, item.step, now);
      if (blocked !== null) {
        if (blocked.until !== undefined) nextTimer = Math.min(nextTimer, blocked.until);
        this.why.set(i, blocked.why);
        continue;
      }
      this.start(i, item.step);
      starting.push({ i, signal: this.admit(i, item.step) });
    }
    return { starting, nextTimer };
  }

  /** Why item i may not start now (and until when, for a wait), or null when it may. */
  private blocker(i: number, step: PlanStep, now: number): { readonly why: string; readonly until?: number } | null {
    if (!this.slots.free(i)) return { why: `parallelism: ${this.parallelism} at once` };
    const gate = this.hooks.gate(step, now);
    if (gate.kind === "wait") return { why: `waiting until ${new Date(gate.until).toISOString()}`, until: gate.until };
    if (gate.kind === "hold") return { why: "held by its batch's pause" };
    if (gate.kind === "never") return { why: gate.why };
    const mine = this.chainsOfItem[i] ?? [];
    const capWhy = this.caps.wouldBreak(mine.filter((cs) => !cs.active).map((cs) => cs.chain.key));
    if (capWhy !== null) return { why: `cap: ${capWhy}` };
    return null;
  }

  /** Item i starts: its chains hold their hosts out, it holds its slot, and its start record is buffered. */
  private start(i: number, step: PlanStep): void {
    for (const cs of this.chainsOfItem[i] ?? []) {
      if (!cs.active) {
        cs.active = true;
        this.caps.take(cs.chain.key);
      }
    }
    this.state[i] = "running";
    this.slots.take(i);
    this.why.delete(i);
    this.hooks.onStart(step);
  }

  // Counted as running from its decision on; its controller too, so a cancel reaches it
  // while its start record is still on its way to disk.
  private admit(i: number, step: PlanStep): AbortSignal {
    this.running += 1;
    if (!(this.hooks.cancellable?.(step) ?? true)) return this.uncancellable;
    const controller = new AbortController();
    this.controllers.set(i, controller);
    return controller.signal;
  }

  private launch(i: number, step: PlanStep, signal: AbortSignal): void {
    this.hooks.execute(step, signal).then(
      (outcome) => this.finish(i, outcome),
      (error: unknown) => this.finish(i, { ok: false, message: `internal error: ${error instanceof Error ? error.message : String(error)}`, rollback: false }),
    );
  }

  private finish(i: number, outcome: Outcome): void {
    this.completions.push({ i, outcome });
    this.wake?.();
  }

  /** Until an item ends, a stop is asked for, a commit fails, or (when finite) `nextTimer`. */
  private waitTurn(nextTimer: number): Promise<void> {
    return new Promise<void>((resolve) => {
      if (nextTimer === Infinity) {
        this.wake = resolve;
        return;
      }
      // A timer only when there is something to wait for; aborted with a constant reason
      // (an abort without one builds a DOMException, thousands of times in a large run).
      const timer = new AbortController();
      this.wake = () => {
        timer.abort(WOKEN);
        resolve();
      };
      void this.clock.sleep(Math.max(0, nextTimer - this.clock.now()), timer.signal).then(() => {
        if (!timer.signal.aborted) resolve();
      });
    });
  }

  result(): EngineResult {
    const succeeded: string[] = [];
    const failed: string[] = [];
    const notStarted: { id: string; why: string }[] = [];
    this.items.forEach((item, i) => {
      const s = this.state[i];
      if (s === "ok") succeeded.push(item.step.id);
      else if (s === "failed") failed.push(item.step.id);
      else notStarted.push({ id: item.step.id, why: this.notStartedWhy(i, item) });
    });
    const tolerated = this.tolerated.map((i) => (this.items[i] as WorkItem).step.id);
    return { succeeded, failed, tolerated, notStarted, stopReason: this.stopReason, rollbackRequested: this.rollbackRequested };
  }

  private notStartedWhy(i: number, item: WorkItem): string {
    const stateOf = (id: string): ItemState | undefined => {
      const at = this.position.get(id);
      return at === undefined ? undefined : this.state[at];
    };
    if (this.leftOut.has(i)) return this.why.get(i) ?? "left out";
    const failedDep = item.deps.find((d) => stateOf(d) === "failed");
    if (failedDep !== undefined) return `after ${failedDep}, which failed`;
    const waitingFor = item.deps.find((d) => this.position.has(d) && stateOf(d) !== "ok");
    if (waitingFor !== undefined) return `waiting for ${waitingFor}`;
    return this.why.get(i) ?? (this.stopReason !== null ? "the run stopped" : "not reached");
  }
}


/**
 * Group commit with one fsync in flight. `add` says records were buffered, with what to start
 * once they are durable; while a commit runs, later records and their starts wait for the
 * next one, which begins as soon as the running one ends and before its commands are spawned
 * (so the spawning overlaps the next fsync). A synchronous commit (tests, `simulate`)
 * starts at once, as before.
 */
function groupCommitter(commit: () => void | Promise<void>, failed: (error: unknown) => void) {
  let waiting: (() => void)[] = [];
  let dirty = false;
  let running: Promise<void> | null = null;
  let broken = false;
  const flush = (): void => {
    const launches = waiting;
    waiting = [];
    dirty = false;
    const done = commit();
    if (!(done instanceof Promise)) {
      for (const launch of launches) launch();
      return;
    }
    running = done.then(
      () => {
        running = null;
        if (dirty) flush();
        for (const launch of launches) launch();
      },
      (error: unknown) => {
        running = null;
        broken = true;
        failed(error);
      },
    );
  };
  return {
    add(launch: (() => void) | null): void {
      if (broken) return;
      if (launch !== null) waiting.push(launch);
      dirty = true;
      if (running === null) flush();
    },
    /** Resolves once every record added is durable (or a commit failed). */
    async drain(): Promise<void> {
      while (!broken && (running !== null || dirty)) {
        if (running === null) flush();
        else await running;
      }
    },
  };
}

/** Parallelism slots by key (see `EngineOptions.slotOf`): how many are held, and by whom. */
function slotTracker(items: readonly WorkItem[], parallelism: number, slotOf: EngineOptions["slotOf"]) {
  const keyOf = items.map((item, i) => (slotOf ? slotOf(item.step) : `\u0000${i}`));
  const left = new Map<string, number>();
  for (const key of keyOf) if (key !== null) left.set(key, (left.get(key) ?? 0) + 1);
  const held = new Set<string>();
  const release = (key: string): void => {
    if (held.delete(key)) left.delete(key);
  };
  return {
    /** Whether item i may start under the parallelism (it needs no new slot, or one is free). */
    free(i: number): boolean {
      const key = keyOf[i];
      return key === null || key === undefined || held.has(key) || held.size < parallelism;
    },
    take(i: number): void {
      const key = keyOf[i];
      if (key !== null && key !== undefined) held.add(key);
    },
    /** Item i ended: its key's slot is free once its last item ended, or at once on a failure (the rest will not run). */
    end(i: number, ok: boolean): void {
      const key = keyOf[i];
      if (key === null || key === undefined) return;
      const n = (left.get(key) ?? 1) - 1;
      left.set(key, n);
      if (n <= 0 || !ok) release(key);
    },
  };
}
