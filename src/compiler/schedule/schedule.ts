/**
 * Schedule: list scheduling of the expanded jobs, simulated forward in time. At each event
 * (a job ending, a step ending, a job becoming ready) the scheduler starts, in priority
 * order, every ready job that fits:
 *
 *  - `after`: a job is ready once every step it waits for has ended (a pause marker waits
 *    for the health gates, not for the whole chains);
 *  - global parallelism: at most `parallelism` jobs hold a slot at once (a host chain runs
 *    one step at a time, so it holds one slot; markers hold none);
 *  - caps: a host chain counts against its service's max-unavailable and against its
 *    failure domain's for its whole duration, since its steps run back to back and the host
 *    is out from the first step's start to the last one's end;
 *  - windows: a chain bound to a window starts only at a time when its worst case (the
 *    health gate at its deadline) ends before the occurrence's end minus the cutoff; else it
 *    becomes ready again at the next occurrence where it fits;
 *  - host sets (plan/host-sets.ts: an aggregate, an anti-affinity server group): a chain
 *    counts against each set holding its host, and waits, parked, while one is full
 *    (set-caps.ts);
 *  - one chain per host at a time: two services on one host that do not wait for each other
 *    (a compute's nova-compute and its network agent) are not rolled on it at once (one may
 *    reboot it). The order chosen is returned, so the plan can state it as `after`.
 *
 * Ready jobs wait in one queue per (service, failure domain), in creation order (topological:
 * phases, dependency order, batches, then `order` inside each). Which queue goes first is
 * the one with the most time left: its chains not yet started over its width (its domain's
 * cap, its service's, `parallelism`), plus what the services that wait for its service still
 * need after it (their chains' worst cases over their widths, one after the other, and the
 * largest margin a window keeps for one of their chains); steps outside any rolling go
 * before every chain;
 * ties in creation order. So a slot freed goes to the domain or service that would otherwise
 * end last: another service's short chains no longer hold the slots a batch's waves need,
 * they fill what the batches leave idle, and a busy zone is not left behind the others.
 * `run` and `simulate` start ready steps in the order of their planned starts, so they
 * follow the same choice. A blocked domain costs one look per event, not a scan of its
 * hosts: 80k steps schedule in O(n log n + events × queues).
 */
import type { Expansion } from "../expand/draft.js";
import { MinHeap } from "../../base/min-heap.js";
import { ScheduleSetCaps } from "./set-caps.js";
import type { WindowCalendar } from "../../windows/window-clock.js";

export interface ScheduleOptions {
  readonly parallelism: number;
  /** By window name; absent windows (an urgent plan) bind nothing. */
  readonly calendars: ReadonlyMap<string, WindowCalendar>;
}

export interface Schedule {
  /** Seconds from plan start, per step. */
  readonly start: Float64Array;
  /**
   * Per job, the step whose end let it start: the latest `after` step, or, when it waited for
   * a cap or a parallelism slot, the last step of the job that freed it; -1 for none.
   */
  readonly cause: Int32Array;
  /** Window occurrences used, as (window, occurrence index) in first-use order. */
  readonly windowsUsed: readonly { readonly window: string; readonly occurrence: number }[];
  /** Jobs bound to a window they fit in no occurrence of (scheduled ignoring it). */
  readonly unfit: readonly number[];
  /** Jobs never started: their `after` never completed (a bug in expand, if ever non-zero). */
  readonly unscheduled: number;
  /** Per job, the chain that ran on the same host just before it (another service's), or -1. */
  readonly hostPrevious: Int32Array;
}

interface Event {
  readonly time: number;
  /** 0: a job ends (frees its slot and caps); 1: a step ends (its dependants may become ready). */
  readonly kind: 0 | 1;
  readonly ref: number;
}

export function schedule(x: Expansion, options: ScheduleOptions): Schedule {
  return new Scheduler(x, options).run();
}

type Job = Expansion["jobs"][number];

