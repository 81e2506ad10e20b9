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
 * Priority is creation order, which is topological and follows phases, dependency order,
 * batches and host order. Ready jobs wait in one queue per (service, failure domain), so a
 * blocked domain costs one look per event, not a scan of its hosts: 80k steps schedule in
 * O(n log n + events × queues).
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
  const { steps, jobs, jobOfStep } = x;
  const { start: afterStart, list: afterList } = x.after;
  const nSteps = steps.length;
  const nJobs = jobs.length;
  const start = new Float64Array(nSteps);
  const cause = new Int32Array(nJobs).fill(-1);

  // Offsets of steps within their job, and the edges that cross jobs (CSR form).
  const offset = new Float64Array(nSteps);
  for (const job of jobs) {
    let t = 0;
    for (let i = job.first; i < job.first + job.count; i++) {
      offset[i] = t;
      t += steps[i]?.estimate.duration ?? 0;
    }
  }
  const outCount = new Int32Array(nSteps + 1);
  const pending = new Int32Array(nJobs);
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

  // Ready queues: 0 for jobs without caps, one per (service, domain) for chains.
  const queueOf = new Int32Array(nJobs);
  const queueKey = new Map<string, number>();
  const queueService: number[] = [-1];
  const serviceIndex = new Map<string, number>();
  const serviceCap: number[] = [];
  const domainCap: (number | null)[] = [];
  const byDomain: (Readonly<Record<string, number>> | null)[] = [];
  // The per-domain cap of each queue (its service's, or its domain's own for a share per domain).
  const queueCap: (number | null)[] = [null];
  for (let j = 0; j < nJobs; j++) {
    const job = jobs[j] as (typeof jobs)[number];
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
  const nQueues = queueService.length;
  const { start: alsoStart, list: alsoList } = alsoOut(x, queueOf, queueService);
  const byPriority = (a: number, b: number): boolean => (jobs[a]?.first ?? 0) < (jobs[b]?.first ?? 0);
  const queues = Array.from({ length: nQueues }, () => new MinHeap<number>(byPriority));
  // Only non-empty queues are looked at: with a domain per rack there can be thousands.
  const active: number[] = [];
  const activeAt = new Int32Array(nQueues).fill(-1);
  const enqueue = (j: number): void => {
    const q = queueOf[j] as number;
    (queues[q] as MinHeap<number>).push(j);
    if ((activeAt[q] as number) < 0) {
      activeAt[q] = active.length;
      active.push(q);
    }
  };
  const dequeue = (q: number): number => {
    const heap = queues[q] as MinHeap<number>;
    const j = heap.pop() as number;
    if (heap.size === 0) {
      const at = activeAt[q] as number;
      const moved = active.pop() as number;
      if (moved !== q) {
        active[at] = moved;
        activeAt[moved] = at;
      }
      activeAt[q] = -1;
    }
    return j;
  };
  const serviceOut = new Int32Array(serviceCap.length);
  const queueOut = new Int32Array(nQueues);
  // A chain that takes its whole host out (maintenance, a reboot) takes out every other
  // service's instance on it too: it counts against their caps, as the runtime counts it.
  const othersFit = (j: number): boolean => {
    for (let k = alsoStart[j] as number; k < (alsoStart[j + 1] as number); k++) {
      const q = alsoList[k] as number;
      const si = queueService[q] as number;
      if ((serviceOut[si] as number) >= (serviceCap[si] as number)) return false;
      const dc = queueCap[q];
      if (dc !== null && dc !== undefined && (queueOut[q] as number) >= dc) return false;
    }
    return true;
  };
  const countOthers = (j: number, delta: 1 | -1): void => {
    for (let k = alsoStart[j] as number; k < (alsoStart[j + 1] as number); k++) {
      const q = alsoList[k] as number;
      const si = queueService[q] as number;
      queueOut[q] = (queueOut[q] as number) + delta;
      serviceOut[si] = (serviceOut[si] as number) + delta;
    }
  };
  const parallelism = Math.max(1, options.parallelism);
  let slotsUsed = 0;
  const sets = new ScheduleSetCaps(x);

  const release = new Float64Array(nJobs);
  const binding = new Int32Array(nJobs).fill(-1);
  const releases = new MinHeap<{ time: number; job: number }>((a, b) => a.time < b.time || (a.time === b.time && byPriority(a.job, b.job)));
  const events = new MinHeap<Event>((a, b) => a.time < b.time || (a.time === b.time && a.kind < b.kind));
  for (let j = 0; j < nJobs; j++) if (pending[j] === 0) releases.push({ time: 0, job: j });

  // Hosts, for one chain per host at a time.
  const hostOf = new Int32Array(nJobs).fill(-1);
  const hostIndex = new Map<string, number>();
  for (let j = 0; j < nJobs; j++) {
    const job = jobs[j] as (typeof jobs)[number];
    const name = job.kind === "chain" ? steps[job.first]?.hosts[0] : undefined;
    if (name === undefined) continue;
    let h = hostIndex.get(name);
    if (h === undefined) {
      h = hostIndex.size;
      hostIndex.set(name, h);
    }
    hostOf[j] = h;
  }
  const hostBusy = new Int32Array(hostIndex.size).fill(-1);
  const hostLast = new Int32Array(hostIndex.size).fill(-1);
  const hostPrevious = new Int32Array(nJobs).fill(-1);
  const parked = new Map<number, number[]>();

  const windowsUsed: { window: string; occurrence: number }[] = [];
  const seenOccurrence = new Set<string>();
  const unfit: number[] = [];
  let freedAt = -1;
  let freedStep = -1;

  let startedJobs = 0;
  const startJob = (j: number, now: number): void => {
    startedJobs++;
    const job = jobs[j] as (typeof jobs)[number];
    for (let i = job.first; i < job.first + job.count; i++) {
      start[i] = now + (offset[i] as number);
      if ((outCount[i + 1] as number) > (outCount[i] as number)) events.push({ time: now + (offset[i] as number) + (steps[i]?.estimate.duration ?? 0), kind: 1, ref: i });
    }
    // Waiting beyond its release means a cap, a slot or a window held it back.
    cause[j] = now > (release[j] as number) && freedAt === now ? freedStep : (binding[j] as number);
    if (job.usesSlot) slotsUsed++;
    const h = hostOf[j] as number;
    if (h >= 0) {
      hostBusy[h] = j;
      hostPrevious[j] = hostLast[h] as number;
      hostLast[h] = j;
    }
    const q = queueOf[j] as number;
    if (q > 0) {
      queueOut[q] = (queueOut[q] as number) + 1;
      const si = queueService[q] as number;
      serviceOut[si] = (serviceOut[si] as number) + 1;
      countOthers(j, 1);
      sets.take(j);
    }
    events.push({ time: now + job.duration, kind: 0, ref: j });
  };

  const startReady = (now: number): boolean => {
    let started = false;
    while (true) {
      let best = -1;
      let bestFirst = Infinity;
      const slotFree = slotsUsed < parallelism;
      for (let a = 0; a < active.length; a++) {
        const q = active[a] as number;
        const head = (queues[q] as MinHeap<number>).peek();
        if (head === undefined) continue;
        const job = jobs[head] as (typeof jobs)[number];
        if (job.first >= bestFirst) continue;
        if (job.usesSlot && !slotFree) continue;
        if (q > 0) {
          const si = queueService[q] as number;
          if ((serviceOut[si] as number) >= (serviceCap[si] as number)) continue;
          const dc = queueCap[q];
          if (dc !== null && dc !== undefined && (queueOut[q] as number) >= dc) continue;
          if (!othersFit(head)) continue;
        }
        best = q;
        bestFirst = job.first;
      }
      if (best < 0) return started;
      const j = dequeue(best);
      const job = jobs[j] as (typeof jobs)[number];
      const h = hostOf[j] as number;
      if (h >= 0 && (hostBusy[h] as number) >= 0) {
        // Another service's chain holds the host: wait for its end, without blocking the queue.
        const list = parked.get(h);
        if (list) list.push(j);
        else parked.set(h, [j]);
        continue;
      }
      // A full host set parks the chain until one of the set's chains ends.
      if (!sets.admit(j)) continue;
      const calendar = job.window !== null ? options.calendars.get(job.window) : undefined;
      if (calendar) {
        const fit = calendar.admit(now, job.worst);
        if (fit === null) {
          unfit.push(j);
        } else if (fit.start > now) {
          releases.push({ time: fit.start, job: j });
          continue;
        } else {
          const key = `${job.window}\u0000${fit.occurrence}`;
          if (!seenOccurrence.has(key)) {
            seenOccurrence.add(key);
            windowsUsed.push({ window: job.window as string, occurrence: fit.occurrence });
          }
        }
      }
      startJob(j, now);
      started = true;
    }
  };

  let now = 0;
  while (true) {
    let progress = true;
    while (progress) {
      progress = false;
      for (let e = events.peek(); e !== undefined && e.time <= now; e = events.peek()) {
        events.pop();
        progress = true;
        if (e.kind === 0) {
          const job = jobs[e.ref] as (typeof jobs)[number];
          if (job.usesSlot) slotsUsed--;
          const q = queueOf[e.ref] as number;
          if (q > 0) {
            queueOut[q] = (queueOut[q] as number) - 1;
            const si = queueService[q] as number;
            serviceOut[si] = (serviceOut[si] as number) - 1;
            countOthers(e.ref, -1);
            for (const w of sets.release(e.ref)) releases.push({ time: now, job: w });
          }
          freedAt = e.time;
          freedStep = job.first + job.count - 1;
          const h = hostOf[e.ref] as number;
          if (h >= 0) {
            hostBusy[h] = -1;
            for (const waiting of parked.get(h) ?? []) releases.push({ time: now, job: waiting });
            parked.delete(h);
          }
        } else {
          const end = e.time;
          for (let k = outCount[e.ref] as number; k < (outCount[e.ref + 1] as number); k++) {
            const s = outList[k] as number;
            const j = jobOfStep[s] as number;
            const at = end - (offset[s] as number);
            if (at >= (release[j] as number)) {
              release[j] = at;
              binding[j] = e.ref;
            }
            pending[j] = (pending[j] as number) - 1;
            if (pending[j] === 0) releases.push({ time: Math.max(now, release[j] as number), job: j });
          }
        }
      }
      for (let r = releases.peek(); r !== undefined && r.time <= now; r = releases.peek()) {
        releases.pop();
        enqueue(r.job);
        progress = true;
      }
      if (startReady(now)) progress = true;
    }
    const next = Math.min(events.peek()?.time ?? Infinity, releases.peek()?.time ?? Infinity);
    if (next === Infinity) break;
    now = next;
  }

  return { start, cause, windowsUsed, unfit, unscheduled: nJobs - startedJobs, hostPrevious };
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
