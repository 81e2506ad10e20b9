/**
 * The bound: how short a rolling service's rollout, and the plan, could be under its caps,
 * `parallelism` and windows alone, printed beside the plan's own figure so an operator sees
 * what the batching costs (shared/DESIGN.md, "The bound"; docs/language.md).
 *
 * For a rolling service: its work (the sum of its host chains' durations) divided by its
 * width (the most hosts its caps allow out at once: the sum over its domain values of each
 * value's cap, limited by the overall cap, `parallelism` and its number of hosts), at least
 * its longest chain, fitted into its window's usable time from the service's start. A
 * window's usable time for a host is each occurrence from its opening to its close less the
 * cutoff and less the service's reserve: a chain is admitted only when its worst case (its
 * health gate at its deadline) ends before the close less the cutoff, so its estimate ends
 * at least `worst − duration` before it; the reserve is the smallest such margin among the
 * service's chains. Time is treated as divisible (a relaxation), so no schedule under the
 * same limits can be shorter.
 *
 * Services share `parallelism`: the hosts of all of them together are at most `parallelism`
 * out at once. So, per window, the services starting at or after each service's start are
 * also taken together (their work over their summed widths, limited by `parallelism`,
 * fitted the same way from that start, with the smallest reserve among them); the set that
 * ends latest, where later than each of its services alone, is the `shared` bound.
 *
 * For the plan: the critical path with the span of each rolling service on it replaced by
 * that service's bound. Walking the path, a service starts earlier by what the services
 * before it on the path saved, and what follows the last one keeps its planned length. The
 * plan's bound is that, or the end of the shared bound where it is later.
 *
 * Starts are the planned ones less what the critical path before them saved (the same
 * convention for a service, the shared work and the path).
 *
 * One pass over the jobs: O(jobs + services² + occurrences walked).
 */
import type { PlanFile } from "../../plan/plan.js";
import type { DraftStep, Expansion } from "../expand/draft.js";
import type { WindowCalendar } from "../../windows/window-clock.js";

/** One rolling service's bound, as the plan file records it (`timing.bound.services`). */
export type ServiceBound = NonNullable<PlanFile["timing"]["bound"]>["services"][number];
/** The services that share `parallelism` in one window, as the plan file records them (`timing.bound.shared`). */
export type SharedBound = NonNullable<NonNullable<PlanFile["timing"]["bound"]>["shared"]>;

export interface PlanBound {
  /** Seconds: the plan's bound, beside `timing.total`. */
  readonly total: number;
  readonly services: readonly ServiceBound[];
  /** The services taken together whose end is latest, when later than each one's own. */
  readonly shared: SharedBound | null;
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
  /** Seconds: the smallest margin between a chain's worst case and its estimate. */
  reserve: number;
  window: string | null;
  readonly domains: Set<string>;
}

/** What a service (or services together) needs: work, width, longest chain and reserve. */
interface Need {
  readonly service: string;
  readonly window: string | null;
  /** Its planned start less what the critical path before it saved. */
  readonly from: number;
  readonly work: number;
  readonly width: number;
  readonly longest: number;
  readonly reserve: number;
}

export function planBound(input: BoundInput): PlanBound {
  const tallies = tallyChains(input);
  const earlier = pathSavings(input, tallies);
  const needs: Need[] = [];
  for (const [service, t] of tallies) {
    const from = Math.max(0, t.start - earlier(t.start));
    needs.push({ service, window: t.window, from, work: t.work, width: widthOf(input, service, t), longest: t.longest, reserve: t.reserve });
  }
  const services: ServiceBound[] = needs.map((n) => {
    const t = tallies.get(n.service) as Tally;
    // A service's own bound is its span from its planned start, beside its planned span.
    const end = endOf(input.calendars, { ...n, from: t.start });
    return { service: n.service, start: t.start, planned: t.end - t.start, bound: Math.ceil(Math.max(0, end - t.start)), work: n.work, width: n.width };
  });
  const shared = sharedBound(input, needs);
  const path = pathBound(input, tallies, needs);
  let rolledOut = shared?.end ?? 0;
  for (const n of needs) rolledOut = Math.max(rolledOut, endOf(input.calendars, n));
  const total = Math.max(path, afterRollout(input, rolledOut));
  return { total: Math.ceil(total), services, shared: shared?.bound ?? null };
}

/** The end of a need's work: its work over its width, at least its longest chain, fitted into its window from its start. */
function endOf(calendars: ReadonlyMap<string, WindowCalendar>, n: Need): number {
  return fitEnd(calendars, n.window, n.from, Math.max(n.work / n.width, n.longest), n.reserve);
}

/**
 * Per window, the services starting at or after each one's start taken together: their
 * hosts are at most `parallelism` out at once however their caps add up. The set whose end
 * is latest, if that is later than each of its services' own end (else it says nothing
 * more than they do); null if none.
 */
function sharedBound(input: BoundInput, needs: readonly Need[]): { bound: SharedBound; end: number } | null {
  let best: SharedBound | null = null;
  let bestEnd = -Infinity;
  for (const n of needs) bestEnd = Math.max(bestEnd, endOf(input.calendars, n));
  const byWindow = new Map<string | null, Need[]>();
  for (const n of needs) {
    const group = byWindow.get(n.window);
    if (group === undefined) byWindow.set(n.window, [n]);
    else group.push(n);
  }
  for (const [window, group] of byWindow) {
    const later = [...group].sort((a, b) => b.from - a.from);
    let work = 0;
    let widths = 0;
    let longest = 0;
    let reserve = Infinity;
    const members: string[] = [];
    for (const n of later) {
      work += n.work;
      widths += n.width;
      longest = Math.max(longest, n.longest);
      reserve = Math.min(reserve, n.reserve);
      members.push(n.service);
      const width = Math.max(1, Math.min(input.parallelism, widths));
      const end = endOf(input.calendars, { service: "", window, from: n.from, work, width, longest, reserve });
      if (end > bestEnd) {
        bestEnd = end;
        best = { services: [...members].sort(), window, start: Math.floor(n.from), bound: Math.ceil(end - Math.floor(n.from)), work, width };
      }
    }
  }
  return best === null ? null : { bound: best, end: bestEnd };
}

