/**
 * Impact: what the schedule means for the cloud. A service instance (service on a host) is
 * out while a step takes it out ({host, service}) or takes its whole host out ({host}): a
 * reboot for nova-compute also takes the host's neutron agent down. A host counts as out
 * while any of its instances, or the whole host, is out.
 */
import { numberOf } from "../../inventory/var-value.js";
import type { PlanImpact, Unavailable } from "../../plan/plan.js";
import { restoreCover } from "../../plan/way-back.js";
import type { DraftStep, Expansion } from "../expand/draft.js";
import type { Model } from "../model.js";

const NONE = new Int32Array(0);

export function impact(
  model: Model,
  x: Pick<Expansion, "steps" | "irreversible"> & Partial<Pick<Expansion, "after">>,
  start: Float64Array,
  hostAfter: ReadonlyMap<number, readonly number[]> = new Map(),
): PlanImpact {
  const steps = x.steps;
  // An irreversible step with a restorable checkpoint before it is covered by that
  // checkpoint's restore: the same rule as the runtime's (plan/way-back.ts).
  const cover = restoreCover(
    steps.length,
    (i) => {
      const own = x.after === undefined ? NONE : x.after.list.subarray(x.after.start[i] ?? 0, x.after.start[i + 1] ?? 0);
      const more = hostAfter.get(i);
      return more === undefined ? own : [...own, ...more];
    },
    (i) => {
      const step = steps[i];
      return step !== undefined && step.checkpoint !== null && step.undo !== null && step.undo !== "irreversible";
    },
  );
  // Spans as flat [start, end, …] lists, by host index: the whole host's, and per service its instance's.
  const hostIndex = new Map(model.hosts.map((h, i) => [h.name, i]));
  const hostSpans: (number[] | undefined)[] = [];
  const instanceSpans = new Map<string, (number[] | undefined)[]>(model.services.map((s) => [s.name, []]));
  const push = (lists: (number[] | undefined)[], host: number | undefined, s: number, e: number): void => {
    if (host === undefined) return;
    const list = lists[host];
    if (!list) lists[host] = [s, e];
    // A host's chain takes it out step after step: a span that starts within the last one
    // extends it, so most lists stay one span, which merge need not sort.
    else if (s >= (list[list.length - 2] as number) && s <= (list[list.length - 1] as number)) list[list.length - 1] = Math.max(list[list.length - 1] as number, e);
    else list.push(s, e);
  };
  let pointOfNoReturn: PlanImpact["pointOfNoReturn"] = null;
  let ponrStart = Infinity;
  let instancesMigrated = 0;
  const services = new Map(model.services.map((s) => [s.name, s]));

  for (let i = 0; i < steps.length; i++) {
    const step = steps[i] as DraftStep;
    const s = start[i] as number;
    const duration = step.estimate.duration;
    const e = s + duration;
    if (duration > 0) {
      const out = step.unavailable;
      for (let k = 0; k < out.length; k++) {
        const u = out[k] as Unavailable;
        const lists = "service" in u ? instanceSpans.get(u.service) : hostSpans;
        if (lists) push(lists, hostIndex.get(u.host), s, e);
      }
    }
    if (step.undo === "irreversible" && s < ponrStart && (cover[i] ?? -1) < 0) {
      ponrStart = s;
      pointOfNoReturn = { step: step.id, reason: x.irreversible.get(i) ?? `${step.id} cannot be undone` };
    }
    if (step.action === "evacuate" && step.service !== null) {
      const countVar = services.get(step.service)?.evacuate?.countVar;
      if (countVar) for (const h of step.hosts) instancesMigrated += numberOf(model.hosts[hostIndex.get(h) ?? -1]?.vars[countVar]) ?? 0;
    }
  }

  const serviceImpact: PlanImpact["services"][number][] = [];
  const hostInstanceSpans: (number[] | undefined)[] = [];
  for (const service of model.services) {
    const instances = service.hosts.length;
    const own = instanceSpans.get(service.name) ?? [];
    const events: number[] = [];
    for (let k = 0; k < service.hosts.length; k++) {
      const h = hostIndex.get(service.hosts[k] as string);
      if (h === undefined) continue;
      const mine = own[h];
      const merged = merge(hostSpans[h], mine);
      for (let k = 0; k < merged.length; k += 2) events.push(merged[k] as number, 1, merged[k + 1] as number, -1);
      if (mine) {
        const list = hostInstanceSpans[h];
        if (list) list.push(...mine);
        else hostInstanceSpans[h] = [...mine];
      }
    }
    const { peak, full } = sweep(events, instances);
    const minInService = instances - peak;
    serviceImpact.push({
      service: service.name,
      instances,
      minInService,
      minShare: instances > 0 ? round(minInService / instances) : 1,
      downtime: full,
    });
  }

  const dataPlane = new Uint8Array(model.hosts.length);
  for (const s of model.services) {
    if (s.plane !== "data") continue;
    for (let k = 0; k < s.hosts.length; k++) {
      const h = hostIndex.get(s.hosts[k] as string);
      if (h !== undefined) dataPlane[h] = 1;
    }
  }
  const dataHosts = dataPlane.reduce((n, d) => n + d, 0);
  const hostImpact: { host: string; outOfService: number }[] = [];
  const dataEvents: number[] = [];
  model.hosts.forEach((host, h) => {
    const merged = merge(hostSpans[h], hostInstanceSpans[h]);
    let out = 0;
    for (let k = 0; k < merged.length; k += 2) {
      out += (merged[k + 1] as number) - (merged[k] as number);
      if (dataPlane[h] === 1) dataEvents.push(merged[k] as number, 1, merged[k + 1] as number, -1);
    }
    hostImpact.push({ host: host.name, outOfService: out });
  });
  const dataPeak = sweep(dataEvents, dataHosts).peak;

  return {
    services: serviceImpact,
    hosts: hostImpact,
    instancesMigrated,
    peakDataPlaneOut: dataHosts > 0 ? round(dataPeak / dataHosts) : 0,
    pointOfNoReturn,
  };
}

