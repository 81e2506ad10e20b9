/**
 * Max-unavailable caps, checked at run time from the steps' `unavailable` lists rather than
 * trusted from the plan's schedule.
 *
 * A step's entries name what it takes out of service: `{host, service}` one instance, or
 * `{host}` the whole host (every service placed on it, and the step's own). A host is out
 * for a service from the start of the first step of a *chain* until the last step of that
 * chain has succeeded; a chain is the steps with the same (host, service) entry that belong
 * to the same service and batch (a host's maintenance, evacuation, upgrade, reboot and
 * health gate in one batch). A chain with a failed step keeps its host out: a host that
 * failed half-way is not serving.
 *
 * Caps per set of hosts (an aggregate, an anti-affinity server group) are counted by the
 * same hosts going out and coming back, in plan/host-sets.ts.
 */
import { HostSetCounter } from "../plan/host-sets.js";
import type { OutKey } from "../plan/chains.js";
import type { PlanFile, PlanService } from "../plan/plan.js";

/**
 * Which hosts are out for each service, and whether one more fits under the caps. The
 * counts per service and per failure domain are kept as hosts go out and come back, so the
 * question costs the size of the step asking, not of the cloud.
 */
export class CapTracker {
  /** service → host → number of active chains holding it out. */
  private readonly out = new Map<string, Map<string, number>>();
  /** service → failure domain → hosts out in it (services with a per-domain cap only). */
  private readonly outPerDomain = new Map<string, Map<string, number>>();
  private readonly services: ReadonlyMap<string, PlanService>;
  private readonly hostVars: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
  private readonly sets: HostSetCounter;
  /**
   * The last refusal for a full service, with the number of changes to who is out when it was
   * made: every step refused while nothing changed gets the same text, and it lists every
   * host out, thousands in a large cloud.
   */
  private changes = 0;
  private refusal: { readonly service: string; readonly changes: number; readonly text: string } | null = null;

  constructor(plan: PlanFile) {
    this.services = new Map(plan.services.map((s) => [s.name, s]));
    this.hostVars = new Map(plan.hosts.map((h) => [h.name, h.vars]));
    this.sets = new HostSetCounter(plan.services.map((s) => ({ name: s.name, sets: s.rolling.hostSets ?? [] })));
  }

  isOut(key: OutKey): boolean {
    return (this.out.get(key.service)?.get(key.host) ?? 0) > 0;
  }

  hostsOut(service: string): string[] {
    return [...(this.out.get(service)?.keys() ?? [])];
  }

  /** Why taking these keys out now would break a cap, or null when it fits. */
  wouldBreak(keys: readonly OutKey[]): string | null {
    const adding = new Map<string, Set<string>>();
    for (const key of keys) {
      if (this.isOut(key)) continue;
      const set = adding.get(key.service) ?? new Set<string>();
      set.add(key.host);
      adding.set(key.service, set);
    }
    for (const [serviceName, newHosts] of adding) {
      const service = this.services.get(serviceName);
      if (!service) continue;
      const current = this.out.get(serviceName)?.size ?? 0;
      const cap = Math.max(1, service.rolling.maxUnavailable);
      if (current + newHosts.size > cap) return this.full(serviceName, current, cap);
      const domainVar = service.rolling.domain;
      const perDomain = service.rolling.maxUnavailablePerDomain;
      if (domainVar !== null && perDomain !== null) {
        const counts = this.outPerDomain.get(serviceName);
        const more = new Map<string, number>();
        for (const host of newHosts) {
          const d = this.domainOf(host, domainVar);
          more.set(d, (more.get(d) ?? 0) + 1);
        }
        for (const [domain, k] of more) {
          const n = (counts?.get(domain) ?? 0) + k;
          const cap = service.rolling.maxUnavailableByDomain?.[domain] ?? perDomain;
          if (n > Math.max(1, cap)) return `${serviceName}: at most ${cap} host(s) out per ${domainVar} in ${domain}, it would have ${n}`;
        }
      }
      const set = this.sets.wouldBreak(serviceName, newHosts);
      if (set !== null) return set;
    }
    return null;
  }

  private full(service: string, current: number, cap: number): string {
    const last = this.refusal;
    if (last !== null && last.service === service && last.changes === this.changes) return last.text;
    const text = `${service}: ${current} of at most ${cap} host(s) out (${this.hostsOut(service).join(", ")})`;
    this.refusal = { service, changes: this.changes, text };
    return text;
  }

  take(key: OutKey): void {
    const hosts = this.out.get(key.service) ?? new Map<string, number>();
    const n = hosts.get(key.host) ?? 0;
    hosts.set(key.host, n + 1);
    this.out.set(key.service, hosts);
    if (n === 0) {
      this.changes += 1;
      this.countDomain(key, 1);
      this.sets.take(key.service, key.host);
    }
  }

  release(key: OutKey): void {
    const hosts = this.out.get(key.service);
    if (!hosts || !hosts.has(key.host)) return;
    const n = (hosts.get(key.host) ?? 0) - 1;
    if (n > 0) {
      hosts.set(key.host, n);
      return;
    }
    hosts.delete(key.host);
    this.changes += 1;
    this.countDomain(key, -1);
    this.sets.release(key.service, key.host);
  }

  private countDomain(key: OutKey, delta: 1 | -1): void {
    const domainVar = this.services.get(key.service)?.rolling.domain ?? null;
    if (domainVar === null) return;
    const counts = this.outPerDomain.get(key.service) ?? new Map<string, number>();
    const d = this.domainOf(key.host, domainVar);
    counts.set(d, (counts.get(d) ?? 0) + delta);
    this.outPerDomain.set(key.service, counts);
  }

  private domainOf(host: string, domainVar: string): string {
    const v = this.hostVars.get(host)?.[domainVar];
    return v === undefined ? "(none)" : String(v);
  }
}
