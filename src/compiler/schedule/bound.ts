/**
 * The bound: how short a rolling service's rollout, and the plan, could be under its caps,
 * `parallelism` and windows alone, printed beside the plan's own figure so an operator sees
 * what the batching costs (shared/DESIGN.md, "The bound"; docs/language.md).
 *
 * For a rolling service: its work (the sum of its host chains' durations) divided by its
 * width (the most hosts its caps allow out at once: the sum over its domain values of each
 * value's cap, limited by the overall cap, `parallelism` and its number of hosts), at least
 * its longest chain, fitted into its window's usable time (each occurrence less the cutoff)
 * from the service's planned start. Time is treated as divisible (a relaxation), so no
 * schedule under the same limits can be shorter.
 *
 * For the plan: the critical path with the span of each rolling service on it replaced by
 * that service's bound. Walking the path, a service starts earlier by what the services
 * before it on the path saved, and what follows the last one keeps its planned length.
 *
 * One pass over the jobs: O(jobs + occurrences walked).
 */
import type { PlanFile } from "../../plan/plan.js";
import type { Expansion } from "../expand/draft.js";
import type { WindowCalendar } from "../../windows/window-clock.js";

/** One rolling service's bound, as the plan file records it (`timing.bound.services`). */
export type ServiceBound = NonNullable<PlanFile["timing"]["bound"]>["services"][number];

export interface PlanBound {
  /** Seconds: the plan's bound, beside `timing.total`. */
  readonly total: number;
  readonly services: readonly ServiceBound[];
}

export interface BoundInput {
  readonly expansion: Expansion;
  /** Seconds from the plan's start, per step (the schedule's). */
  readonly start: Float64Array;
  readonly total: number;
  readonly parallelism: number;
  /** The services rolled host by host (the others go all at once and have no bound). */
  readonly rolling: ReadonlySet<string>;
  readonly calendars: ReadonlyMap<string, WindowCalendar>;
  /** Step indices along the critical path, first to last. */
  readonly criticalPath: readonly number[];
}

interface Tally {
  start: number;
  end: number;
  work: number;
  longest: number;
  chains: number;
  window: string | null;
  readonly domains: Set<string>;
}

export function planBound(input: BoundInput): PlanBound {
  const tallies = tallyChains(input);
  const services: ServiceBound[] = [];
  const need = new Map<string, number>();
  for (const [service, t] of tallies) {
    const width = widthOf(input, service, t);
    const seconds = Math.max(t.work / width, t.longest);
    need.set(service, seconds);
    const end = fitEnd(input.calendars, t.window, t.start, seconds);
    services.push({ service, start: t.start, planned: t.end - t.start, bound: Math.ceil(end - t.start), work: t.work, width });
  }
  return { total: Math.ceil(pathBound(input, tallies, need)), services };
}

/** Per rolling service, its chains' first start, last end, work, longest chain and window, in job order. */
function tallyChains(input: BoundInput): Map<string, Tally> {
  const { jobs } = input.expansion;
  const tallies = new Map<string, Tally>();
  // A service's chains are mostly consecutive: one lookup per run of them, not per chain.
  let last: Tally | undefined;
  let lastName: string | null = null;
  for (const job of jobs) {
    if (job.kind !== "chain" || job.service === null) continue;
    if (job.service !== lastName) {
      lastName = job.service;
      last = input.rolling.has(job.service) ? tallies.get(job.service) : undefined;
      if (last === undefined && !input.rolling.has(job.service)) continue;
    } else if (last === undefined && !input.rolling.has(job.service)) continue;
    const at = input.start[job.first] as number;
    let t = last;
    if (t === undefined) {
      t = { start: at, end: at + job.duration, work: 0, longest: 0, chains: 0, window: job.window, domains: new Set() };
      tallies.set(job.service, t);
      last = t;
    }
    t.start = Math.min(t.start, at);
    t.end = Math.max(t.end, at + job.duration);
    t.work += job.duration;
    t.chains++;
    t.longest = Math.max(t.longest, job.duration);
    t.domains.add(job.domain);
  }
  return tallies;
}

/** The most hosts of a service out at once: per-domain caps summed, limited by the overall cap, parallelism and its chains. */
function widthOf(input: BoundInput, service: string, t: Tally): number {
  const caps = input.expansion.caps.get(service);
  let perDomain = Infinity;
  if (caps && (caps.maxUnavailablePerDomain !== null || caps.maxUnavailableByDomain !== null)) {
    perDomain = 0;
    for (const d of t.domains) perDomain += caps.maxUnavailableByDomain?.[d] ?? caps.maxUnavailablePerDomain ?? Infinity;
  }
  return Math.max(1, Math.min(caps?.maxUnavailable ?? Infinity, perDomain, input.parallelism, t.chains));
}

/**
 * The end of `seconds` of work begun at `from`, counting only the window's usable time (each
 * occurrence from its opening to its close less the cutoff); without a window, from + seconds.
 */
export function fitEnd(calendars: ReadonlyMap<string, WindowCalendar>, window: string | null, from: number, seconds: number): number {
  const calendar = window === null ? undefined : calendars.get(window);
  if (calendar === undefined || seconds <= 0) return from + seconds;
  let left = seconds;
  let at = from;
  // admit(at, 0) finds the first occurrence with usable time at or after `at`.
  for (let guard = 0; guard < 100_000; guard++) {
    const fit = calendar.admit(at, 0);
    if (fit === null) return at + left;
    const occ = calendar.occurrence(fit.occurrence);
    if (occ === undefined) return at + left;
    const usable = occ.close - calendar.window.cutoff - fit.start;
    if (usable >= left) return fit.start + left;
    left -= Math.max(0, usable);
    at = occ.close;
  }
  return at + left;
}

/** The critical path's length with each rolling service's span on it replaced by its bound. */
function pathBound(input: BoundInput, tallies: ReadonlyMap<string, Tally>, need: ReadonlyMap<string, number>): number {
  const onPath = servicesOnPath(input);
  let saved = 0;
  for (const service of onPath) {
    const t = tallies.get(service);
    const seconds = need.get(service);
    if (t === undefined || seconds === undefined) continue;
    const start = Math.max(0, t.start - saved);
    const end = fitEnd(input.calendars, t.window, start, seconds);
    saved = Math.max(saved, t.end - end);
  }
  return Math.max(0, input.total - saved);
}

/** The rolling services whose chains the critical path goes through, in path order. */
function servicesOnPath(input: BoundInput): string[] {
  const { jobs, jobOfStep } = input.expansion;
  const order: string[] = [];
  const seen = new Set<string>();
  for (const i of input.criticalPath) {
    const job = jobs[jobOfStep[i] as number];
    if (job?.kind !== "chain" || job.service === null || !input.rolling.has(job.service) || seen.has(job.service)) continue;
    seen.add(job.service);
    order.push(job.service);
  }
  return order;
}
