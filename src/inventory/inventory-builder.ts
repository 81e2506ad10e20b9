/**
 * The inventory while it is being read: groups and hosts as the INI and YAML readers
 * declare them, then `build()` computes what Ansible computes after parsing (the
 * `ungrouped` reconciliation, transitive membership, and merged vars).
 *
 * Vars merge in Ansible's order (VARIABLE_PRECEDENCE's default, then host vars):
 *   1. inline vars of `all`            ([all:vars], `all: vars:`)
 *   2. inline vars of the host's other groups, sorted by (depth, ansible_group_priority, name)
 *   3. group_vars/all
 *   4. group_vars/<group> for the host's other groups, in the same order
 *   5. inline host vars                (INI host line, YAML `hosts: {h: {...}}`)
 *   6. host_vars/<host>
 * So every group_vars/ file wins over every inline group var, a child group (deeper) wins
 * over its parent, and the host wins over all groups. Merging is shallow (Ansible's default
 * `hash_behaviour = replace`). `ansible_group_priority` is honoured when set inline, as in
 * Ansible (where it is not read from group_vars/ files either). Not modelled: vars plugins
 * other than host_group_vars, playbook-adjacent group_vars, and inventory plugins that
 * compute groups (constructed, keyed_groups).
 */
import { type Diagnostic, type Span, diag } from "../diagnostics/diagnostic.js";
import type { VarValue } from "../plan/plan.js";
import { CONNECTION_VARS, connectionVarProblem, hostNameProblem } from "./host-name.js";
import type { Inventory, InventoryGroup, InventoryHost } from "./inventory.js";

type Vars = Map<string, VarValue>;

interface GroupBuild {
  readonly name: string;
  span: Span;
  readonly children: string[];
  readonly parents: Set<string>;
  readonly inlineVars: Vars;
  readonly fileVars: Vars;
  priority: number;
}

/** What a host takes from its groups (hosts in the same groups share one). */
interface Membership {
  /** Every group the host is in, sorted: InventoryHost.groups. */
  readonly sorted: readonly string[];
  /** The host lists of those groups in precedence order, which the host joins. */
  readonly hostLists: readonly (string[] | undefined)[];
  /** The groups' vars that are not empty, in merge order (see the head of this file). */
  readonly vars: readonly Vars[];
}

interface HostBuild {
  readonly name: string;
  readonly span: Span;
  readonly order: number;
  /** The groups naming the host directly, each once. */
  readonly groups: string[];
  readonly inlineVars: Vars;
  /** From host_vars/, when it has a file for the host. */
  fileVars: Vars | null;
}

export class InventoryBuilder {
  readonly groups = new Map<string, GroupBuild>();
  readonly hosts = new Map<string, HostBuild>();
  readonly diagnostics: Diagnostic[] = [];

  constructor(private readonly rootSpan: Span) {
    this.addGroup("all", rootSpan);
    this.addGroup("ungrouped", rootSpan);
    this.addChild("all", "ungrouped", rootSpan);
  }

  addGroup(name: string, span: Span): GroupBuild {
    let group = this.groups.get(name);
    if (!group) {
      group = { name, span, children: [], parents: new Set(), inlineVars: new Map(), fileVars: new Map(), priority: 1 };
      this.groups.set(name, group);
    } else if (group.span === this.rootSpan && name !== "all" && name !== "ungrouped") {
      group.span = span;
    }
    return group;
  }

  /** Puts a host (created on first sight) in a group. */
  addHost(name: string, span: Span, groupName: string): HostBuild {
    let host = this.hosts.get(name);
    if (!host) {
      host = { name, span, order: this.hosts.size, groups: [groupName], inlineVars: new Map(), fileVars: null };
      this.hosts.set(name, host);
    } else if (!host.groups.includes(groupName)) {
      host.groups.push(groupName);
    }
    this.addGroup(groupName, span);
    return host;
  }