/** Where each step starts within its job, and the `after` edges that cross jobs (CSR form). */
interface JobGraph {
  readonly offset: Float64Array;
  /** outList[outCount[s] .. outCount[s + 1]) are the steps of other jobs waiting for step s. */
  readonly outCount: Int32Array;
  readonly outList: Int32Array;
  /** Per job, how many cross-job `after` steps it still waits for. */
  readonly pending: Int32Array;
}

function jobGraph(x: Expansion): JobGraph {
  const { outCount, pending } = countCrossEdges(x);
  return { offset: stepOffsets(x), outCount, outList: listCrossEdges(x, outCount), pending };
}

function stepOffsets(x: Expansion): Float64Array {
  const { steps, jobs } = x;
  const offset = new Float64Array(steps.length);
  for (const job of jobs) {
    let t = 0;
    for (let i = job.first; i < job.first + job.count; i++) {
      offset[i] = t;
      t += steps[i]?.estimate.duration ?? 0;
    }
  }
  return offset;
}

/** Out-degree prefix sums (per step) and in-degrees (per job) of the cross-job edges. */
function countCrossEdges(x: Expansion): { outCount: Int32Array; pending: Int32Array } {
  const { jobOfStep } = x;
  const { start: afterStart, list: afterList } = x.after;
  const nSteps = x.steps.length;
  const outCount = new Int32Array(nSteps + 1);
  const pending = new Int32Array(x.jobs.length);
  for (let s = 0; s < nSteps; s++) {
    const js = jobOfStep[s] as number;
    for (let k = afterStart[s] as number; k < (afterStart[s + 1] as number); k++) {
      const p = afterList[k] as number;
      if (jobOfStep[p] === js) continue;
      outCount[p + 1] = (outCount[p + 1] as number) + 1;
      pending[js] = (pending[js] as number) + 1;
    }
  }
  for (let s = 0; s < nSteps; s++) outCount[s + 1] = (outCount[s + 1] as number) + (outCount[s] as number);
  return { outCount, pending };
}

function listCrossEdges(x: Expansion, outCount: Int32Array): Int32Array {
  const { jobOfStep } = x;
  const { start: afterStart, list: afterList } = x.after;
  const nSteps = x.steps.length;
  const outList = new Int32Array(outCount[nSteps] as number);
  const fill = outCount.slice(0, nSteps);
  for (let s = 0; s < nSteps; s++) {
    const js = jobOfStep[s] as number;
    for (let k = afterStart[s] as number; k < (afterStart[s + 1] as number); k++) {
      const p = afterList[k] as number;
      if (jobOfStep[p] === js) continue;
      outList[fill[p] as number] = s;
      fill[p] = (fill[p] as number) + 1;
    }
  }
  return outList;
}

/** Ready queues: 0 for jobs without caps, one per (service, domain) for chains. */
interface QueueLayout {
  readonly queueOf: Int32Array;
  readonly queueService: readonly number[];
  readonly serviceCap: readonly number[];
  /** The per-domain cap of each queue (its service's, or its domain's own for a share per domain). */
  readonly queueCap: readonly (number | null)[];
}

/**
 * Per queue, the most of its chains that may run at once: its domain's cap, its service's,
 * `parallelism` and its number of chains, whichever is fewest (queue 0 has none: Infinity).
 */
function queueWidths(x: Expansion, layout: QueueLayout, parallelism: number): Float64Array {
  const chains = new Float64Array(layout.queueService.length);
  for (let j = 0; j < x.jobs.length; j++) {
    const q = layout.queueOf[j] as number;
    if (q > 0) chains[q] = (chains[q] as number) + 1;
  }
  const width = new Float64Array(layout.queueService.length);
  width[0] = Infinity;
  for (let q = 1; q < width.length; q++) {
    const service = layout.serviceCap[layout.queueService[q] as number] as number;
    width[q] = Math.max(1, Math.min(layout.queueCap[q] ?? Infinity, service, parallelism, chains[q] as number));
  }
  return width;
}

