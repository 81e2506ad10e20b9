/**
 * Host-set caps: constraints of a rolling service over sets of its hosts that may overlap,
 * on top of max-unavailable and its one failure domain. A set is the hosts whose var VAR
 * holds a value (a list var puts a host in several sets: an aggregate each, an anti-affinity
 * server group each); `max-unavailable N per VAR` lets at most N (or N% of the set, rounded
 * down, at least 1) of a set's hosts be out at once, each set on its own:
 *
 *   max-unavailable 50% per aggregate     no more than half of any host aggregate out
 *   max-unavailable 1 per anti-affinity   no two hosts holding members of one anti-affinity
 *                                         server group out at once
 *
 * One module for the three that count them: the compiler's schedule (and its proof), the
 * runtime's admission (CapTracker) and the simulator's invariant.
 */
import type { VarValue } from "./plan.js";

export interface HostSetCap {
  /** The host var that defines the sets ("aggregate", "anti-affinity"). */
  readonly var: string;
  /** The set's value of it: the aggregate's or the server group's name. */
  readonly value: string;
  /** The service's hosts in the set. */
  readonly hosts: readonly string[];
  /** Most of them out at once (at least 0; 0 cannot be met by a rollout). */
  readonly max: number;
  /** From a soft policy (a var named `soft-…`): a plan that cannot honour it relaxes it, with a warning. */
  readonly soft: boolean;
}

/** How a set is named to people: "aggregate agg-a", "anti-affinity grp-ha". */
export function setLabel(set: Pick<HostSetCap, "var" | "value">): string {
  return `${set.var} ${set.value}`;
}

/** The values of a host var as set memberships: a list's entries, a scalar's text; none when absent or empty. */
export function setValues(value: VarValue | undefined): string[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return [...new Set(value.filter((v) => v !== ""))];
  const text = String(value as string | number | boolean);
  return text === "" ? [] : [text];
}

/**
 * The sets of one `per VAR` cap over a service's hosts, sorted by value. `maxOf(size)` is the
 * cap of a set of that many hosts. Sets no rollout can break (no more hosts than the cap)
 * are left out: they constrain nothing.
 */
export function hostSetsOf(hosts: readonly string[], varName: string, varsOf: (host: string) => Readonly<Record<string, VarValue>>, maxOf: (size: number) => number): HostSetCap[] {
  const members = new Map<string, string[]>();
  for (const h of hosts) {
    for (const v of setValues(varsOf(h)[varName])) {
      const list = members.get(v);
      if (list) list.push(h);
      else members.set(v, [h]);
    }
  }
  const out: HostSetCap[] = [];
  for (const [value, list] of [...members].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const max = maxOf(list.length);
    if (list.length > max) out.push({ var: varName, value, hosts: list, max, soft: varName.startsWith("soft-") });
  }
  return out;
}

/**
 * Hosts out per set, kept as hosts go out and come back: the runtime's and the simulator's
 * question "may these hosts go out now?" costs the sets of the hosts asking.
 */
export class HostSetCounter {
  /** service → host → indexes (into `sets`) of the sets holding it. */
  private readonly setsOfHost = new Map<string, Map<string, number[]>>();
  private readonly sets: HostSetCap[] = [];
  /** Per set, the hosts of it out now. */
  private readonly out: Set<string>[] = [];

  constructor(services: readonly { readonly name: string; readonly sets: readonly HostSetCap[] }[]) {
    for (const s of services) {
      const byHost = new Map<string, number[]>();
      for (const set of s.sets) {
        const i = this.sets.length;
        this.sets.push(set);
        this.out.push(new Set());
        for (const h of set.hosts) {
          const list = byHost.get(h);
          if (list) list.push(i);
          else byHost.set(h, [i]);
        }
      }
      if (byHost.size > 0) this.setsOfHost.set(s.name, byHost);
    }
  }

  get empty(): boolean {
    return this.sets.length === 0;
  }

  /** Why taking these hosts out for the service (none of them out already) would break a set's cap, or null. */
  wouldBreak(service: string, hosts: Iterable<string>): string | null {
    const byHost = this.setsOfHost.get(service);
    if (!byHost) return null;
    const adding = new Map<number, string[]>();
    for (const h of hosts) {
      for (const i of byHost.get(h) ?? []) {
        const list = adding.get(i);
        if (list) list.push(h);
        else adding.set(i, [h]);
      }
    }
    for (const [i, list] of adding) {
      const set = this.sets[i] as HostSetCap;
      const out = this.out[i] as Set<string>;
      const n = out.size + list.length;
      if (n > set.max) return `${service}: at most ${set.max} host(s) of ${setLabel(set)} out at once, it would have ${n} (${[...out, ...list].join(", ")})`;
    }
    return null;
  }

  /** The sets of the service now over their cap, with their counts (the simulator's invariant). */
  over(service: string, host: string): { readonly set: HostSetCap; readonly out: number }[] {
    const found: { set: HostSetCap; out: number }[] = [];
    for (const i of this.setsOfHost.get(service)?.get(host) ?? []) {
      const set = this.sets[i] as HostSetCap;
      const out = (this.out[i] as Set<string>).size;
      if (out > set.max) found.push({ set, out });
    }
    return found;
  }

  /** The host went out for the service (it was not out before). */
  take(service: string, host: string): void {
    for (const i of this.setsOfHost.get(service)?.get(host) ?? []) this.out[i]?.add(host);
  }

  /** The host came back for the service. */
  release(service: string, host: string): void {
    for (const i of this.setsOfHost.get(service)?.get(host) ?? []) this.out[i]?.delete(host);
  }
}

/**
 * Whether no rollout can honour the set's cap: none of its hosts may go out (a cap of 0), or
 * the service is not rolling (every host goes out at once).
 */
export function unsatisfiable(set: HostSetCap, rolling: boolean): boolean {
  return set.max < 1 || (!rolling && set.hosts.length > set.max);
}

/** The sets a plan enforces: all but the soft ones it cannot honour (relaxed, with a warning at compile time). */
export function enforcedSets(sets: readonly HostSetCap[] | undefined, rolling: boolean): HostSetCap[] {
  return (sets ?? []).filter((set) => !unsatisfiable(set, rolling));
}