  /** An inline host var (INI host line, YAML host entry, `_meta.hostvars`); a later one wins. */
  setHostVar(hostName: string, key: string, value: VarValue): void {
    this.hosts.get(hostName)?.inlineVars.set(key, value);
  }

  setGroupVar(groupName: string, key: string, value: VarValue, span: Span): void {
    const group = this.addGroup(groupName, span);
    group.inlineVars.set(key, value);
    if (key === "ansible_group_priority") {
      const priority = Number(value);
      if (Number.isInteger(priority)) group.priority = priority;
    }
  }

  /** Makes `child` a child of `parent`, unless that would make a group its own ancestor. */
  addChild(parentName: string, childName: string, span: Span): boolean {
    const parent = this.addGroup(parentName, span);
    const child = this.addGroup(childName, span);
    if (parent.children.includes(childName)) return true;
    const back = this.pathDown(childName, parentName);
    if (back) {
      const chain = [parentName, ...back];
      this.diagnostics.push(diag("UPG0308", {
        message: `group '${childName}' would be its own ancestor: ${chain.join(" -> ")}`,
        span,
        help: `remove '${childName}' from the children of '${parentName}', or break the chain elsewhere`,
      }));
      return false;
    }
    parent.children.push(childName);
    child.parents.add(parentName);
    return true;
  }

  /** A path of group names from `from` down to `to` through children, or null. */
  private pathDown(from: string, to: string): string[] | null {
    const seen = new Set<string>();
    const walk = (name: string): string[] | null => {
      if (name === to) return [name];
      if (seen.has(name)) return null;
      seen.add(name);
      for (const child of this.groups.get(name)?.children ?? []) {
        const rest = walk(child);
        if (rest) return [name, ...rest];
      }
      return null;
    };
    return walk(from);
  }

  build(path: string, files: readonly { readonly path: string; readonly text: string }[]): Inventory {
    this.dropInvalidHosts();
    const all = this.addGroup("all", this.rootSpan);
    this.addGroup("ungrouped", this.rootSpan);
    // Every group hangs under `all`; a host named only in `all` (or nowhere else) is ungrouped,
    // and one in a real group is not (Ansible's reconcile_inventory).
    for (const group of this.groups.values()) {
      if (group.name !== "all" && group.parents.size === 0) this.addChild("all", group.name, group.span);
    }
    for (const host of this.hosts.values()) {
      const real = host.groups.some((g) => g !== "all" && g !== "ungrouped");
      const inUngrouped = host.groups.indexOf("ungrouped");
      if (real && inUngrouped >= 0) host.groups.splice(inUngrouped, 1);
      else if (!real && inUngrouped < 0) host.groups.push("ungrouped");
    }

    const depth = new Map<string, number>();
    const depthOf = (name: string, guard: Set<string>): number => {
      const known = depth.get(name);
      if (known !== undefined) return known;
      if (name === "all" || guard.has(name)) return 0;
      guard.add(name);
      let d = 1;
      for (const parent of this.groups.get(name)?.parents ?? []) d = Math.max(d, depthOf(parent, guard) + 1);
      guard.delete(name);
      depth.set(name, d);
      return d;
    };
    const ancestors = new Map<string, ReadonlySet<string>>();
    const ancestorsOf = (name: string): ReadonlySet<string> => {
      const known = ancestors.get(name);
      if (known) return known;
      const set = new Set<string>([name]);
      ancestors.set(name, set);
      for (const parent of this.groups.get(name)?.parents ?? []) for (const a of ancestorsOf(parent)) set.add(a);
      return set;
    };
    const precedence = (a: string, b: string): number => {
      const ga = this.groups.get(a);
      const gb = this.groups.get(b);
      return depthOf(a, new Set()) - depthOf(b, new Set()) || (ga?.priority ?? 1) - (gb?.priority ?? 1) || (a < b ? -1 : a > b ? 1 : 0);
    };

    const groupHosts = new Map<string, string[]>();
    for (const name of this.groups.keys()) groupHosts.set(name, []);
    const allHosts = groupHosts.get("all") ?? [];
    const hosts = new Map<string, InventoryHost>();
    // Hosts with the same set of direct groups share their groups, in precedence order and
    // sorted, and the vars those groups give them.
    const memberships = new Map<string, Membership>();
    for (const host of this.hosts.values()) {
      const key = host.groups.length === 1 ? (host.groups[0] ?? "") : [...host.groups].sort().join("\0");
      let membership = memberships.get(key);
      if (!membership) {
        const member = new Set<string>(["all"]);
        for (const g of host.groups) for (const a of ancestorsOf(g)) member.add(a);
        const ordered = [...member].filter((g) => g !== "all").sort(precedence);
        const groupVars = [
          all.inlineVars,
          ...ordered.map((g) => this.groups.get(g)?.inlineVars),
          all.fileVars,
          ...ordered.map((g) => this.groups.get(g)?.fileVars),
        ];
        membership = {
          sorted: [...ordered].sort(),
          hostLists: ordered.map((g) => groupHosts.get(g)),
          vars: groupVars.filter((v): v is Vars => v !== undefined && v.size > 0),
        };
        memberships.set(key, membership);
      }
      const vars: Record<string, VarValue> = {};
      const set = (value: VarValue, name: string): void => {
        vars[name] = value;
      };
      for (const from of membership.vars) from.forEach(set);
      host.inlineVars.forEach(set);
      host.fileVars?.forEach(set);
      this.checkConnectionVars(host, vars);
      allHosts.push(host.name);
      for (const list of membership.hostLists) list?.push(host.name);
      hosts.set(host.name, { name: host.name, groups: membership.sorted, vars, span: host.span });
    }

    const groups = new Map<string, InventoryGroup>();
    for (const group of this.groups.values()) {
      const vars: Record<string, VarValue> = {};
      for (const [k, v] of group.inlineVars) vars[k] = v;
      for (const [k, v] of group.fileVars) vars[k] = v;
      groups.set(group.name, { name: group.name, hosts: groupHosts.get(group.name) ?? [], children: [...group.children], vars, span: group.span });
    }
    return { path, hosts, groups, files };
  }