function queueLayout(x: Expansion): QueueLayout {
  const { jobs } = x;
  const queueOf = new Int32Array(jobs.length);
  const queueKey = new Map<string, number>();
  const queueService: number[] = [-1];
  const serviceIndex = new Map<string, number>();
  const serviceCap: number[] = [];
  const domainCap: (number | null)[] = [];
  const byDomain: (Readonly<Record<string, number>> | null)[] = [];
  const queueCap: (number | null)[] = [null];
  for (let j = 0; j < jobs.length; j++) {
    const job = jobs[j] as Job;
    if (job.kind !== "chain" || job.service === null) continue;
    let si = serviceIndex.get(job.service);
    if (si === undefined) {
      si = serviceCap.length;
      serviceIndex.set(job.service, si);
      const caps = x.caps.get(job.service);
      serviceCap.push(Math.max(1, caps?.maxUnavailable ?? Infinity));
      domainCap.push(caps?.maxUnavailablePerDomain ?? null);
      byDomain.push(caps?.maxUnavailableByDomain ?? null);
    }
    const key = `${job.service}\u0000${job.domain}`;
    let q = queueKey.get(key);
    if (q === undefined) {
      q = queueService.length;
      queueKey.set(key, q);
      queueService.push(si);
      queueCap.push(byDomain[si]?.[job.domain] ?? domainCap[si] ?? null);
    }
    queueOf[j] = q;
  }
  return { queueOf, queueService, serviceCap, queueCap };
}

/**
 * Per queue, seconds the rollouts that wait for its service's need at the least after it
 * ends: each service that follows it (`rolloutBefore`) counted as its chains' worst cases
 * over its width, one after the other (they often share hosts, which roll one chain at a
 * time, and each is admitted only where its worst case fits before the cutoff), plus the
 * largest margin a window keeps before the cutoff for one of their chains (its worst case
 * less its estimate). A priority, not a bound: it only has to rank, and it errs on the side of
 * starting what others wait for early. Queue 0: Infinity.
 */
function queueTails(x: Expansion, layout: QueueLayout, width: Float64Array, parallelism: number): Float64Array {
  const nServices = layout.serviceCap.length;
  const names: string[] = [];
  const work = new Float64Array(nServices);
  const margin = new Float64Array(nServices);
  const widths = new Float64Array(nServices);
  for (let j = 0; j < x.jobs.length; j++) {
    const q = layout.queueOf[j] as number;
    if (q === 0) continue;
    const job = x.jobs[j] as Job;
    const si = layout.queueService[q] as number;
    names[si] ??= job.service as string;
    work[si] = (work[si] as number) + job.worst;
    margin[si] = Math.max(margin[si] as number, job.worst - job.duration);
  }
  for (let q = 1; q < layout.queueService.length; q++) {
    const si = layout.queueService[q] as number;
    widths[si] = (widths[si] as number) + (width[q] as number);
  }
  const span = names.map((_, si) => (work[si] as number) / Math.max(1, Math.min(widths[si] as number, layout.serviceCap[si] as number, parallelism)));
  const tailOf = names.map((name) => {
    let sum = 0;
    let reserve = 0;
    names.forEach((other, si) => {
      if (x.rolloutBefore.get(other)?.has(name) !== true) return;
      sum += span[si] as number;
      reserve = Math.max(reserve, margin[si] as number);
    });
    return sum + reserve;
  });
  const byQueue = new Float64Array(layout.queueService.length);
  byQueue[0] = Infinity;
  for (let q = 1; q < byQueue.length; q++) byQueue[q] = tailOf[layout.queueService[q] as number] as number;
  return byQueue;
}

/** Per queue, the seconds of its jobs' durations added up. */
function queueWork(x: Expansion, layout: QueueLayout): Float64Array {
  const work = new Float64Array(layout.queueService.length);
  for (let j = 0; j < x.jobs.length; j++) {
    const q = layout.queueOf[j] as number;
    work[q] = (work[q] as number) + (x.jobs[j] as Job).duration;
  }
  return work;
}

