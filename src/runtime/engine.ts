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

export async function runEngine(options: EngineOptions): Promise<EngineResult> {
  const { items, clock, caps, hooks } = options;
  const parallelism = Math.max(1, options.parallelism);
  // Per item, by its index in `items`.
  const state: ItemState[] = items.map(() => "pending");
  const chains = new Map<string, ChainState>();
  const chainsOfItem: ChainState[][] = items.map((item) => {
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
      caps.take(cs.chain.key);
    }
  }

  // Items whose dependencies have all succeeded, in priority order: a turn looks at these
  // only, so a large plan costs per turn what is ready, not what is left.
  const position = new Map(items.map((item, i) => [item.step.id, i]));
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
  let ready: number[] = depsLeft.flatMap((n, i) => (n === 0 ? [i] : []));
  const makeReady = (i: number): void => {
    let lo = 0;
    let hi = ready.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((ready[mid] ?? 0) < i) lo = mid + 1;
      else hi = mid;
    }
    ready.splice(lo, 0, i);
  };

  let running = 0;
  const slots = slotTracker(items, parallelism, options.slotOf);
  /** The running items that may be cancelled, each with its own controller. */
  const controllers = new Map<number, AbortController>();
  // Never aborted; every item no decision can cancel runs with it.
  const uncancellable = new AbortController().signal;
  // Each running command may listen on it: as many listeners as the parallelism, no leak.
  setMaxListeners(0, uncancellable);
  const completions: { i: number; outcome: Outcome }[] = [];
  let wake: (() => void) | null = null;
  let stopReason: string | null = null;
  let rollbackRequested = false;
  const why = new Map<number, string>();
  const tolerated: number[] = [];
  /** Items that will not run: a tolerated failure upstream left them out. */
  const leftOut = new Set<number>();
  const onExternalStop = (): void => wake?.();
  options.stop?.addEventListener("abort", onExternalStop);

  // A tolerated failure of item `from`: its dependents are left out (and theirs, down the
  // graph), except the ones that pass a left-out dependency, which count it as met.
  const leaveOut = (from: number): void => {
    const root = (items[from] as WorkItem).step.id;
    const stack = [from];
    while (stack.length > 0) {
      const at = stack.pop() as number;
      for (const d of dependents[at] ?? []) {
        const next = items[d];
        if (next === undefined || state[d] !== "pending" || leftOut.has(d)) continue;
        if (hooks.passesLeftOut?.(next.step) === true) {
          depsLeft[d] = (depsLeft[d] ?? 1) - 1;
          if (depsLeft[d] === 0) makeReady(d);
          continue;
        }
        leftOut.add(d);
        const because = `left out: ${root} failed within max-failures`;
        why.set(d, because);
        hooks.onLeftOut?.(next.step, because);
        stack.push(d);
      }
    }
  };

  const finish = (i: number, outcome: Outcome): void => {
    completions.push({ i, outcome });
    wake?.();
  };
  // Counted as running from its decision on; its controller too, so a cancel reaches it
  // while its start record is still on its way to disk.
  const admit = (i: number, step: PlanStep): AbortSignal => {
    running += 1;
    if (!(hooks.cancellable?.(step) ?? true)) return uncancellable;
    const controller = new AbortController();
    controllers.set(i, controller);
    return controller.signal;
  };
  const launch = (i: number, step: PlanStep, signal: AbortSignal): void => {
    hooks.execute(step, signal).then(
      (outcome) => finish(i, outcome),
      (error: unknown) => finish(i, { ok: false, message: `internal error: ${error instanceof Error ? error.message : String(error)}`, rollback: false }),
    );
  };
  // A commit that failed (the journal cannot be made durable): the loop throws it, as it
  // throws a commit that fails at once, and the items waiting for it never start.
  const commitFailures: unknown[] = [];
  const committer = groupCommitter(hooks.commit, (error) => {
    commitFailures.push(error);
    wake?.();
  });

  try {
    while (true) {
      if (commitFailures.length > 0) throw commitFailures[0];
      // 1. What finished since the last turn.
      for (const { i, outcome } of completions.splice(0)) {
        const step = (items[i] as WorkItem).step;
        running -= 1;
        slots.end(i, outcome.ok);
        controllers.delete(i);
        state[i] = outcome.ok ? "ok" : "failed";
        if (outcome.ok) {
          for (const d of dependents[i] ?? []) {
            depsLeft[d] = (depsLeft[d] ?? 1) - 1;
            if (depsLeft[d] === 0) makeReady(d);
          }
          for (const cs of chainsOfItem[i] ?? []) {
            cs.remaining -= 1;
            if (cs.remaining === 0 && cs.active) {
              cs.active = false;
              caps.release(cs.chain.key);
            }
          }
        } else if (outcome.rollback) {
          rollbackRequested = true;
          stopReason ??= `${step.id}: ${outcome.message} (on deadline: rollback)`;
        }
        const decision = hooks.onEnd(step, outcome);
        if (decision.stop !== undefined) stopReason ??= decision.stop;
        if (!outcome.ok && decision.tolerated === true && decision.stop === undefined) {
          tolerated.push(i);
          leaveOut(i);
        }
        if (decision.cancel) {
          // Only the running items that may be cancelled have a controller (their ends come
          // back asynchronously, so none leaves the map while this goes through it).
          for (const [k, controller] of controllers) {
            if (decision.cancel((items[k] as WorkItem).step)) controller.abort(new Error("cancelled"));
          }
        }
      }

      const watched = hooks.watch?.(clock.now());
      if (watched?.stop !== undefined && stopReason === null) {
        stopReason = watched.stop;
        if (watched.rollback === true) rollbackRequested = true;
      }

      // 2. What may start now.
      const stopping = stopReason !== null || options.stop?.aborted === true;
      let nextTimer = Infinity;
      const starting: { i: number; signal: AbortSignal }[] = [];
      if (!stopping) {
        const now = clock.now();
        for (const i of ready) {
          const item = items[i];
          if (item === undefined || state[i] !== "pending" || leftOut.has(i)) continue;
          if (!slots.free(i)) {
            why.set(i, `parallelism: ${parallelism} at once`);
            continue;
          }
          const gate = hooks.gate(item.step, now);
          if (gate.kind === "wait") {
            nextTimer = Math.min(nextTimer, gate.until);
            why.set(i, `waiting until ${new Date(gate.until).toISOString()}`);
            continue;
          }
          if (gate.kind === "hold") {
            why.set(i, "held by its batch's pause");
            continue;
          }
          if (gate.kind === "never") {
            why.set(i, gate.why);
            continue;
          }
          const mine = chainsOfItem[i] ?? [];
          const capWhy = caps.wouldBreak(mine.filter((cs) => !cs.active).map((cs) => cs.chain.key));
          if (capWhy !== null) {
            why.set(i, `cap: ${capWhy}`);
            continue;
          }
          for (const cs of mine) {
            if (!cs.active) {
              cs.active = true;
              caps.take(cs.chain.key);
            }
          }
          state[i] = "running";
          slots.take(i);
          why.delete(i);
          hooks.onStart(item.step);
          starting.push({ i, signal: admit(i, item.step) });
        }
      }
      if (starting.length > 0) ready = ready.filter((i) => state[i] === "pending" && !leftOut.has(i));
      committer.add(starting.length === 0 ? null : () => {
        for (const { i, signal } of starting) launch(i, (items[i] as WorkItem).step, signal);
      });
      if (watched?.next !== undefined && running > 0 && stopReason === null) nextTimer = Math.min(nextTimer, watched.next);

      if (running === 0 && completions.length === 0) {
        if (stopping || nextTimer === Infinity) break;
      }
      if (completions.length > 0) continue;
      await new Promise<void>((resolve) => {
        if (nextTimer === Infinity) {
          wake = resolve;
          return;
        }
        // A timer only when there is something to wait for; aborted with a constant reason
        // (an abort without one builds a DOMException, thousands of times in a large run).
        const timer = new AbortController();
        wake = () => {
          timer.abort(WOKEN);
          resolve();
        };
        void clock.sleep(Math.max(0, nextTimer - clock.now()), timer.signal).then(() => {
          if (!timer.signal.aborted) resolve();
        });
      });
      wake = null;
    }
    // The last turns' records (ends with nothing after them) are durable before the loop returns.
    await committer.drain();
    if (commitFailures.length > 0) throw commitFailures[0];
  } finally {
    options.stop?.removeEventListener("abort", onExternalStop);
  }

  const succeeded: string[] = [];
  const failed: string[] = [];
  const notStarted: { id: string; why: string }[] = [];
  const stateOf = (id: string): ItemState | undefined => {
    const at = position.get(id);
    return at === undefined ? undefined : state[at];
  };
  items.forEach((item, i) => {
    const s = state[i];
    if (s === "ok") succeeded.push(item.step.id);
    else if (s === "failed") failed.push(item.step.id);
    else {
      const failedDep = item.deps.find((d) => stateOf(d) === "failed");
      const waitingFor = item.deps.find((d) => position.has(d) && stateOf(d) !== "ok");
      const reason = leftOut.has(i)
        ? (why.get(i) ?? "left out")
        : failedDep !== undefined
          ? `after ${failedDep}, which failed`
          : waitingFor !== undefined
            ? `waiting for ${waitingFor}`
            : (why.get(i) ?? (stopReason !== null ? "the run stopped" : "not reached"));
      notStarted.push({ id: item.step.id, why: reason });
    }
  });
  return { succeeded, failed, tolerated: tolerated.map((i) => (items[i] as WorkItem).step.id), notStarted, stopReason, rollbackRequested };
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
