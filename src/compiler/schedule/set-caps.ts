/**
 * Host-set caps in the schedule (plan/host-sets.ts): a chain counts against every set of its
 * service that holds its host, and, when one of its steps takes the whole host out, against
 * the sets of every other service rolled on that host (as the runtime counts it). A chain
 * whose set is full is parked on that set and made ready again when a chain of the set ends,
 * so it blocks neither its queue nor other sets.
 */
import type { Expansion } from "../expand/draft.js";

export class ScheduleSetCaps {
  /** Per job (CSR form), the set ids it counts against. */
  private readonly start: Int32Array;
  private readonly list: Int32Array;
  private readonly cap: number[] = [];
  private readonly out: Int32Array;
  private readonly parked = new Map<number, number[]>();

  constructor(x: Expansion) {
    const { steps, jobs } = x;
    // service → host → set ids
    const setsOf = new Map<string, Map<string, number[]>>();
    for (const [service, caps] of x.caps) {
      const byHost = new Map<string, number[]>();
      for (const set of caps.hostSets ?? []) {
        const id = this.cap.length;
        this.cap.push(set.max);
        for (const h of set.hosts) byHost.set(h, [...(byHost.get(h) ?? []), id]);
      }
      if (byHost.size > 0) setsOf.set(service, byHost);
    }
    this.out = new Int32Array(this.cap.length);
    this.start = new Int32Array(jobs.length + 1);
    const list: number[] = [];
    if (setsOf.size > 0) {
      const servicesOnHost = new Map<string, Set<string>>();
      for (const job of jobs) {
        const host = job.kind === "chain" && job.service !== null ? steps[job.first]?.hosts[0] : undefined;
        if (host === undefined || job.service === null) continue;
        const set = servicesOnHost.get(host) ?? new Set<string>();
        set.add(job.service);
        servicesOnHost.set(host, set);
      }
      for (let j = 0; j < jobs.length; j++) {
        this.start[j] = list.length;
        const job = jobs[j] as (typeof jobs)[number];
        const host = job.kind === "chain" && job.service !== null ? steps[job.first]?.hosts[0] : undefined;
        if (host === undefined || job.service === null) continue;
        const services = wholeHost(steps, job.first, job.count) ? [...(servicesOnHost.get(host) ?? [])] : [job.service];
        const ids = new Set<number>();
        for (const s of services) for (const id of setsOf.get(s)?.get(host) ?? []) ids.add(id);
        for (const id of ids) list.push(id);
      }
    }
    this.start[jobs.length] = list.length;
    this.list = Int32Array.from(list);
  }

  /** The first set the job would overfill, or -1 when it fits. */
  private full(j: number): number {
    for (let k = this.start[j] as number; k < (this.start[j + 1] as number); k++) {
      const id = this.list[k] as number;
      if ((this.out[id] as number) >= (this.cap[id] as number)) return id;
    }
    return -1;
  }

  /** Whether the job may start now; if not, it is parked until its set frees a place. */
  admit(j: number): boolean {
    const id = this.full(j);
    if (id < 0) return true;
    const waiting = this.parked.get(id);
    if (waiting) waiting.push(j);
    else this.parked.set(id, [j]);
    return false;
  }

  take(j: number): void {
    for (let k = this.start[j] as number; k < (this.start[j + 1] as number); k++) {
      const id = this.list[k] as number;
      this.out[id] = (this.out[id] as number) + 1;
    }
  }

  /** The job ended: its places are free again; the jobs parked on its sets, to make ready. */
  release(j: number): number[] {
    const ready: number[] = [];
    for (let k = this.start[j] as number; k < (this.start[j + 1] as number); k++) {
      const id = this.list[k] as number;
      this.out[id] = (this.out[id] as number) - 1;
      const waiting = this.parked.get(id);
      if (waiting) {
        for (const w of waiting) ready.push(w);
        this.parked.delete(id);
      }
    }
    return ready;
  }
}

function wholeHost(steps: Expansion["steps"], first: number, count: number): boolean {
  for (let i = first; i < first + count; i++) for (const u of steps[i]?.unavailable ?? []) if (!("service" in u)) return true;
  return false;
}