/** Per job, the index of its chain's host, or -1; hosts are numbered in first-use order. */
function hostLayout(x: Expansion): { hostOf: Int32Array; nHosts: number } {
  const { steps, jobs } = x;
  const hostOf = new Int32Array(jobs.length).fill(-1);
  const hostIndex = new Map<string, number>();
  for (let j = 0; j < jobs.length; j++) {
    const job = jobs[j] as Job;
    const name = job.kind === "chain" ? steps[job.first]?.hosts[0] : undefined;
    if (name === undefined) continue;
    let h = hostIndex.get(name);
    if (h === undefined) {
      h = hostIndex.size;
      hostIndex.set(name, h);
    }
    hostOf[j] = h;
  }
  return { hostOf, nHosts: hostIndex.size };
}

/** One priority heap per queue, and the list of the non-empty ones. */
class ReadyQueues {
  readonly heaps: MinHeap<number>[];
  /** Only non-empty queues are looked at: with a domain per rack there can be thousands. */
  readonly active: number[] = [];
  private readonly activeAt: Int32Array;

  constructor(
    nQueues: number,
    private readonly queueOf: Int32Array,
    byPriority: (a: number, b: number) => boolean,
  ) {
    this.heaps = Array.from({ length: nQueues }, () => new MinHeap<number>(byPriority));
    this.activeAt = new Int32Array(nQueues).fill(-1);
  }

  enqueue(j: number): void {
    const q = this.queueOf[j] as number;
    (this.heaps[q] as MinHeap<number>).push(j);
    if ((this.activeAt[q] as number) < 0) {
      this.activeAt[q] = this.active.length;
      this.active.push(q);
    }
  }

  dequeue(q: number): number {
    const heap = this.heaps[q] as MinHeap<number>;
    const j = heap.pop() as number;
    if (heap.size === 0) {
      const at = this.activeAt[q] as number;
      const moved = this.active.pop() as number;
      if (moved !== q) {
        this.active[at] = moved;
        this.activeAt[moved] = at;
      }
      this.activeAt[q] = -1;
    }
    return j;
  }
}

/** One run of the list scheduler: the simulation's state, and one method per kind of event. */
class Scheduler {
  private readonly jobs: Expansion["jobs"];
  private readonly graph: JobGraph;
  private readonly layout: QueueLayout;
  private readonly alsoStart: Int32Array;
  private readonly alsoList: Int32Array;
  private readonly queues: ReadyQueues;
  private readonly serviceOut: Int32Array;
  private readonly queueOut: Int32Array;
  /** Per queue, the most of its chains out at once, and the seconds of its chains not yet started. */
  private readonly queueWidth: Float64Array;
  private readonly queueLeft: Float64Array;
  private readonly queueTail: Float64Array;
  private readonly parallelism: number;
  private slotsUsed = 0;
  private readonly sets: ScheduleSetCaps;
  /** Per job, the earliest time its `after` steps let it start, and the step that set it. */
  private readonly release: Float64Array;
  private readonly binding: Int32Array;
  private readonly releases: MinHeap<{ time: number; job: number }>;
  private readonly events: MinHeap<Event>;
  private readonly hostOf: Int32Array;
  private readonly hostBusy: Int32Array;
  private readonly hostLast: Int32Array;
  /** Per host, the chains waiting for the one that holds it. */
  private readonly parked = new Map<number, number[]>();
  private readonly seenOccurrence = new Set<string>();
  /** When the last job ended, and its last step. */
  private freedAt = -1;
  private freedStep = -1;
  private startedJobs = 0;
  private readonly start: Float64Array;
  private readonly cause: Int32Array;
  private readonly windowsUsed: { window: string; occurrence: number }[] = [];
  private readonly unfit: number[] = [];
  private readonly hostPrevious: Int32Array;

