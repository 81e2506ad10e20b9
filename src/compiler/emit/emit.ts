/**
 * Emit: the plan file, filled completely and deterministically. Everything comes from the
 * model and the schedule in their own order (arrays, never Map iteration of user data), vars
 * with sorted keys, and no clock reading except an assumed start. The same inputs, `--start`
 * included, give byte-identical JSON.
 */
import { isAbsolute, relative, resolve, sep } from "node:path";
import { DateTime } from "luxon";
import { planFingerprint } from "../../plan/digest.js";
import type { HostSetCap } from "../../plan/host-sets.js";
import { sealPlan, type PlanTextSink } from "../../plan/plan-text.js";
import {
  PLAN_FORMAT,
  type PlanFile,
  type PlanHistoryRun,
  type PlanImpact,
  type PlanService,
  type PlanStep,
  type PlanTiming,
  type VarValue,
} from "../../plan/plan.js";
import type { DraftStep, Expansion } from "../expand/draft.js";
import { batchSizes } from "../expand/expand.js";
import type { Model } from "../model.js";
import type { PlanBound } from "../schedule/bound.js";
import type { PlanStart } from "../schedule/plan-start.js";
import { clockOfMinutes as clock } from "../../windows/window-clock.js";

export interface EmitInput {
  readonly model: Model;
  readonly expansion: Expansion;
  /** Seconds from plan start, per step. */
  readonly start: Float64Array;
  readonly planStart: PlanStart;
  readonly parallelism: number;
  readonly criticalPath: readonly string[];
  /** The bound the caps, parallelism and windows allow (schedule/bound.ts), if computed. */
  readonly bound?: PlanBound;
  /** Further `after` per step index: the previous chain on the same host, where the schedule ordered two unrelated services. */
  readonly hostAfter: ReadonlyMap<number, readonly number[]>;
  readonly windowsUsed: readonly { readonly window: string; readonly openMs: number; readonly closeMs: number }[];
  readonly impact: PlanImpact;
  readonly compilerVersion: string;
  /** Where the plan file goes, when that is not where the sources were read from: see BuildOptions.relocate. */
  readonly relocate?: Relocation;
  /** The runs measured estimates came from (compile --history), recorded and fingerprinted. */
  readonly history?: readonly PlanHistoryRun[];
  /** Receives the plan file's text as it is made; without one, the text is kept with the plan (planFileChunks). */
  readonly planText?: PlanTextSink;
}

/** Source paths were read relative to `from`; the plan file, written in `to`, records them relative to it. */
export interface Relocation {
  readonly from: string;
  readonly to: string;
}

