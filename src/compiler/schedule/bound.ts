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
 * With its batches (`barriers`): the same, but a rolling service's end is also at least that
 * of its written batches one after the other. Each batch but the last waits for the one
 * before it (its barrier: the batch's health gates, then its pause), so it starts no earlier
 * than the previous batch's gates ended plus its pause; a batch's chains up to their gate
 * (the whole chain in the last batch) are fitted like a service's, over the batch's own
 * width (per domain value the fewer of its cap and the batch's hosts there). The ramp of a
 * `then continuous` rollout is such batches, the rest one batch. And a batch is whole chains:
 * with at most its width out at once, some slot runs ceil(chains / width) of them one after
 * the other, each at least the batch's shortest and each inside one occurrence, so the batch
 * ends no earlier than that many of its shortest fitted whole into the occurrences (the
 * divisible fit, or these waves, whichever ends later). A lower bound of every
 * schedule of the plan as written: the barriers are the program's, not the scheduler's.
 *
 * Starts are the planned ones less what the critical path before them saved (the same
 * convention for a service, the shared work and the path).
 *
 * One pass over the jobs: O(jobs + services² + occurrences walked).
 */
import type { PlanFile } from "../../plan/plan.js";
import type { DraftStep, Expansion, Job } from "../expand/draft.js";
import type { WindowCalendar } from "../../windows/window-clock.js";

/** One rolling service's bound, as the plan file records it (`timing.bound.services`). */
export type ServiceBound = NonNullable<PlanFile["timing"]["bound"]>["services"][number];
/** The services that share `parallelism` in one window, as the plan file records them (`timing.bound.shared`). */
export type SharedBound = NonNullable<NonNullable<PlanFile["timing"]["bound"]>["shared"]>;

export interface PlanBound {
  /** Seconds: the plan's bound, beside `timing.total`. */
  readonly total: number;
  /** Seconds: the plan's bound counting also the written batch barriers and pauses (≥ total). */
  readonly barriers: number;
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

/** One batch of a rolling service: its chains (whole, and up to their health gate) and the pause after it. */
interface BatchTally {
  chains: number;
  work: number;
  longest: number;
  shortest: number;
  reserve: number;
  /** Seconds of its chains up to and with their health gate (the whole chain without one): what its barrier waits for. */
  gateWork: number;
  gateLongest: number;
  gateShortest: number;
  gateReserve: number;
  /** Seconds: the marker after it (its pause; 0 after the last batch). */
  pause: number;
  readonly domains: Map<string, number>;
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
  /** By batch index. */
  readonly batches: Map<number, BatchTally>;
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
  tallyMarkers(input, tallies);
  const capsEnd = (n: Need): number => endOf(input.calendars, n);
  const batchedEnd = (n: Need): number => Math.max(capsEnd(n), batchesEnd(input, n, tallies.get(n.service) as Tally));
  const caps = variant(input, tallies, capsEnd);
  const batched = variant(input, tallies, batchedEnd);
  const services: ServiceBound[] = caps.needs.map((n) => {
    const t = tallies.get(n.service) as Tally;
    // A service's own bound is its span from its planned start, beside its planned span.
    const own = { ...n, from: t.start };
    const span = (end: number): number => Math.ceil(Math.max(0, end - t.start));
    return { service: n.service, start: t.start, planned: t.end - t.start, bound: span(capsEnd(own)), barriers: span(batchedEnd(own)), work: n.work, width: n.width };
  });
  return { total: Math.ceil(caps.total), barriers: Math.ceil(Math.max(caps.total, batched.total)), services, shared: caps.shared?.bound ?? null };
}

/** The plan's bound where each rolling service ends at `end` at the earliest (its caps alone, or with its batches too). */
function variant(input: BoundInput, tallies: ReadonlyMap<string, Tally>, end: (n: Need) => number): { total: number; needs: Need[]; shared: { bound: SharedBound; end: number } | null } {
  const earlier = pathSavings(input, tallies, end);
  const needs: Need[] = [];
  for (const [service, t] of tallies) {
    const from = Math.max(0, t.start - earlier(t.start));
    needs.push({ service, window: t.window, from, work: t.work, width: widthOf(input, service, t), longest: t.longest, reserve: t.reserve });
  }
  const shared = sharedBound(input, needs);
  const path = pathBound(input, tallies, needs, end);
  let rolledOut = shared?.end ?? 0;
  for (const n of needs) rolledOut = Math.max(rolledOut, end(n));
  return { total: Math.max(path, afterRollout(input, rolledOut)), needs, shared };
}

/**
 * The end of a service's written batches one after the other from `n.from`: each batch's
 * chains up to their gates (the last batch's whole chains) fitted over the batch's width,
 * then its pause, before the next batch may start.
 */
function batchesEnd(input: BoundInput, n: Need, t: Tally): number {
  const order = [...t.batches.keys()].sort((a, b) => a - b);
  const last = order[order.length - 1];
  let at = n.from;
  for (const b of order) {
    const batch = t.batches.get(b) as BatchTally;
    if (batch.chains > 0) {
      const width = batchWidth(input, n.service, batch);
      const whole = b === last;
      const seconds = whole ? Math.max(batch.work / width, batch.longest) : Math.max(batch.gateWork / width, batch.gateLongest);
      const reserve = whole ? batch.reserve : batch.gateReserve;
      // Whole chains: at most `width` at once, so some slot runs ceil(chains / width) of them
      // one after the other, each at least the shortest, each inside one occurrence.
      const waves = fitCount(input.calendars, t.window, at, Math.ceil(batch.chains / width), whole ? batch.shortest : batch.gateShortest, reserve);
      at = Math.max(fitEnd(input.calendars, t.window, at, seconds, reserve), waves);
    }
    if (b !== last) at += batch.pause;
  }
  return at;
}

/** The most of a batch's hosts out at once: per domain value the fewer of its cap and the batch's hosts there, limited by the overall cap and parallelism. */
function batchWidth(input: BoundInput, service: string, batch: BatchTally): number {
  const caps = input.expansion.caps.get(service);
  let perDomain = Infinity;
  if (caps && (caps.maxUnavailablePerDomain !== null || caps.maxUnavailableByDomain !== null)) {
    perDomain = 0;
    for (const [d, hosts] of batch.domains) perDomain += Math.min(hosts, caps.maxUnavailableByDomain?.[d] ?? caps.maxUnavailablePerDomain ?? Infinity);
  }
  return Math.max(1, Math.min(caps?.maxUnavailable ?? Infinity, perDomain, input.parallelism, batch.chains));
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
      t = { start: at, end: at + job.duration, work: 0, longest: 0, chains: 0, reserve: Infinity, window: job.window, domains: new Set(), batches: new Map() };
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
    tallyBatch(input, t, job);
  }
  for (const t of tallies.values()) if (t.reserve === Infinity) t.reserve = 0;
  return tallies;
}

/** Counts a chain in its batch: whole, and up to its health gate. */
function tallyBatch(input: BoundInput, t: Tally, job: Job): void {
  const { steps } = input.expansion;
  const b = batchOf(t, (steps[job.first] as DraftStep).batch ?? 0);
  let gate = job.duration;
  let through = 0;
  for (let i = job.first; i < job.first + job.count; i++) {
    const step = steps[i] as DraftStep;
    through += step.estimate.duration;
    if (step.action === "health") {
      gate = through;
      break;
    }
  }
  b.chains++;
  b.work += job.duration;
  b.longest = Math.max(b.longest, job.duration);
  b.shortest = Math.min(b.shortest, job.duration);
  b.reserve = Math.min(b.reserve, Math.max(0, job.worst - job.duration));
  b.gateWork += gate;
  b.gateLongest = Math.max(b.gateLongest, gate);
  b.gateShortest = Math.min(b.gateShortest, gate);
  // Its gate ends at least `worst − gate` before the close less the cutoff.
  b.gateReserve = Math.min(b.gateReserve, Math.max(0, job.worst - gate));
  b.domains.set(job.domain, (b.domains.get(job.domain) ?? 0) + 1);
}

function batchOf(t: Tally, index: number): BatchTally {
  let b = t.batches.get(index);
  if (b === undefined) {
    b = { chains: 0, work: 0, longest: 0, shortest: Infinity, reserve: Infinity, gateWork: 0, gateLongest: 0, gateShortest: Infinity, gateReserve: Infinity, pause: 0, domains: new Map() };
    t.batches.set(index, b);
  }
  return b;
}

/** Records each batch marker's pause in its service's batch (a batch without chains too). */
function tallyMarkers(input: BoundInput, tallies: ReadonlyMap<string, Tally>): void {
  const { steps, jobs } = input.expansion;
  for (const job of jobs) {
    if (job.kind !== "marker") continue;
    const step = steps[job.first] as DraftStep;
    const t = step.service === null ? undefined : tallies.get(step.service);
    if (t === undefined || step.action !== "batch-pause") continue;
    batchOf(t, step.batch ?? 0).pause = step.estimate.duration;
  }
  for (const t of tallies.values()) {
    for (const b of t.batches.values()) {
      if (b.reserve === Infinity) b.reserve = 0;
      if (b.gateReserve === Infinity) b.gateReserve = 0;
      if (b.shortest === Infinity) b.shortest = 0;
      if (b.gateShortest === Infinity) b.gateShortest = 0;
    }
  }
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
 * The end of `count` stretches of `each` seconds one after the other from `from`, each inside
 * one occurrence's usable time (to its close less the cutoff and less `reserve`): a slot
 * running that many chains of at least `each` seconds ends no earlier. Without a window,
 * from + count × each.
 */
export function fitCount(calendars: ReadonlyMap<string, WindowCalendar>, window: string | null, from: number, count: number, each: number, reserve = 0): number {
  const calendar = window === null ? undefined : calendars.get(window);
  if (calendar === undefined || count <= 0 || !(each > 0)) return from + Math.max(0, count) * Math.max(0, each);
  let left = count;
  let at = from;
  for (let guard = 0; guard < 100_000; guard++) {
    const fit = calendar.admit(at, each + reserve);
    if (fit === null) return at + left * each;
    const occ = calendar.occurrence(fit.occurrence);
    if (occ === undefined) return at + left * each;
    // admit() found room for one at least.
    const room = Math.max(1, Math.floor((occ.close - calendar.window.cutoff - reserve - fit.start) / each));
    if (room >= left) return fit.start + left * each;
    left -= room;
    at = occ.close;
  }
  return at + left * each;
}

/**
 * Walks the rolling services on the critical path, in path order: each starts earlier by
 * what those before it saved, and saves what its bound ends before its planned end. Returns,
 * for a planned time, what the path had saved by then.
 */
function pathSavings(input: BoundInput, tallies: ReadonlyMap<string, Tally>, end: (n: Need) => number): (at: number) => number {
  const marks: { end: number; saved: number }[] = [];
  let saved = 0;
  for (const service of servicesOnPath(input)) {
    const t = tallies.get(service);
    if (t === undefined) continue;
    const width = widthOf(input, service, t);
    const e = end({ service, window: t.window, from: Math.max(0, t.start - saved), work: t.work, width, longest: t.longest, reserve: t.reserve });
    saved = Math.max(saved, t.end - e);
    marks.push({ end: t.end, saved });
  }
  return (at) => {
    let s = 0;
    for (const m of marks) if (m.end <= at) s = Math.max(s, m.saved);
    return s;
  };
}

/** The critical path's length with each rolling service's span on it replaced by its bound. */
function pathBound(input: BoundInput, tallies: ReadonlyMap<string, Tally>, needs: readonly Need[], end: (n: Need) => number): number {
  const onPath = servicesOnPath(input);
  const byService = new Map(needs.map((n) => [n.service, n]));
  let saved = 0;
  for (const service of onPath) {
    const t = tallies.get(service);
    const n = byService.get(service);
    if (t === undefined || n === undefined) continue;
    const e = end({ ...n, from: Math.max(0, t.start - saved) });
    saved = Math.max(saved, t.end - e);
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