  constructor(
    private readonly x: Expansion,
    private readonly options: ScheduleOptions,
  ) {
    const jobs = x.jobs;
    const nJobs = jobs.length;
    this.jobs = jobs;
    this.start = new Float64Array(x.steps.length);
    this.cause = new Int32Array(nJobs).fill(-1);
    this.graph = jobGraph(x);
    this.layout = queueLayout(x);
    const nQueues = this.layout.queueService.length;
    const also = alsoOut(x, this.layout.queueOf, this.layout.queueService);
    this.alsoStart = also.start;
    this.alsoList = also.list;
    const byPriority = (a: number, b: number): boolean => (jobs[a]?.first ?? 0) < (jobs[b]?.first ?? 0);
    this.queues = new ReadyQueues(nQueues, this.layout.queueOf, byPriority);
    this.serviceOut = new Int32Array(this.layout.serviceCap.length);
    this.queueOut = new Int32Array(nQueues);
    this.parallelism = Math.max(1, options.parallelism);
    this.queueWidth = queueWidths(x, this.layout, this.parallelism);
    this.queueTail = queueTails(x, this.layout, this.queueWidth, this.parallelism);
    this.queueLeft = queueWork(x, this.layout);
    this.sets = new ScheduleSetCaps(x);
    this.release = new Float64Array(nJobs);
    this.binding = new Int32Array(nJobs).fill(-1);
    this.releases = new MinHeap<{ time: number; job: number }>((a, b) => a.time < b.time || (a.time === b.time && byPriority(a.job, b.job)));
    this.events = new MinHeap<Event>((a, b) => a.time < b.time || (a.time === b.time && a.kind < b.kind));
    for (let j = 0; j < nJobs; j++) if (this.graph.pending[j] === 0) this.releases.push({ time: 0, job: j });
    const hosts = hostLayout(x);
    this.hostOf = hosts.hostOf;
    this.hostBusy = new Int32Array(hosts.nHosts).fill(-1);
    this.hostLast = new Int32Array(hosts.nHosts).fill(-1);
    this.hostPrevious = new Int32Array(nJobs).fill(-1);
  }

  run(): Schedule {
    let now = 0;
    while (true) {
      let progress = true;
      while (progress) {
        progress = this.processEvents(now);
        if (this.releaseDue(now)) progress = true;
        if (this.startReady(now)) progress = true;
      }
      const next = Math.min(this.events.peek()?.time ?? Infinity, this.releases.peek()?.time ?? Infinity);
      if (next === Infinity) break;
      now = next;
    }
    const { start, cause, windowsUsed, unfit, hostPrevious } = this;
    return { start, cause, windowsUsed, unfit, unscheduled: this.jobs.length - this.startedJobs, hostPrevious };
  }

  /** Handles every event due by `now`; true if there was one. */
  private processEvents(now: number): boolean {
    let any = false;
    for (let e = this.events.peek(); e !== undefined && e.time <= now; e = this.events.peek()) {
      this.events.pop();
      any = true;
      if (e.kind === 0) this.endJob(e.ref, e.time, now);
      else this.endStep(e.ref, e.time, now);
    }
    return any;
  }

  /** Moves every job released by `now` to its ready queue; true if there was one. */
  private releaseDue(now: number): boolean {
    let any = false;
    for (let r = this.releases.peek(); r !== undefined && r.time <= now; r = this.releases.peek()) {
      this.releases.pop();
      this.queues.enqueue(r.job);
      any = true;
    }
    return any;
  }

  /** A job ends: it frees its slot, its caps and its host, and wakes what waited for them. */
  private endJob(j: number, time: number, now: number): void {
    const job = this.jobs[j] as Job;
    if (job.usesSlot) this.slotsUsed--;
    const q = this.layout.queueOf[j] as number;
    if (q > 0) {
      this.countOut(j, q, -1);
      for (const w of this.sets.release(j)) this.releases.push({ time: now, job: w });
    }
    this.freedAt = time;
    this.freedStep = job.first + job.count - 1;
    const h = this.hostOf[j] as number;
    if (h >= 0) {
      this.hostBusy[h] = -1;
      for (const waiting of this.parked.get(h) ?? []) this.releases.push({ time: now, job: waiting });
      this.parked.delete(h);
    }
  }

