/**
 * The scheduling loop shared by `run` and `rollback`: start every item whose dependencies
 * have succeeded, within the parallelism, the max-unavailable caps and the gates (windows,
 * pauses), until nothing more can start. What an item does, what its gate is and what a
 * failure means are the caller's (hooks); the loop owns only order, concurrency and time.
 *
 * Durability: hooks buffer journal records; the loop commits them once per turn, after the
 * records of every transition of that turn and before any command of that turn starts (a
 * group commit: one fsync for many steps, and never a command whose start is not on disk).
 */
import type { PlanStep } from "../plan/plan.js";
import type { CapTracker, Chain } from "./caps.js";

/** The reason a wait is cut short: a step finished or a stop was asked for. */
const WOKEN = "woken";
import type { Clock } from "./effects.js";

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
  /** Abort the running items this picks (a service's `cancel` on too many failures). */
  readonly cancel?: (step: PlanStep) => boolean;
}

export interface EngineHooks {
  gate(step: PlanStep, now: number): Gate;
  /** Buffer the start record. */
  onStart(step: PlanStep): void;
  execute(step: PlanStep, signal: AbortSignal): Promise<Outcome>;
  /** Buffer the end record, and say what the outcome means for the rest. */
  onEnd(step: PlanStep, outcome: Outcome): EndDecision;
  /** Make buffered records durable (the loop waits for it before starting anything). */
  commit(): void | Promise<void>;
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
}

export interface EngineResult {
  readonly succeeded: readonly string[];
  readonly failed: readonly string[];
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
  const state = new Map<string, ItemState>(items.map((i) => [i.step.id, "pending"]));
  const chains = new Map<string, ChainState>();
  const chainsByItem = new Map<string, ChainState[]>();
  for (const item of items) {
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
    chainsByItem.set(item.step.id, list);
  }
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
  const dependents = new Map<string, number[]>();
  const depsLeft = items.map((item, i) => {
    let n = 0;
    for (const dep of item.deps) {
      if (!position.has(dep)) continue;
      n += 1;
      const list = dependents.get(dep) ?? [];
      list.push(i);
      dependents.set(dep, list);
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

  const running = new Map<string, AbortController>();
  const completions: { item: WorkItem; outcome: Outcome }[] = [];
  let wake: (() => void) | null = null;
  let stopReason: string | null = null;
  let rollbackRequested = false;
  const why = new Map<string, string>();
  const onExternalStop = (): void => wake?.();
  options.stop?.addEventListener("abort", onExternalStop);

  const launch = (item: WorkItem): void => {
    const controller = new AbortController();
    running.set(item.step.id, controller);
    hooks
      .execute(item.step, controller.signal)
      .catch((error: unknown): Outcome => ({ ok: false, message: `internal error: ${error instanceof Error ? error.message : String(error)}`, rollback: false }))
      .then((outcome) => {
        completions.push({ item, outcome });
        wake?.();
      });
  };

  try {
    while (true) {
      // 1. What finished since the last turn.
      for (const { item, outcome } of completions.splice(0)) {
        const id = item.step.id;
        running.delete(id);
        state.set(id, outcome.ok ? "ok" : "failed");
        if (outcome.ok) {
          for (const i of dependents.get(id) ?? []) {
            depsLeft[i] = (depsLeft[i] ?? 1) - 1;
            if (depsLeft[i] === 0) makeReady(i);
          }
          for (const cs of chainsByItem.get(id) ?? []) {
            cs.remaining -= 1;
            if (cs.remaining === 0 && cs.active) {
              cs.active = false;
              caps.release(cs.chain.key);
            }
          }
        } else if (outcome.rollback) {
          rollbackRequested = true;
          stopReason ??= `${id}: ${outcome.message} (on deadline: rollback)`;
        }
        const decision = hooks.onEnd(item.step, outcome);
        if (decision.stop !== undefined) stopReason ??= decision.stop;
        if (decision.cancel) {
          for (const other of items) {
            const controller = running.get(other.step.id);
            if (controller && decision.cancel(other.step)) controller.abort(new Error("cancelled"));
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
      const starting: WorkItem[] = [];
      if (!stopping) {
        const now = clock.now();
        for (const i of ready) {
          if (running.size + starting.length >= parallelism) break;
          const item = items[i];
          if (item === undefined) continue;
          const id = item.step.id;
          if (state.get(id) !== "pending") continue;
          const gate = hooks.gate(item.step, now);
          if (gate.kind === "wait") {
            nextTimer = Math.min(nextTimer, gate.until);
            why.set(id, `waiting until ${new Date(gate.until).toISOString()}`);
            continue;
          }
          if (gate.kind === "hold") {
            why.set(id, "held by its batch's pause");
            continue;
          }
          if (gate.kind === "never") {
            why.set(id, gate.why);
            continue;
          }
          const mine = chainsByItem.get(id) ?? [];
          const capWhy = caps.wouldBreak(mine.filter((cs) => !cs.active).map((cs) => cs.chain.key));
          if (capWhy !== null) {
            why.set(id, `cap: ${capWhy}`);
            continue;
          }
          for (const cs of mine) {
            if (!cs.active) {
              cs.active = true;
              caps.take(cs.chain.key);
            }
          }
          state.set(id, "running");
          why.delete(id);
          hooks.onStart(item.step);
          starting.push(item);
        }
      }
      if (starting.length > 0) ready = ready.filter((i) => state.get(items[i]?.step.id ?? "") === "pending");
      await hooks.commit();
      for (const item of starting) launch(item);
      if (watched?.next !== undefined && running.size > 0 && stopReason === null) nextTimer = Math.min(nextTimer, watched.next);

      if (running.size === 0 && completions.length === 0) {
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
  } finally {
    options.stop?.removeEventListener("abort", onExternalStop);
  }

  const succeeded: string[] = [];
  const failed: string[] = [];
  const notStarted: { id: string; why: string }[] = [];
  for (const item of items) {
    const s = state.get(item.step.id);
    if (s === "ok") succeeded.push(item.step.id);
    else if (s === "failed") failed.push(item.step.id);
    else {
      const failedDep = item.deps.find((d) => state.get(d) === "failed");
      const waitingFor = item.deps.find((d) => position.has(d) && state.get(d) !== "ok");
      const reason =
        failedDep !== undefined
          ? `after ${failedDep}, which failed`
          : waitingFor !== undefined
            ? `waiting for ${waitingFor}`
            : (why.get(item.step.id) ?? (stopReason !== null ? "the run stopped" : "not reached"));
      notStarted.push({ id: item.step.id, why: reason });
    }
  }
  return { succeeded, failed, notStarted, stopReason, rollbackRequested };
}