export function emitPlan(input: EmitInput): PlanFile {
  const { model, expansion, start, planStart } = input;
  // The expansion's steps become the plan's, completed in place (see DraftStep): their start,
  // and what they wait for as ids.
  const idOf = (p: number): string => (expansion.steps[p] as DraftStep).id;
  const { start: from, list } = expansion.after;
  expansion.steps.forEach((s: DraftStep, i) => {
    s.estimate.start = start[i] as number;
    const more = input.hostAfter.get(i);
    const first = from[i] as number;
    const end = from[i + 1] as number;
    // Most steps wait for one step: an array of exactly one (an empty array and pushes would
    // reserve room for 17, 80k times).
    if (more === undefined && end - first === 1) {
      s.after = [idOf(list[first] as number)];
      return;
    }
    const ids: string[] = [];
    for (let k = first; k < end; k++) ids.push(idOf(list[k] as number));
    for (const p of more ?? []) ids.push(idOf(p));
    s.after = ids;
  });
  const steps: readonly PlanStep[] = expansion.steps;
  let total = 0;
  for (let i = 0; i < steps.length; i++) {
    const { estimate } = steps[i] as PlanStep;
    total = Math.max(total, estimate.start + estimate.duration);
  }
  const windowZone = new Map(model.windows.map((w) => [w.name, w.zone]));
  const timing: PlanTiming = {
    total,
    criticalPath: input.criticalPath,
    windowsUsed: [...input.windowsUsed]
      .sort((a, b) => a.openMs - b.openMs || (a.window < b.window ? -1 : a.window > b.window ? 1 : 0))
      .map((w) => ({ window: w.window, start: iso(w.openMs, windowZone.get(w.window) ?? planStart.zone), end: iso(w.closeMs, windowZone.get(w.window) ?? planStart.zone) })),
    end: iso(planStart.ms + total * 1000, planStart.zone),
    ...(input.bound ? { bound: boundOf(input.bound) } : {}),
  };
  const services: PlanService[] = model.services.map((s) => {
    const caps = expansion.caps.get(s.name);
    return {
      name: s.name,
      extends: s.extends,
      hosts: s.hosts,
      tags: s.tags,
      plane: s.plane,
      after: s.after,
      vars: sortedVars(s.vars),
      rolling: {
        batches: batchSizes(s),
        maxUnavailable: caps?.maxUnavailable ?? s.rolling.maxUnavailable,
        domain: s.rolling.domain,
        maxUnavailablePerDomain: caps ? caps.maxUnavailablePerDomain : s.rolling.maxUnavailablePerDomain,
        ...byDomainOf(caps ? caps.maxUnavailableByDomain : (s.rolling.maxUnavailableByDomain ?? null)),
        ...hostSetsOfService(caps?.hostSets ?? []),
        pause: s.rolling.pause,
        maxFailures: s.rolling.maxFailures,
        deadline: s.rolling.deadline,
        rolling: s.rolling.rolling,
        ...(s.rolling.rolling && s.rolling.continuous ? { continuous: true as const } : {}),
      },
      window: s.window,
      evacuate: s.evacuate
        ? { strategy: s.evacuate.strategy, concurrency: s.evacuate.concurrency, timeout: s.evacuate.timeout, countVar: s.evacuate.countVar, capacityVar: s.evacuate.capacityVar }
        : null,
      version: s.actions.version?.spec ?? null,
      skew: s.skew.map((r) => ({ kind: r.kind, services: r.services })),
      ...(s.bridged.length > 0 ? { bridged: s.bridged.map((b) => ({ after: b.after, through: [...b.through] })) } : {}),
      estimates: expansion.estimates.get(s.name) ?? [],
    };
  });
  const hosts = model.hosts.map((h) => ({ name: h.name, groups: h.groups, vars: sortedVars(h.vars), connection: h.connection }));
  const move = input.relocate ? relocator(input.relocate) : (p: string) => p;
  const sources = model.sources.map((s) => ({ path: move(s.path), sha256: s.sha256, kind: s.kind }));
  const history = input.history && input.history.length > 0 ? input.history : undefined;
  const withoutDigest: Omit<PlanFile, "digest"> = {
    format: PLAN_FORMAT,
    fingerprint: planFingerprint({ sources, hosts, compilerVersion: input.compilerVersion, ...(history ? { history } : {}) }),
    compiler: { name: "upgradec", version: input.compilerVersion },
    sources,
    ...(history ? { history } : {}),
    entry: move(model.entry),
    plan: {
      name: model.plan.name,
      kind: model.plan.kind,
      urgent: model.plan.urgent,
      from: model.plan.from,
      to: model.plan.to,
      start: iso(planStart.ms, planStart.zone),
      startSource: planStart.source,
      zone: planStart.zone,
      parallelism: input.parallelism,
    },
    hosts,
    services,
    windows: model.windows.map((w) => ({ name: w.name, days: w.days, from: clock(w.from), to: clock(w.to), zone: w.zone, cutoff: w.cutoff })),
    checkpoints: model.checkpoints.map((c) => ({ name: c.name, step: `checkpoint/${c.name}`, restore: c.restore?.spec ?? null, note: c.note })),
    secrets: model.secrets.map((s) => ({ name: s.name, source: s.source, ref: s.ref })),
    connections: model.connections.map((c) => ({ name: c.name, exec: c.exec, probe: c.probe })),
    // Absent without notifiers, so a plan without them reads as before.
    ...(model.notifiers.length > 0 ? { notify: model.notifiers.map((n) => ({ name: n.name, events: [...n.events], vars: n.vars, command: n.action.spec })) } : {}),
    steps,
    timing,
    impact: input.impact,
  };
  return sealPlan(withoutDigest, input.planText);
}

/** A relative path moved from one directory to another; standard-library (`<stdlib>/...`) and absolute paths stay. */
function relocator({ from, to }: Relocation): (path: string) => string {
  return (p) => {
    if (p.startsWith("<") || isAbsolute(p)) return p;
    const moved = relative(resolve(to), resolve(from, p));
    return sep === "/" ? moved : moved.split(sep).join("/");
  };
}

function sortedVars(vars: Readonly<Record<string, VarValue>>): Readonly<Record<string, VarValue>> {
  // Mostly they are in order already (a host's `az` and `instances`): the same object then.
  let previous: string | null = null;
  let sorted = true;
  for (const key in vars) {
    if (previous !== null && !(previous < key)) {
      sorted = false;
      break;
    }
    previous = key;
  }
  if (sorted) return vars;
  const out: Record<string, VarValue> = {};
  for (const key of Object.keys(vars).sort()) out[key] = vars[key] as VarValue;
  return out;
}

/** ISO 8601 with offset in `zone` (UTC if the zone is unknown). */
export function iso(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toISO() ?? DateTime.fromMillis(ms, { zone: "UTC" }).toISO() ?? new Date(ms).toISOString();
}

/** The per-domain caps of a share per domain, when there are (absent otherwise: the plan stays as before). */
function hostSetsOfService(sets: readonly HostSetCap[]): { hostSets?: readonly HostSetCap[] } {
  return sets.length === 0 ? {} : { hostSets: sets.map((s) => ({ var: s.var, value: s.value, hosts: s.hosts, max: s.max, soft: s.soft })) };
}

function byDomainOf(byDomain: Readonly<Record<string, number>> | null): { maxUnavailableByDomain?: Readonly<Record<string, number>> } {
  return byDomain === null ? {} : { maxUnavailableByDomain: byDomain };
}

/** The bound as the plan file states it: the plan's, and each rolling service's beside its planned span. */
function boundOf(b: PlanBound): NonNullable<PlanTiming["bound"]> {
  return {
    total: b.total,
    barriers: b.barriers,
    services: b.services.map((s) => ({ service: s.service, start: s.start, planned: s.planned, bound: s.bound, barriers: s.barriers, work: s.work, width: s.width })),
    ...(b.shared ? { shared: { services: [...b.shared.services], window: b.shared.window, start: b.shared.start, bound: b.shared.bound, work: b.shared.work, width: b.shared.width } } : {}),
  };
}
