/**
 * Facts as the compiler reads them: host vars and groups, merged into the inventory.
 *
 * Each host of the facts gets these vars (over any of the same name the inventory gives:
 * the plan names the facts so the cloud's own word wins over a hand-typed one):
 *   az                  its availability zone
 *   aggregate           the host aggregates it is in (a list: `max-unavailable 50% per aggregate`
 *                       caps each aggregate on its own)
 *   instances           its ACTIVE servers: what an evacuation moves (estimates, capacity)
 *   servers             their ids
 *   enabled             false when its compute service is disabled
 *   anti-affinity       the anti-affinity server groups with a member on it (`max-unavailable 1
 *                       per anti-affinity`: no two such hosts out at once)
 *   soft-anti-affinity  the same for soft-anti-affinity groups (relaxed with a warning when a
 *                       plan cannot honour it)
 *   affinity            the affinity and soft-affinity groups with a member on it
 * and joins the group `compute` and one group `aggregate-NAME` per aggregate it is in (when
 * NAME can name a group). A server group is named by its name, or `NAME~ID8` (the first 8
 * characters of its id) when two groups share a name.
 */
import type { Span } from "../diagnostics/diagnostic.js";
import type { Inventory, InventoryGroup, InventoryHost } from "../inventory/inventory.js";
import type { VarValue } from "../plan/plan.js";
import type { Facts, FactsServerGroup } from "./facts-file.js";

/** The vars the facts set on a host, in this order. */
export const FACT_VARS = ["az", "aggregate", "instances", "servers", "enabled", "anti-affinity", "soft-anti-affinity", "affinity"] as const;

/** Host vars whose values are lists of sets a host belongs to: a per-VAR cap caps each set. */
export const SET_VARS: readonly string[] = ["aggregate", "anti-affinity", "soft-anti-affinity"];

const GROUP_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** How the facts call each server group. */
export function serverGroupNames(groups: readonly FactsServerGroup[]): Map<string, string> {
  const count = new Map<string, number>();
  for (const g of groups) count.set(g.name, (count.get(g.name) ?? 0) + 1);
  return new Map(groups.map((g) => [g.id, (count.get(g.name) ?? 0) > 1 ? `${g.name}~${g.id.slice(0, 8)}` : g.name]));
}

/** The vars each host of the facts gets. */
export function factsHostVars(facts: Facts): Map<string, Record<string, VarValue>> {
  const names = serverGroupNames(facts.serverGroups);
  const policy = new Map(facts.serverGroups.map((g) => [g.id, g.policy]));
  const out = new Map<string, Record<string, VarValue>>();
  for (const h of facts.hosts) {
    const active = h.servers.filter((s) => s.status === "ACTIVE");
    const groupsOf = (...policies: string[]): string[] => {
      const set = new Set<string>();
      for (const s of h.servers) for (const id of s.groups) if (policies.includes(policy.get(id) ?? "")) set.add(names.get(id) ?? id);
      return [...set].sort();
    };
    out.set(h.name, {
      az: h.zone,
      aggregate: [...h.aggregates].sort(),
      instances: active.length,
      servers: active.map((s) => s.id),
      enabled: h.enabled,
      "anti-affinity": groupsOf("anti-affinity"),
      "soft-anti-affinity": groupsOf("soft-anti-affinity"),
      affinity: groupsOf("affinity", "soft-affinity"),
    });
  }
  return out;
}

/**
 * The inventory with the facts merged in (a new one: the inventory read is not changed).
 * `at` is where the plan names the facts: hosts and groups the facts add are placed there.
 */
export function withFacts(inventory: Inventory | null, facts: Facts, file: { readonly path: string; readonly text: string }, at: Span): Inventory {
  const vars = factsHostVars(facts);
  const hosts = new Map<string, InventoryHost>(inventory?.hosts ?? []);
  const groups = new Map<string, InventoryGroup>(inventory?.groups ?? []);
  const joins = new Map<string, string[]>();
  const join = (group: string, host: string): void => {
    const list = joins.get(group) ?? [];
    list.push(host);
    joins.set(group, list);
  };
  for (const h of facts.hosts) {
    join("compute", h.name);
    for (const a of h.aggregates) if (GROUP_NAME.test(`aggregate-${a}`)) join(`aggregate-${a}`, h.name);
  }
  for (const [group, members] of joins) {
    const old = groups.get(group);
    const list = [...(old?.hosts ?? [])];
    for (const m of members) if (!list.includes(m)) list.push(m);
    groups.set(group, { name: group, hosts: list, children: old?.children ?? [], vars: old?.vars ?? {}, span: old?.span ?? at });
  }
  for (const h of facts.hosts) {
    const old = hosts.get(h.name);
    const memberOf = new Set(old?.groups ?? []);
    for (const [group, members] of joins) if (members.includes(h.name)) memberOf.add(group);
    hosts.set(h.name, { name: h.name, groups: [...memberOf].sort(), vars: { ...(old?.vars ?? {}), ...(vars.get(h.name) ?? {}) }, span: old?.span ?? at });
  }
  return {
    path: inventory?.path ?? file.path,
    hosts,
    groups,
    files: inventory?.files ?? [],
  };
}
