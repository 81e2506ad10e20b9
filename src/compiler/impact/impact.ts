/**
 * Impact: what the schedule means for the cloud. A service instance (service on a host) is
 * out while a step takes it out ({host, service}) or takes its whole host out ({host}): a
 * reboot for nova-compute also takes the host's neutron agent down. A host counts as out
 * while any of its instances, or the whole host, is out.
 */
import { numberOf } from "../../inventory/var-value.js";
import type { PlanImpact } from "../../plan/plan.js";
import type { DraftStep } from "../expand/draft.js";
import type { Model } from "../model.js";

export function impact(model: Model, steps: readonly DraftStep[], start: Float64Array): PlanImpact {
  const hostSpans = new Map<string, number[]>();
  const instanceSpans = new Map<string, number[]>();
  const push = (map: Map<string, number[]>, key: string, s: number, e: number): void => {
    const list = map.get(key);
    if (list) list.push(s, e);
    else map.set(key, [s, e]);
  };
  let pointOfNoReturn: PlanImpact["pointOfNoReturn"] = null;
  let ponrStart = Infinity;
  let instancesMigrated = 0;
  const services = new Map(model.services.map((s) => [s.name, s]));
  const hosts = new Map(model.hosts.map((h) => [h.name, h]));

  for (let i = 0; i < steps.length; i++) {
    const step = steps[i] as DraftStep;
    const s = start[i] as number;
    const e = s + step.duration;
    if (step.duration > 0) {
      for (const u of step.unavailable) {
        if ("service" in u) push(instanceSpans, `${u.host}\u0000${u.service}`, s, e);
        else push(hostSpans, u.host, s, e);
      }
    }
    if (step.undo === "irreversible" && s < ponrStart) {
      ponrStart = s;
      pointOfNoReturn = { step: step.id, reason: step.irreversibleReason ?? `${step.id} cannot be undone` };
    }
    if (step.action === "evacuate" && step.service !== null) {
      const countVar = services.get(step.service)?.evacuate?.countVar;
      for (const h of step.hosts) instancesMigrated += countVar ? (numberOf(hosts.get(h)?.vars[countVar]) ?? 0) : 0;
    }
  }

  const serviceImpact: PlanImpact["services"][number][] = [];
  const hostInstanceSpans = new Map<string, number[]>();
  for (const service of model.services) {
    const instances = service.hosts.length;
    const events: number[] = [];
    for (const h of service.hosts) {
      const own = instanceSpans.get(`${h}\u0000${service.name}`) ?? [];
      const merged = merge([...(hostSpans.get(h) ?? []), ...own]);
      for (let k = 0; k < merged.length; k += 2) events.push(merged[k] as number, 1, merged[k + 1] as number, -1);
      if (own.length > 0) {
        const list = hostInstanceSpans.get(h);
        if (list) list.push(...own);
        else hostInstanceSpans.set(h, [...own]);
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

  const dataPlane = new Set<string>();
  for (const s of model.services) if (s.plane === "data") for (const h of s.hosts) dataPlane.add(h);
  const hostImpact: { host: string; outOfService: number }[] = [];
  const dataEvents: number[] = [];
  for (const h of model.hosts) {
    const merged = merge([...(hostSpans.get(h.name) ?? []), ...(hostInstanceSpans.get(h.name) ?? [])]);
    let out = 0;
    for (let k = 0; k < merged.length; k += 2) {
      out += (merged[k + 1] as number) - (merged[k] as number);
      if (dataPlane.has(h.name)) dataEvents.push(merged[k] as number, 1, merged[k + 1] as number, -1);
    }
    hostImpact.push({ host: h.name, outOfService: out });
  }
  const dataPeak = sweep(dataEvents, dataPlane.size).peak;

  return {
    services: serviceImpact,
    hosts: hostImpact,
    instancesMigrated,
    peakDataPlaneOut: dataPlane.size > 0 ? round(dataPeak / dataPlane.size) : 0,
    pointOfNoReturn,
  };
}

/** Flat [start, end, start, end, …] intervals merged into disjoint ones, in order. */
export function merge(spans: readonly number[]): number[] {
  const pairs: [number, number][] = [];
  for (let k = 0; k + 1 < spans.length; k += 2) if ((spans[k + 1] as number) > (spans[k] as number)) pairs.push([spans[k] as number, spans[k + 1] as number]);
  pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: number[] = [];
  for (const [s, e] of pairs) {
    const n = out.length;
    if (n > 0 && s <= (out[n - 1] as number)) out[n - 1] = Math.max(out[n - 1] as number, e);
    else out.push(s, e);
  }
  return out;
}

/**
 * Flat [time, delta, …] events: the most out at once, and the seconds with all `total` out.
 * Ends sort before starts at the same time (intervals are half-open).
 */
function sweep(events: readonly number[], total: number): { peak: number; full: number } {
  const order: number[] = [];
  for (let k = 0; k < events.length; k += 2) order.push(k);
  order.sort((a, b) => (events[a] as number) - (events[b] as number) || (events[a + 1] as number) - (events[b + 1] as number));
  let count = 0;
  let peak = 0;
  let full = 0;
  let since = 0;
  for (const k of order) {
    const t = events[k] as number;
    if (total > 0 && count >= total) full += t - since;
    count += events[k + 1] as number;
    since = t;
    if (count > peak) peak = count;
  }
  return { peak, full };
}

function round(share: number): number {
  return Math.round(share * 10_000) / 10_000;
}
