/**
 * The plan folded for reading: phases in order, the services in each, their batches with
 * hosts and times. One pass over the steps, so the previews stay fast at 10,000 hosts; the
 * text and HTML previews both read this rather than the raw step list.
 */
import type { Phase, PlanFile, PlanService, PlanStep, StepAction } from "../plan/plan.js";

export const PHASE_ORDER: readonly Phase[] = [
  "prechecks",
  "checkpoint",
  "expand",
  "pin",
  "rollout",
  "migrate",
  "unpin",
  "contract",
  "cleanup",
  "postchecks",
];

export interface BatchOutline {
  readonly service: string;
  /** 0-based, as in the plan. */
  readonly index: number;
  readonly hosts: readonly string[];
  readonly start: number;
  readonly end: number;
  readonly steps: number;
  readonly window: string | null;
  /** The pause after this batch, in seconds (0 when none). */
  readonly pauseAfter: number;
}

/**
 * How the previews name a rollout batch: `batch 2/5`; `continuous` for the last batch of a
 * `then continuous` rolling (no barrier inside it: it is not a batch); `all hosts` for a
 * service planned all at once. `index` is the plan's (0-based).
 */
export function batchLabel(rolling: PlanService["rolling"] | undefined, index: number, total: number): string {
  if (rolling !== undefined && !rolling.rolling) return "all hosts";
  // The continuous part is the plan's last resolved batch.
  if (rolling?.continuous === true && index === rolling.batches.length - 1) return "continuous";
  return `batch ${index + 1}/${total}`;
}

/** The steps one service (or none: `service` null) has in one phase. */
export interface ServiceInPhase {
  readonly service: string | null;
  readonly start: number;
  readonly end: number;
  /** The first steps (a sample: rollouts are read by batch). */
  readonly steps: readonly PlanStep[];
  readonly stepCount: number;
  /** Distinct actions in the order first met: the chain each host goes through. */
  readonly actions: readonly StepAction[];
  readonly hosts: readonly string[];
  readonly batches: readonly BatchOutline[];
  readonly irreversible: boolean;
}

export interface PhaseOutline {
  readonly phase: Phase;
  readonly start: number;
  readonly end: number;
  readonly stepCount: number;
  readonly services: readonly ServiceInPhase[];
}

export interface PlanOutline {
  readonly phases: readonly PhaseOutline[];
  /** Every batch of every rollout, by service. */
  readonly batches: ReadonlyMap<string, readonly BatchOutline[]>;
  readonly services: ReadonlyMap<string, PlanService>;
}

/** At most this many steps are kept per service and phase (once-per-service phases have few; rollouts are read by batch). */
const KEPT_STEPS = 64;

interface GroupAcc {
  service: string | null;
  start: number;
  end: number;
  steps: PlanStep[];
  count: number;
  actions: StepAction[];
  hosts: Set<string>;
  /** The last step's host list: a host's chain repeats it step after step, and it is added once. */
  lastHosts: readonly string[] | null;
  batches: Map<number, BatchAcc>;
  /** Pauses between batches, placed by time (a pause's batch number may name either side). */
  pauses: PlanStep[];
  irreversible: boolean;
}

interface BatchAcc {
  hosts: Set<string>;
  lastHosts: readonly string[] | null;
  start: number;
  end: number;
  steps: number;
  window: string | null;
  pause: number;
}

export function outlinePlan(plan: PlanFile): PlanOutline {
  const phases = new Map<Phase, Map<string, GroupAcc>>();
  const steps = plan.steps;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i] as PlanStep;
    let groups = phases.get(step.phase);
    if (!groups) phases.set(step.phase, (groups = new Map()));
    const key = step.service ?? "";
    let group = groups.get(key);
    if (!group) {
      group = { service: step.service, start: Infinity, end: -Infinity, steps: [], count: 0, actions: [], hosts: new Set(), lastHosts: null, batches: new Map(), pauses: [], irreversible: false };
      groups.set(key, group);
    }
    const end = step.estimate.start + step.estimate.duration;
    group.start = Math.min(group.start, step.estimate.start);
    group.end = Math.max(group.end, end);
    group.count++;
    if (group.steps.length < KEPT_STEPS) group.steps.push(step);
    if (step.undo === "irreversible") group.irreversible = true;
    if (step.action !== "batch-pause" && !group.actions.includes(step.action)) group.actions.push(step.action);
    const newHosts = step.hosts !== group.lastHosts;
    group.lastHosts = step.hosts;
    if (newHosts) for (let k = 0; k < step.hosts.length; k++) group.hosts.add(step.hosts[k] as string);
    if (step.action === "batch-pause") {
      group.pauses.push(step);
    } else if (step.batch !== null) {
      let batch = group.batches.get(step.batch);
      if (!batch) group.batches.set(step.batch, (batch = { hosts: new Set(), lastHosts: null, start: Infinity, end: -Infinity, steps: 0, window: null, pause: 0 }));
      if (step.hosts !== batch.lastHosts) for (let k = 0; k < step.hosts.length; k++) batch.hosts.add(step.hosts[k] as string);
      batch.lastHosts = step.hosts;
      batch.start = Math.min(batch.start, step.estimate.start);
      batch.end = Math.max(batch.end, end);
      batch.steps++;
      batch.window ??= step.window;
    }
  }

  const serviceOrder = new Map(plan.services.map((s, i) => [s.name, i]));
  const allBatches = new Map<string, BatchOutline[]>();
  const outline: PhaseOutline[] = [];
  const known = [...PHASE_ORDER, ...[...phases.keys()].filter((p) => !PHASE_ORDER.includes(p))];
  for (const phase of known) {
    const groups = phases.get(phase);
    if (!groups) continue;
    const services = [...groups.values()]
      .sort((a, b) => a.start - b.start || (serviceOrder.get(a.service ?? "") ?? -1) - (serviceOrder.get(b.service ?? "") ?? -1))
      .map((g): ServiceInPhase => {
        const ordered = [...g.batches.entries()].filter(([, b]) => b.steps > 0).sort(([a], [b]) => a - b);
        // Each pause goes to the batch that ended last at or before it began (one sweep: 10,000 batches stay cheap).
        const byEnd = ordered.map(([, b]) => b).sort((a, b) => a.end - b.end);
        let j = -1;
        for (const pause of [...g.pauses].sort((a, b) => a.estimate.start - b.estimate.start)) {
          while (j + 1 < byEnd.length && (byEnd[j + 1]?.end ?? Infinity) <= pause.estimate.start) j++;
          const before = byEnd[j];
          if (before) before.pause += pause.estimate.duration;
        }
        const batches = ordered
          .map(([index, b]): BatchOutline => ({
            service: g.service ?? "",
            index,
            hosts: [...b.hosts],
            start: b.start,
            end: b.end,
            steps: b.steps,
            window: b.window,
            pauseAfter: b.pause,
          }));
        if (g.service !== null && batches.length > 0) allBatches.set(g.service, [...(allBatches.get(g.service) ?? []), ...batches]);
        return { service: g.service, start: g.start, end: g.end, steps: g.steps, stepCount: g.count, actions: g.actions, hosts: [...g.hosts], batches, irreversible: g.irreversible };
      });
    outline.push({
      phase,
      start: Math.min(...services.map((s) => s.start)),
      end: Math.max(...services.map((s) => s.end)),
      stepCount: [...groups.values()].reduce((n, g) => n + g.count, 0),
      services,
    });
  }
  return { phases: outline, batches: allBatches, services: new Map(plan.services.map((s) => [s.name, s])) };
}