/**
 * The earliest end of what follows the rollout (migrate, unpin, contract, cleanup, the
 * postchecks and checkpoints between them: every step that waits, directly or not, for a
 * rollout step), when the rollout ends at `rolledOut`: each phase after the rollout waits
 * for all of it. Each such job starts once the steps it waits for have ended, in its
 * window's first occurrence where its worst case fits; no cap or slot holds it back (a
 * relaxation). `rolledOut` itself when nothing follows.
 */
function afterRollout(input: BoundInput, rolledOut: number): number {
  const { steps, after, jobs, jobOfStep } = input.expansion;
  const end = new Float64Array(steps.length).fill(-1);
  let latest = rolledOut;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i] as DraftStep;
    if (step.phase === "rollout") continue;
    let follows = false;
    let at = rolledOut;
    for (let k = after.start[i] as number; k < (after.start[i + 1] as number); k++) {
      const p = after.list[k] as number;
      if ((steps[p] as DraftStep).phase === "rollout") follows = true;
      else if ((end[p] as number) >= 0) {
        follows = true;
        at = Math.max(at, end[p] as number);
      }
    }
    if (!follows) continue;
    const job = jobs[jobOfStep[i] as number];
    if (job !== undefined && job.first < i && (end[i - 1] as number) >= 0) at = Math.max(at, end[i - 1] as number);
    else if (job !== undefined) at = admitted(input.calendars, job.window, at, job.worst);
    end[i] = at + step.estimate.duration;
    latest = Math.max(latest, end[i] as number);
  }
  return latest;
}

/** When a job with this worst case may start at or after `at` in its window. */
function admitted(calendars: ReadonlyMap<string, WindowCalendar>, window: string | null, at: number, worst: number): number {
  const calendar = window === null ? undefined : calendars.get(window);
  return calendar?.admit(at, worst)?.start ?? at;
}

/** Per rolling service, its chains' first start, last end, work, longest chain, reserve and window, in job order. */
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
      t = { start: at, end: at + job.duration, work: 0, longest: 0, chains: 0, reserve: Infinity, window: job.window, domains: new Set() };
      tallies.set(job.service, t);
      last = t;
    }
    t.start = Math.min(t.start, at);
    t.end = Math.max(t.end, at + job.duration);
    t.work += job.duration;
    t.chains++;
    t.longest = Math.max(t.longest, job.duration);
    t.reserve = Math.min(t.reserve, Math.max(0, job.worst - job.duration));
    t.domains.add(job.domain);
  }
  for (const t of tallies.values()) if (t.reserve === Infinity) t.reserve = 0;
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
 * occurrence from its opening to its close less the cutoff and less `reserve`); without a
 * window, from + seconds.
 */
export function fitEnd(calendars: ReadonlyMap<string, WindowCalendar>, window: string | null, from: number, seconds: number, reserve = 0): number {
  const calendar = window === null ? undefined : calendars.get(window);
  if (calendar === undefined || seconds <= 0) return from + seconds;
  let left = seconds;
  let at = from;
  // admit(at, reserve) finds the first occurrence with usable time at or after `at`.
  for (let guard = 0; guard < 100_000; guard++) {
    const fit = calendar.admit(at, reserve);
    if (fit === null) return at + left;
    const occ = calendar.occurrence(fit.occurrence);
    if (occ === undefined) return at + left;
    const usable = occ.close - calendar.window.cutoff - reserve - fit.start;
    if (usable >= left) return fit.start + left;
    left -= Math.max(0, usable);
    at = occ.close;
  }
  return at + left;
}

/**
 * Walks the rolling services on the critical path, in path order: each starts earlier by
 * what those before it saved, and saves what its bound ends before its planned end. Returns,
 * for a planned time, what the path had saved by then.
 */
function pathSavings(input: BoundInput, tallies: ReadonlyMap<string, Tally>): (at: number) => number {
  const marks: { end: number; saved: number }[] = [];
  let saved = 0;
  for (const service of servicesOnPath(input)) {
    const t = tallies.get(service);
    if (t === undefined) continue;
    const width = widthOf(input, service, t);
    const end = fitEnd(input.calendars, t.window, Math.max(0, t.start - saved), Math.max(t.work / width, t.longest), t.reserve);
    saved = Math.max(saved, t.end - end);
    marks.push({ end: t.end, saved });
  }
  return (at) => {
    let s = 0;
    for (const m of marks) if (m.end <= at) s = Math.max(s, m.saved);
    return s;
  };
}

/** The critical path's length with each rolling service's span on it replaced by its bound. */
function pathBound(input: BoundInput, tallies: ReadonlyMap<string, Tally>, needs: readonly Need[]): number {
  const onPath = servicesOnPath(input);
  const byService = new Map(needs.map((n) => [n.service, n]));
  let saved = 0;
  for (const service of onPath) {
    const t = tallies.get(service);
    const n = byService.get(service);
    if (t === undefined || n === undefined) continue;
    const end = endOf(input.calendars, { ...n, from: Math.max(0, t.start - saved) });
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
