/**
 * The simulated cloud: hosts (up, maintenance, instances and capacity), service instances
 * (version, running, held out by a running step), RPC pins and schema levels. The model
 * executor changes it as the real actions would change the cloud; it keeps, per service,
 * the counters the invariants need (hosts out, per failure domain, instances per version),
 * so a check after each event costs what the event touched, not the size of the cloud.
 */
import { numberOf } from "../inventory/var-value.js";
import type { PlanFile, PlanService, VarValue } from "../plan/plan.js";

export type SchemaLevel = "none" | "expanded" | "migrated" | "contracted";
export const SCHEMA_ORDER: readonly SchemaLevel[] = ["none", "expanded", "migrated", "contracted"];

export interface HostState {
  readonly name: string;
  up: boolean;
  /** Went down for good (`--down`): never comes back. */
  lost: boolean;
  /** Services that put it in maintenance (disabled for new work). */
  readonly maintenance: Set<string>;
  /** Instances (VMs) it runs. */
  instances: number;
  readonly capacity: number;
  readonly vars: Readonly<Record<string, VarValue>>;
}

export interface InstanceState {
  readonly host: string;
  readonly service: string;
  /** Its host's failure domain for this service's caps, or null. */
  readonly domain: string | null;
  version: string;
  running: boolean;
  /** Running steps that take it out of service. */
  busy: number;
  /** Out of service, as last computed. */
  out: boolean;
}

export interface ServiceState {
  readonly spec: PlanService;
  readonly out: Set<string>;
  readonly outPerDomain: Map<string, number>;
  atFrom: number;
  atTo: number;
  schema: SchemaLevel;
  /** The pin family it belongs to, or null. */
  family: string | null;
}

export interface ModelOptions {
  /** Host var with its instance count. */
  readonly instancesVar?: string;
  /** Host var with its capacity in instances. */
  readonly capacityVar?: string;
  /** Capacity of a host without that var; default twice the largest instance count in the cloud. */
  readonly defaultCapacity?: number;
}

/** What one event changed, for the invariant checks. */
export interface Touched {
  readonly outChanged: Set<string>;
  readonly versionChanged: Set<string>;
  readonly schemaChanged: Set<string>;
  readonly pinChanged: Set<string>;
  readonly hostsDown: Set<string>;
  instancesChanged: boolean;
}

export class CloudModel {
  readonly from: string;
  readonly to: string;
  readonly hosts = new Map<string, HostState>();
  readonly instances = new Map<string, InstanceState>();
  readonly services = new Map<string, ServiceState>();
  readonly onHost = new Map<string, InstanceState[]>();
  /** family → pinned */
  readonly pins = new Map<string, boolean>();
  readonly families = new Map<string, string[]>();
  readonly schemaSnapshots = new Map<string, Map<string, SchemaLevel>>();
  readonly totalInstances: number;
  /** Instances now, kept by every move (an executor that loses one changes it). */
  instanceCount: number;
  readonly touched: Touched = CloudModel.fresh();
  /** Where each group's last evacuation stopped looking, so the next one starts there. */
  private readonly cursor = new WeakMap<readonly string[], number>();

  constructor(readonly plan: PlanFile, options: ModelOptions = {}) {
    const from = plan.plan.from ?? "old";
    const to = plan.plan.to ?? "new";
    // An update within a release (`from` and `to` the same) still replaces old code with new:
    // the two are told apart, or every instance would count as old and new at once.
    this.from = from === to ? `${from} (before the update)` : from;
    this.to = from === to ? `${to} (updated)` : to;
    const countVar = options.instancesVar ?? "instances";
    const capVar = options.capacityVar ?? "capacity";
    let most = 0;
    for (const h of plan.hosts) most = Math.max(most, numberOf(h.vars[countVar]) ?? 0);
    const defaultCapacity = options.defaultCapacity ?? Math.max(1, 2 * most);
    let total = 0;
    for (const h of plan.hosts) {
      const instances = Math.max(0, Math.floor(numberOf(h.vars[countVar]) ?? 0));
      total += instances;
      this.hosts.set(h.name, { name: h.name, up: true, lost: false, maintenance: new Set(), instances, capacity: numberOf(h.vars[capVar]) ?? defaultCapacity, vars: h.vars });
    }
    this.totalInstances = total;
    this.instanceCount = total;
    for (const s of plan.services) {
      this.services.set(s.name, { spec: s, out: new Set(), outPerDomain: new Map(), atFrom: s.hosts.length, atTo: 0, schema: "none", family: null });
      const domainVar = s.rolling.domain;
      for (const host of s.hosts) {
        const domain = domainVar === null ? null : String(this.hosts.get(host)?.vars[domainVar] ?? "(none)");
        const inst: InstanceState = { host, service: s.name, domain, version: this.from, running: true, busy: 0, out: false };
        this.instances.set(key(host, s.name), inst);
        const list = this.onHost.get(host) ?? [];
        list.push(inst);
        this.onHost.set(host, list);
      }
    }
    this.buildFamilies();
  }

