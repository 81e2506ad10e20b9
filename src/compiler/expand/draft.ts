/**
 * The step graph as expand makes it and schedule and impact read it: steps by index (ids
 * only at emission, so 80k steps do not cost 80k string lookups per phase), grouped into
 * jobs. A job is what the scheduler places: a host's whole chain (its steps run back to
 * back, so the host is out of service for one unbroken stretch), one per-service step, or
 * a marker that runs nothing (a batch pause).
 */
import type { Phase, PlanCommandSpec, PlanEstimate, PlanStep, StepAction, Unavailable } from "../../plan/plan.js";
import type { HostSetCap } from "../../plan/host-sets.js";

/**
 * A step as expand makes it: the plan's step itself, its members in the plan file's order,
 * which emit completes in place with what the schedule decided (the start, and `after` as
 * ids). Steps are not copied into the plan: at 10k hosts a copy of the 80k steps cost some
 * 70 ms, and about as much again in garbage collection. Nothing reads the expansion after
 * emit.
 */
export interface DraftStep {
  readonly id: string;
  readonly phase: Phase;
  readonly service: string | null;
  readonly hosts: readonly string[];
  readonly action: StepAction;
  readonly command: PlanCommandSpec | null;
  /** NOT_YET until emit gives the ids of the steps it waits for (their indices: Expansion.after). */
  after: readonly string[];
  /** Seconds: the duration from expand; the start, 0 until emit, from the schedule. */
  readonly estimate: { start: number; readonly duration: number };
  readonly window: string | null;
  readonly unavailable: readonly Unavailable[];
  readonly batch: number | null;
  readonly checkpoint: string | null;
  readonly undo: PlanCommandSpec | "irreversible" | null;
  readonly done: PlanCommandSpec | null;
  readonly health: PlanStep["health"];
}

/** A draft's `after` until emit fills it in. */
export const NOT_YET: readonly string[] = Object.freeze([]);

export type JobKind = "chain" | "single" | "marker";

export interface Job {
  readonly kind: JobKind;
  /** Step indices, in the order they run (consecutive indices). */
  readonly first: number;
  readonly count: number;
  /** The service whose caps the job counts against (chains only). */
  readonly service: string | null;
  /** The failure domain of the chain's host, "" when the service has none or the host lacks the var. */
  readonly domain: string;
  /** Seconds: the sum of its steps' estimates. */
  readonly duration: number;
  /** Seconds: the estimate with health gates at their deadline, for fitting into a window. */
  readonly worst: number;
  readonly window: string | null;
  /** false for markers: they hold no parallelism slot. */
  readonly usesSlot: boolean;
}

export interface Caps {
  readonly maxUnavailable: number;
  readonly maxUnavailablePerDomain: number | null;
  /** Per domain value, for a share per domain (see ModelRolling). */
  readonly maxUnavailableByDomain: Readonly<Record<string, number>> | null;
  /** Caps per set of hosts the plan enforces (plan/host-sets.ts). */
  readonly hostSets?: readonly HostSetCap[];
}

export interface Expansion {
  readonly steps: readonly DraftStep[];
  /**
   * What each step waits for, as step indices, always lower than its own (creation order is
   * topological): step i waits for list[start[i]] up to list[start[i + 1]] (one flat list,
   * not 80k small arrays at 10k hosts).
   */
  readonly after: { readonly start: Int32Array; readonly list: Int32Array };
  /** Why a step cannot be undone, by index, for each step whose undo is "irreversible". */
  readonly irreversible: ReadonlyMap<number, string>;
  readonly jobs: readonly Job[];
  /** For each step, the job that holds it. */
  readonly jobOfStep: Int32Array;
  /** Per service with a rollout. */
  readonly caps: ReadonlyMap<string, Caps>;
  /** Per service with a rollout, the services whose rollouts finish before it starts (its `after`, transitively, and for the data plane the control plane). */
  readonly rolloutBefore: ReadonlyMap<string, ReadonlySet<string>>;
  /** Per service with steps, where each of its actions' estimates came from (EstimateBook). */
  readonly estimates: ReadonlyMap<string, readonly PlanEstimate[]>;
}