  /** A step ends: the jobs waiting for it may be released. */
  private endStep(step: number, end: number, now: number): void {
    const { outCount, outList, offset, pending } = this.graph;
    const { jobOfStep } = this.x;
    const { release, binding } = this;
    for (let k = outCount[step] as number; k < (outCount[step + 1] as number); k++) {
      const s = outList[k] as number;
      const j = jobOfStep[s] as number;
      const at = end - (offset[s] as number);
      if (at >= (release[j] as number)) {
        release[j] = at;
        binding[j] = step;
      }
      pending[j] = (pending[j] as number) - 1;
      if (pending[j] === 0) this.releases.push({ time: Math.max(now, release[j] as number), job: j });
    }
  }

  /** Starts, in priority order, every ready job that fits at `now`; true if one started. */
  private startReady(now: number): boolean {
    let started = false;
    while (true) {
      const best = this.bestQueue();
      if (best < 0) return started;
      const j = this.queues.dequeue(best);
      if (!this.admit(j, now)) continue;
      this.startJob(j, now);
      started = true;
    }
  }

  /**
   * The queue whose head goes first among those whose head fits; -1 if none. Queue 0 (steps
   * outside any rolling: phases, markers) goes first; then the queue with the most time left,
   * its chains not yet started over its width; ties in creation order.
   */
  private bestQueue(): number {
    const { active, heaps } = this.queues;
    let best = -1;
    let bestRank = -Infinity;
    let bestFirst = Infinity;
    const slotFree = this.slotsUsed < this.parallelism;
    for (let a = 0; a < active.length; a++) {
      const q = active[a] as number;
      const head = (heaps[q] as MinHeap<number>).peek();
      if (head === undefined) continue;
      const job = this.jobs[head] as Job;
      const rank = this.timeLeft(q);
      if (rank < bestRank || (rank === bestRank && job.first >= bestFirst)) continue;
      if (job.usesSlot && !slotFree) continue;
      if (q > 0 && !this.capsFit(q, head)) continue;
      best = q;
      bestRank = rank;
      bestFirst = job.first;
    }
    return best;
  }

  /** A queue's time left: its chains not yet started over its width, and what waits for its service after it (Infinity for queue 0). */
  private timeLeft(q: number): number {
    if (q === 0) return Infinity;
    return (this.queueLeft[q] as number) / (this.queueWidth[q] as number) + (this.queueTail[q] as number);
  }

  /** The job's service and domain caps, and those of the other services its host takes out. */
  private capsFit(q: number, j: number): boolean {
    if (!this.queueFits(q)) return false;
    // A chain that takes its whole host out (maintenance, a reboot) takes out every other
    // service's instance on it too: it counts against their caps, as the runtime counts it.
    for (let k = this.alsoStart[j] as number; k < (this.alsoStart[j + 1] as number); k++) {
      if (!this.queueFits(this.alsoList[k] as number)) return false;
    }
    return true;
  }

  private queueFits(q: number): boolean {
    const si = this.layout.queueService[q] as number;
    if ((this.serviceOut[si] as number) >= (this.layout.serviceCap[si] as number)) return false;
    const dc = this.layout.queueCap[q];
    if (dc !== null && dc !== undefined && (this.queueOut[q] as number) >= dc) return false;
    return true;
  }

  /** Counts a chain against (delta 1) or off (delta -1) its caps and those its host takes out. */
  private countOut(j: number, q: number, delta: 1 | -1): void {
    this.countQueue(q, delta);
    for (let k = this.alsoStart[j] as number; k < (this.alsoStart[j + 1] as number); k++) this.countQueue(this.alsoList[k] as number, delta);
  }

  private countQueue(q: number, delta: 1 | -1): void {
    const si = this.layout.queueService[q] as number;
    this.queueOut[q] = (this.queueOut[q] as number) + delta;
    this.serviceOut[si] = (this.serviceOut[si] as number) + delta;
  }

  /**
   * Whether a dequeued job may start now. If not, it is parked (its host is busy, a host set
   * is full) or released again at its window's next occurrence where it fits.
   */
  private admit(j: number, now: number): boolean {
    const h = this.hostOf[j] as number;
    if (h >= 0 && (this.hostBusy[h] as number) >= 0) {
      // Another service's chain holds the host: wait for its end, without blocking the queue.
      const list = this.parked.get(h);
      if (list) list.push(j);
      else this.parked.set(h, [j]);
      return false;
    }
    // A full host set parks the chain until one of the set's chains ends.
    if (!this.sets.admit(j)) return false;
    return this.admitWindow(j, now);
  }