  static fresh(): Touched {
    return { outChanged: new Set(), versionChanged: new Set(), schemaChanged: new Set(), pinChanged: new Set(), hostsDown: new Set(), instancesChanged: false };
  }

  /**
   * Forget what changed (after the checks have looked): the sets are reused, as every event
   * clears them, and only those holding something are cleared (clearing makes a new table).
   */
  clearTouched(): void {
    const t = this.touched;
    for (const set of [t.outChanged, t.versionChanged, t.schemaChanged, t.pinChanged, t.hostsDown]) if (set.size > 0) set.clear();
    t.instancesChanged = false;
  }

  instance(host: string, service: string): InstanceState | undefined {
    // Through the host's few instances: no key text to make at every execution.
    for (const inst of this.onHost.get(host) ?? []) if (inst.service === service) return inst;
    return undefined;
  }

  /**
   * RPC pin families: the services with a pin or unpin step, joined with every service a
   * skew rule links them to (nova's pin covers the conductors and the computes that must
   * not outrun them).
   */
  private buildFamilies(): void {
    const parent = new Map<string, string>();
    const find = (x: string): string => {
      let r = x;
      while (parent.get(r) !== undefined && parent.get(r) !== r) r = parent.get(r) ?? r;
      return r;
    };
    const union = (a: string, b: string): void => {
      if (!parent.has(a)) parent.set(a, a);
      if (!parent.has(b)) parent.set(b, b);
      parent.set(find(a), find(b));
    };
    const pinned = new Set(this.plan.steps.filter((s) => (s.action === "pin" || s.action === "unpin") && s.service !== null).map((s) => s.service ?? ""));
    for (const p of pinned) union(p, p);
    let grew = true;
    while (grew) {
      grew = false;
      for (const s of this.plan.services) {
        for (const rule of s.skew) {
          for (const other of rule.services) {
            if (!this.services.has(other)) continue;
            const inA = parent.has(s.name);
            const inB = parent.has(other);
            if ((inA || inB) && find(s.name) !== find(other)) {
              union(s.name, other);
              grew = true;
            }
          }
        }
      }
    }
    for (const name of parent.keys()) {
      const root = find(name);
      const state = this.services.get(name);
      if (state) state.family = root;
      const members = this.families.get(root) ?? [];
      members.push(name);
      this.families.set(root, members);
      this.pins.set(root, false);
    }
  }

  private isOut(inst: InstanceState): boolean {
    const host = this.hosts.get(inst.host);
    if (!host || !host.up || !inst.running || inst.busy > 0) return true;
    return host.maintenance.size > 0 && this.services.get(inst.service)?.spec.plane === "data";
  }

  private refresh(inst: InstanceState): void {
    const out = this.isOut(inst);
    if (out === inst.out) return;
    inst.out = out;
    const svc = this.services.get(inst.service);
    if (!svc) return;
    const domain = inst.domain;
    if (out) svc.out.add(inst.host);
    else svc.out.delete(inst.host);
    if (domain !== null) svc.outPerDomain.set(domain, (svc.outPerDomain.get(domain) ?? 0) + (out ? 1 : -1));
    this.touched.outChanged.add(inst.service);
  }