  /** Host names are untrusted input: one that is not a host name is an error, and the host is left out. */
  private dropInvalidHosts(): void {
    for (const host of [...this.hosts.values()]) {
      const problem = hostNameProblem(host.name);
      if (problem === null) continue;
      this.diagnostics.push(diag("UPG0325", {
        message: `invalid host name ${JSON.stringify(host.name)}: ${problem}`,
        span: host.span,
        help: "name the host by its DNS name or address, or by an alias (letters, digits, '.', '-', '_') with `ansible_host` set to its address",
      }));
      this.hosts.delete(host.name);
    }
  }

  /** The vars ssh is given as destination, user and port, checked like host names. */
  private checkConnectionVars(host: HostBuild, vars: Readonly<Record<string, VarValue>>): void {
    for (const name of CONNECTION_VARS) {
      if (!(name in vars)) continue;
      const problem = connectionVarProblem(name, vars[name]);
      if (problem === null) continue;
      this.diagnostics.push(diag("UPG0326", {
        message: `host '${host.name}': invalid ${name} ${JSON.stringify(vars[name])}: ${problem}`,
        span: host.span,
        help: `set ${name} to ${name.endsWith("port") ? "a port number" : name.endsWith("user") ? "a user name" : "the host's DNS name or address"}`,
      }));
    }
  }

  /** Merges a group_vars/ or host_vars/ file's vars (a later file wins). */
  setFileVars(kind: "group" | "host", name: string, vars: ReadonlyMap<string, VarValue>): void {
    if (kind === "group") {
      const group = this.groups.get(name);
      if (group) for (const [k, v] of vars) group.fileVars.set(k, v);
      return;
    }
    const host = this.hosts.get(name);
    if (!host) return;
    host.fileVars ??= new Map();
    for (const [k, v] of vars) host.fileVars.set(k, v);
  }
}
