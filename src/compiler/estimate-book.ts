/**
 * Where each estimate comes from: what earlier runs measured (`compile --history`), else what
 * the plan writes (`takes`), else the defaults of estimates.ts. A measured estimate replaces a
 * written one: the runs measured this cloud, the `takes` is someone's guess.
 *
 * A measured estimate is the median of the successful attempts of the service's action in
 * every run read (the median, not the mean: one attempt that waited on a stuck API does not
 * move it). An evacuation is measured per instance (its time over the host's instance count,
 * the service's count var in the inventory compiled now), so a host with twice the
 * instances is planned twice the time; hosts without the var are measured per host.
 */
import type { PlanEstimate, StepAction } from "../plan/plan.js";
import type { History, HistorySample } from "../plan/history.js";
import type { ModelHost, ModelService } from "./model.js";

export interface Estimate {
  readonly seconds: number;
  readonly source: PlanEstimate["source"];
  /** For a measured one: the runs and the attempts it is the median of. */
  readonly runs?: number;
  readonly samples?: number;
}

export interface EstimateBook {
  /** The estimate of a service's action, `written` being the plan's own (null: none), `fallback` the default. */
  of(service: string, action: StepAction, written: number | null, fallback: number): Estimate;
  /** A measured per-instance evacuation for `service`, or null (then `of` gives the per-host estimate). */
  perInstance(service: string): Estimate | null;
}

/** Estimates with no history: written, else default. */
export const WRITTEN_ONLY: EstimateBook = {
  of: (_service, _action, written, fallback) => (written !== null ? { seconds: written, source: "written" } : { seconds: fallback, source: "default" }),
  perInstance: () => null,
};

/** The median of a non-empty list, rounded to the millisecond (a journal's resolution). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const m = sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return Math.round(m * 1000) / 1000;
}

function measured(samples: readonly HistorySample[], value: (s: HistorySample) => number | null): Estimate | null {
  const values: number[] = [];
  const runs = new Set<string>();
  for (const s of samples) {
    const v = value(s);
    if (v === null || !Number.isFinite(v)) continue;
    values.push(v);
    runs.add(s.run);
  }
  if (values.length === 0) return null;
  return { seconds: median(values), source: "measured", runs: runs.size, samples: values.length };
}

/** The instance count a host var gives, or null. */
function countOf(host: ModelHost | undefined, countVar: string): number | null {
  const raw = host?.vars[countVar];
  const n = typeof raw === "number" ? raw : typeof raw === "string" && /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
}

/** The book of a history, for the services and hosts compiled now. */
export function estimateBook(history: History, services: readonly ModelService[], hosts: readonly ModelHost[]): EstimateBook {
  const byKey = new Map<string, HistorySample[]>();
  for (const s of history.samples) {
    const key = `${s.service}\u0000${s.action}`;
    const list = byKey.get(key);
    if (list === undefined) byKey.set(key, [s]);
    else list.push(s);
  }
  const hostByName = new Map(hosts.map((h) => [h.name, h]));
  const countVar = new Map(services.map((s) => [s.name, s.evacuate?.countVar ?? null]));
  const memo = new Map<string, Estimate | null>();
  const measuredOf = (service: string, action: StepAction): Estimate | null => {
    const key = `${service}\u0000${action}`;
    if (!memo.has(key)) memo.set(key, measured(byKey.get(key) ?? [], (s) => s.seconds));
    return memo.get(key) ?? null;
  };
  return {
    of(service, action, written, fallback) {
      return measuredOf(service, action) ?? WRITTEN_ONLY.of(service, action, written, fallback);
    },
    perInstance(service) {
      const key = `${service}\u0000evacuate/instance`;
      if (!memo.has(key)) {
        const v = countVar.get(service) ?? null;
        const perInstance = (s: HistorySample): number | null => {
          const n = v === null || s.host === null ? null : countOf(hostByName.get(s.host), v);
          return n === null || n === 0 ? null : s.seconds / n;
        };
        memo.set(key, measured(byKey.get(`${service}\u0000evacuate`) ?? [], perInstance));
      }
      return memo.get(key) ?? null;
    },
  };
}

/** A host's evacuation estimate from a per-instance one: its instance count times it (null: the host has no count). */
export function evacuationOf(perInstance: { readonly seconds: number }, host: ModelHost | undefined, countVar: string): number | null {
  const n = countOf(host, countVar);
  return n === null ? null : Math.round(perInstance.seconds * n * 1000) / 1000;
}