  private refreshHost(host: string): void {
    for (const inst of this.onHost.get(host) ?? []) this.refresh(inst);
  }

  holdOut(targets: readonly InstanceState[], delta: 1 | -1): void {
    for (const inst of targets) {
      inst.busy = Math.max(0, inst.busy + delta);
      this.refresh(inst);
    }
  }

  setUp(host: string, up: boolean): void {
    const h = this.hosts.get(host);
    if (!h) return;
    const next = up && !h.lost;
    if (h.up === next) return;
    h.up = next;
    if (!next) this.touched.hostsDown.add(host);
    this.refreshHost(host);
  }

  lose(host: string): void {
    const h = this.hosts.get(host);
    if (!h) return;
    h.lost = true;
    h.up = false;
    this.touched.hostsDown.add(host);
    this.refreshHost(host);
  }

  setMaintenance(host: string, service: string, on: boolean): void {
    const h = this.hosts.get(host);
    if (!h) return;
    if (on) h.maintenance.add(service);
    else h.maintenance.delete(service);
    this.refreshHost(host);
  }

  setRunning(host: string, service: string, running: boolean): void {
    const inst = this.instance(host, service);
    if (!inst) return;
    inst.running = running;
    this.refresh(inst);
  }

  setVersion(host: string, service: string, version: string): void {
    const inst = this.instance(host, service);
    const svc = this.services.get(service);
    if (!inst || !svc || inst.version === version) return;
    if (inst.version === this.from) svc.atFrom -= 1;
    if (inst.version === this.to) svc.atTo -= 1;
    inst.version = version;
    if (version === this.from) svc.atFrom += 1;
    if (version === this.to) svc.atTo += 1;
    this.touched.versionChanged.add(service);
  }

  setSchema(service: string, level: SchemaLevel): void {
    const svc = this.services.get(service);
    if (!svc || svc.schema === level) return;
    svc.schema = level;
    this.touched.schemaChanged.add(service);
  }

  setPin(service: string, pinned: boolean): void {
    const family = this.services.get(service)?.family;
    if (family === null || family === undefined) return;
    this.pins.set(family, pinned);
    this.touched.pinChanged.add(family);
  }

  snapshotSchema(name: string): void {
    this.schemaSnapshots.set(name, new Map([...this.services].map(([n, s]) => [n, s.schema])));
  }

  restoreSchema(name: string): boolean {
    const snap = this.schemaSnapshots.get(name);
    if (!snap) return false;
    for (const [n, level] of snap) this.setSchema(n, level);
    return true;
  }

  /**
   * Move a host's instances to other hosts of the group that are up, not in maintenance,
   * with room; all or nothing. `drop` loses one on the way (an injected executor fault).
   */
  evacuate(host: string, group: readonly string[], drop: boolean): string | null {
    const h = this.hosts.get(host);
    if (!h) return `unknown host ${host}`;
    if (!h.up) return `${host} is down`;
    let left = h.instances;
    if (left === 0) return null;
    const moves: [HostState, number][] = [];
    const n = group.length;
    const start = this.cursor.get(group) ?? 0;
    let i = 0;
    for (; i < n && left > 0; i++) {
      const target = this.hosts.get(group[(start + i) % n] ?? "");
      if (!target || target === h || !target.up || target.maintenance.size > 0) continue;
      const room = target.capacity - target.instances;
      if (room <= 0) continue;
      const take = Math.min(room, left);
      moves.push([target, take]);
      left -= take;
    }
    if (left > 0) return `no room for ${left} of ${h.instances} instance(s) on the other up hosts of the group outside maintenance (capacity)`;
    this.cursor.set(group, (start + i) % Math.max(1, n));
    for (const [target, take] of moves) target.instances += take;
    h.instances = 0;
    if (drop) {
      const last = moves[moves.length - 1];
      if (last) last[0].instances -= 1;
      this.instanceCount -= 1;
      this.touched.instancesChanged = true;
    }
    return null;
  }
}

export function key(host: string, service: string): string {
  return `${host}\u0000${service}`;
}
