/**
 * The invariants, checked after every event of the simulation (a step starting or ending on
 * a host), each violation with the event that caused it. A broken invariant is reported
 * once when it becomes broken, not again at every later event while it stays broken.
 */
import type { CloudModel, Touched } from "./cloud-model.js";
import { setLabel } from "../plan/host-sets.js";

export type InvariantName =
  | "caps"
  | "host-sets"
  | "instances-kept"
  | "no-instance-on-down-host"
  | "control-plane-in-service"
  | "version-skew"
  | "rpc-pin"
  | "schema-consistent"
  | "rollback-restores-from";

export const INVARIANTS: readonly { readonly name: InvariantName; readonly title: string }[] = [
  { name: "caps", title: "max-unavailable never exceeded, overall and per failure domain" },
  { name: "host-sets", title: "caps per set of hosts never exceeded: an aggregate's share, one host per anti-affinity server group" },
  { name: "instances-kept", title: "no instance (VM) lost: their total stays constant" },
  { name: "no-instance-on-down-host", title: "no instance left on a host that is down or rebooting" },
  { name: "control-plane-in-service", title: "every control-plane service keeps an instance in service, unless the plan declares its downtime (or it is not rolling)" },
  { name: "version-skew", title: "skew rules hold (never-newer-than, needs-new)" },
  { name: "rpc-pin", title: "RPC pinned while versions of a pinned service family are mixed" },
  { name: "schema-consistent", title: "no contracted schema while old code runs" },
  { name: "rollback-restores-from", title: "after a rollback, every instance at the from version and the schema at a consistent level" },
];

export interface SimEvent {
  /** ISO time and seconds from the plan's start. */
  readonly time: string;
  readonly at: number;
  readonly step: string | null;
  readonly host: string | null;
  /** What happened: "upgrade started", "reboot ended", ... */
  readonly what: string;
}

export interface Violation {
  readonly invariant: InvariantName;
  readonly message: string;
  readonly event: SimEvent;
}

export class InvariantChecker {
  readonly violations: Violation[] = [];
  private readonly broken = new Set<string>();
  /**
   * Set while a rollback runs. A rollback only meets a contracted schema when it crosses the
   * contract through a checkpoint's restore, which runs last (the runtime's order): old code
   * then meets the new schema for a while whatever the order, as restoring a backup is an
   * outage by nature. The schema is checked when the rollback ends instead.
   */
  rollingBack = false;
  private readonly downtimeDeclared: ReadonlySet<string>;
  /** service → services whose skew rules name it. */
  private readonly skewDependents = new Map<string, string[]>();

  constructor(private readonly model: CloudModel) {
    // Declared: the impact shows downtime, or the service is not rolling (all hosts at once is
    // its stated policy, even where the compiled schedule happened to keep them apart: a
    // rollback, or a run whose timing differs, may not).
    this.downtimeDeclared = new Set([
      ...model.plan.impact.services.filter((s) => s.downtime > 0).map((s) => s.service),
      ...model.plan.services.filter((s) => !s.rolling.rolling).map((s) => s.name),
    ]);
    for (const s of model.plan.services) {
      for (const rule of s.skew) {
        for (const other of rule.services) {
          const list = this.skewDependents.get(other) ?? [];
          list.push(s.name);
          this.skewDependents.set(other, list);
        }
      }
    }
  }

  /** The event being checked: how to name it, and its name once made. */
  private describe: () => SimEvent = () => {
    throw new Error("no event is being checked");
  };
  private described: SimEvent | null = null;

  private event(): SimEvent {
    return (this.described ??= this.describe());
  }

  private report(id: string, bad: boolean, invariant: InvariantName, message: () => string): void {
    if (!bad) {
      if (this.broken.size > 0) this.broken.delete(id);
      return;
    }
    if (this.broken.has(id)) return;
    this.broken.add(id);
    this.violations.push({ invariant, message: message(), event: this.event() });
  }

  /** Check what the event touched; `describe` names the event (made only when something broke). */
  afterEvent(describe: () => SimEvent): void {
    this.describe = describe;
    this.described = null;
    this.check();
    this.model.clearTouched();
  }