  private admitWindow(j: number, now: number): boolean {
    const job = this.jobs[j] as Job;
    const calendar = job.window !== null ? this.options.calendars.get(job.window) : undefined;
    if (!calendar) return true;
    const fit = calendar.admit(now, job.worst);
    if (fit === null) {
      this.unfit.push(j);
    } else if (fit.start > now) {
      this.releases.push({ time: fit.start, job: j });
      return false;
    } else {
      const key = `${job.window}\u0000${fit.occurrence}`;
      if (!this.seenOccurrence.has(key)) {
        this.seenOccurrence.add(key);
        this.windowsUsed.push({ window: job.window as string, occurrence: fit.occurrence });
      }
    }
    return true;
  }

  private startJob(j: number, now: number): void {
    this.startedJobs++;
    const job = this.jobs[j] as Job;
    const qj = this.layout.queueOf[j] as number;
    this.queueLeft[qj] = (this.queueLeft[qj] as number) - job.duration;
    const { offset, outCount } = this.graph;
    const steps = this.x.steps;
    for (let i = job.first; i < job.first + job.count; i++) {
      this.start[i] = now + (offset[i] as number);
      if ((outCount[i + 1] as number) > (outCount[i] as number)) this.events.push({ time: now + (offset[i] as number) + (steps[i]?.estimate.duration ?? 0), kind: 1, ref: i });
    }
    // Waiting beyond its release means a cap, a slot or a window held it back.
    this.cause[j] = now > (this.release[j] as number) && this.freedAt === now ? this.freedStep : (this.binding[j] as number);
    if (job.usesSlot) this.slotsUsed++;
    const h = this.hostOf[j] as number;
    if (h >= 0) {
      this.hostBusy[h] = j;
      this.hostPrevious[j] = this.hostLast[h] as number;
      this.hostLast[h] = j;
    }
    const q = this.layout.queueOf[j] as number;
    if (q > 0) {
      this.countOut(j, q, 1);
      this.sets.take(j);
    }
    this.events.push({ time: now + job.duration, kind: 0, ref: j });
  }
}

/**
 * Per chain job (CSR form), the queues of the other services' instances it takes out with
 * its host: those of every other service with a chain on that host, when one of the job's
 * steps takes the whole host out.
 */
function alsoOut(x: Expansion, queueOf: Int32Array, queueService: readonly number[]): { start: Int32Array; list: Int32Array } {
  const { steps, jobs } = x;
  const queuesOnHost = new Map<string, number[]>();
  for (let j = 0; j < jobs.length; j++) {
    const q = queueOf[j] as number;
    const host = q > 0 ? steps[(jobs[j] as (typeof jobs)[number]).first]?.hosts[0] : undefined;
    if (host === undefined) continue;
    const list = queuesOnHost.get(host);
    if (list === undefined) queuesOnHost.set(host, [q]);
    else if (!list.includes(q)) list.push(q);
  }
  const start = new Int32Array(jobs.length + 1);
  const list: number[] = [];
  for (let j = 0; j < jobs.length; j++) {
    start[j] = list.length;
    const q = queueOf[j] as number;
    const job = jobs[j] as (typeof jobs)[number];
    const host = q > 0 ? steps[job.first]?.hosts[0] : undefined;
    if (host === undefined || !takesWholeHost(steps, job.first, job.count)) continue;
    for (const other of queuesOnHost.get(host) ?? []) if (queueService[other] !== queueService[q]) list.push(other);
  }
  start[jobs.length] = list.length;
  return { start, list: Int32Array.from(list) };
}

function takesWholeHost(steps: Expansion["steps"], first: number, count: number): boolean {
  for (let i = first; i < first + count; i++) for (const u of steps[i]?.unavailable ?? []) if (!("service" in u)) return true;
  return false;
}