/** More interval ends than this in merge's lists, and it sorts them rather than inserting each in place. */
const MANY_SPANS = 64;

/** Flat [start, end, start, end, …] intervals, from one or two lists, merged into disjoint ones, in order. */
export function merge(spans: readonly number[] | undefined, more: readonly number[] = []): number[] {
  const all = spans ?? [];
  // Mostly a host is out once, for its chain.
  if (all.length + more.length === 2) {
    const [s, e] = all.length === 2 ? all : more;
    return (e as number) > (s as number) ? [s as number, e as number] : [];
  }
  // The non-empty intervals, kept in order of start, then end, as they come: a host has a
  // few (one per service on it), and this makes no pair objects for 10,000 hosts.
  const sorted = new Float64Array(all.length + more.length);
  let n = 0;
  const insert = (s: number, e: number): void => {
    if (!(e > s)) return;
    let j = n;
    for (; j > 0; j--) {
      const ps = sorted[2 * j - 2] as number;
      if (ps < s || (ps === s && (sorted[2 * j - 1] as number) <= e)) break;
      sorted[2 * j] = ps;
      sorted[2 * j + 1] = sorted[2 * j - 1] as number;
    }
    sorted[2 * j] = s;
    sorted[2 * j + 1] = e;
    n++;
  };
  if (all.length + more.length <= MANY_SPANS) {
    for (let k = 0; k + 1 < all.length; k += 2) insert(all[k] as number, all[k + 1] as number);
    for (let k = 0; k + 1 < more.length; k += 2) insert(more[k] as number, more[k + 1] as number);
  } else {
    // Many (inserting would take quadratic time): sorted as pairs.
    const pairs: [number, number][] = [];
    for (const list of [all, more]) {
      for (let k = 0; k + 1 < list.length; k += 2) if ((list[k + 1] as number) > (list[k] as number)) pairs.push([list[k] as number, list[k + 1] as number]);
    }
    pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    for (const [s, e] of pairs) {
      sorted[2 * n] = s;
      sorted[2 * n + 1] = e;
      n++;
    }
  }
  const out: number[] = [];
  for (let k = 0; k < n; k++) {
    const s = sorted[2 * k] as number;
    const e = sorted[2 * k + 1] as number;
    const last = out.length;
    if (last > 0 && s <= (out[last - 1] as number)) out[last - 1] = Math.max(out[last - 1] as number, e);
    else out.push(s, e);
  }
  return out;
}

/**
 * Flat [time, delta, …] events (delta +1 or -1): the most out at once, and the seconds with
 * all `total` out. Ends count before starts at the same time (intervals are half-open).
 */
function sweep(events: readonly number[], total: number): { peak: number; full: number } {
  const n = events.length / 2;
  let starts = 0;
  for (let k = 1; k < events.length; k += 2) if ((events[k] as number) > 0) starts++;
  const up = new Float64Array(starts);
  const down = new Float64Array(n - starts);
  for (let k = 0, u = 0, d = 0; k < events.length; k += 2) {
    if ((events[k + 1] as number) > 0) up[u++] = events[k] as number;
    else down[d++] = events[k] as number;
  }
  up.sort();
  down.sort();
  let count = 0;
  let peak = 0;
  let full = 0;
  let since = 0;
  for (let u = 0, d = 0; u < up.length || d < down.length; ) {
    // An end first when it is no later than the next start.
    const end = d < down.length && (u >= up.length || (down[d] as number) <= (up[u] as number));
    const t = end ? (down[d++] as number) : (up[u++] as number);
    if (total > 0 && count >= total) full += t - since;
    count += end ? -1 : 1;
    since = t;
    if (count > peak) peak = count;
  }
  return { peak, full };
}

function round(share: number): number {
  return Math.round(share * 10_000) / 10_000;
}