  private check(): void {
    const m = this.model;
    const t: Touched = m.touched;
    for (const name of t.outChanged) {
      const svc = m.services.get(name);
      if (!svc) continue;
      const r = svc.spec.rolling;
      const cap = Math.max(1, r.maxUnavailable);
      this.report(`caps:${name}`, svc.out.size > cap, "caps", () => `${name}: ${svc.out.size} host(s) out of service, more than max-unavailable ${cap} (${[...svc.out].slice(0, 8).join(", ")})`);
      if (r.domain !== null && r.maxUnavailablePerDomain !== null) {
        for (const [domain, n] of svc.outPerDomain) {
          const per = Math.max(1, r.maxUnavailableByDomain?.[domain] ?? r.maxUnavailablePerDomain);
          // Held and nothing broken to clear: nothing to say (a cloud has many domains, and most events touch one).
          if (n <= per && this.broken.size === 0) continue;
          this.report(`caps:${name}:${domain}`, n > per, "caps", () => `${name}: ${n} host(s) out in ${r.domain} ${domain}, more than ${per} per ${r.domain}`);
        }
      }
      for (const set of r.hostSets ?? []) {
        let n = 0;
        for (const h of set.hosts) if (svc.out.has(h)) n++;
        this.report(`sets:${name}:${set.var}:${set.value}`, n > set.max, "host-sets", () => `${name}: ${n} host(s) of ${setLabel(set)} out at once, more than ${set.max} (${set.hosts.filter((h) => svc.out.has(h)).join(", ")})`);
      }
      if (svc.spec.plane === "control" && svc.spec.hosts.length > 0 && !this.downtimeDeclared.has(name)) {
        this.report(`api:${name}`, svc.out.size >= svc.spec.hosts.length, "control-plane-in-service", () => `${name}: no instance in service, and the plan declares no downtime for it`);
      }
    }
    if (t.instancesChanged || m.instanceCount !== m.totalInstances) {
      this.report("instances", m.instanceCount !== m.totalInstances, "instances-kept", () => `${m.totalInstances - m.instanceCount} instance(s) lost: ${m.instanceCount} of ${m.totalInstances} left`);
    }
    for (const host of t.hostsDown) {
      const h = m.hosts.get(host);
      if (h && !h.up && h.instances > 0) {
        this.violations.push({ invariant: "no-instance-on-down-host", message: `${host} went down with ${h.instances} instance(s) still on it`, event: this.event() });
      }
    }
    // Most events change no version, pin or schema (a host goes out or comes back).
    if (t.versionChanged.size > 0 || t.pinChanged.size > 0 || t.schemaChanged.size > 0) this.checkVersions(t);
  }

  private checkVersions(t: Touched): void {
    const m = this.model;
    const skewCheck = new Set<string>();
    for (const name of t.versionChanged) {
      skewCheck.add(name);
      for (const d of this.skewDependents.get(name) ?? []) skewCheck.add(d);
    }
    for (const name of skewCheck) this.checkSkew(name);
    const families = new Set<string>(t.pinChanged);
    for (const name of t.versionChanged) {
      const f = m.services.get(name)?.family;
      if (f !== null && f !== undefined) families.add(f);
    }
    for (const family of families) {
      const members = m.families.get(family) ?? [];
      let from = 0;
      let to = 0;
      for (const n of members) {
        from += m.services.get(n)?.atFrom ?? 0;
        to += m.services.get(n)?.atTo ?? 0;
      }
      const mixed = from > 0 && to > 0;
      this.report(`pin:${family}`, mixed && m.pins.get(family) !== true, "rpc-pin", () => `${members.join(", ")}: versions mixed (${from} at ${m.from}, ${to} at ${m.to}) while RPC is not pinned`);
    }
    const schemaCheck = new Set([...t.schemaChanged, ...t.versionChanged]);
    for (const name of this.rollingBack ? [] : schemaCheck) {
      const svc = m.services.get(name);
      if (!svc) continue;
      this.report(`schema:${name}`, svc.schema === "contracted" && svc.atFrom > 0, "schema-consistent", () => `${name}: schema contracted while ${svc.atFrom} instance(s) run ${m.from}`);
    }
  }

  private checkSkew(name: string): void {
    const m = this.model;
    const svc = m.services.get(name);
    if (!svc) return;
    for (const rule of svc.spec.skew) {
      for (const other of rule.services) {
        const o = m.services.get(other);
        if (!o) continue;
        const bad = svc.atTo > 0 && o.atFrom > 0;
        const what = rule.kind === "never-newer-than" ? `never newer than ${other}` : `needs ${other} new first`;
        this.report(`skew:${name}:${rule.kind}:${other}`, bad, "version-skew", () => `${name} (${what}): ${svc.atTo} instance(s) at ${m.to} while ${o.atFrom} of ${other} run ${m.from}`);
      }
    }
  }

  /** After a finished rollback: the from state, host by host, and a schema old code can run on. */
  afterRollback(event: SimEvent, restoredCheckpoint: string | null): void {
    const m = this.model;
    const behind: string[] = [];
    for (const inst of m.instances.values()) if (inst.version !== m.from) behind.push(`${inst.service} on ${inst.host} (${inst.version})`);
    if (behind.length > 0) {
      this.violations.push({
        invariant: "rollback-restores-from",
        message: `${behind.length} instance(s) not back at ${m.from}: ${behind.slice(0, 8).join(", ")}${behind.length > 8 ? ", ..." : ""}`,
        event,
      });
    }
    const snap = restoredCheckpoint === null ? null : m.schemaSnapshots.get(restoredCheckpoint);
    for (const [name, svc] of m.services) {
      const expected = snap?.get(name);
      if (svc.schema === "contracted" || (expected !== undefined && svc.schema !== expected)) {
        this.violations.push({
          invariant: "rollback-restores-from",
          message: `${name}: schema ${svc.schema} after the rollback${expected !== undefined ? `, checkpoint ${restoredCheckpoint ?? ""} had it ${expected}` : ""}`,
          event,
        });
      }
    }
  }
}
