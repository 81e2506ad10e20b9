/**
 * Host selections (`on compute, cmp[001-010], gw1`) to host names. A name item is, in this
 * order: a `hosts` set, an inventory group (`all` included), an inventory host. With an
 * inventory every selected host must be in it (a typo in a host name would otherwise plan a
 * host that does not exist); without one, names and ranges are the hosts.
 */
import { type Diagnostic, diag } from "../../diagnostics/diagnostic.js";
import { suggest } from "../../diagnostics/did-you-mean.js";
import type { Inventory } from "../../inventory/inventory.js";
import type { HostItem, HostRangeItem, HostSelection, HostsDecl } from "../../parser/ast.js";
import { MAX_HOSTS } from "../../limits.js";
import { lookup, type Declared } from "./scope.js";

export class HostSelector {
  private readonly sets = new Map<string, readonly string[]>();
  private readonly resolving = new Set<string>();
  /** Host names made from ranges so far: the program's ranges together name at most MAX_HOSTS. */
  private fromRanges = 0;

  constructor(
    private readonly inventory: Inventory | null,
    private readonly hostSets: ReadonlyMap<string, Declared<HostsDecl>>,
    private readonly diagnostics: Diagnostic[],
  ) {}

  /** The hosts of a selection, in the order written, each once. */
  select(selection: HostSelection, namespace: string | null): string[] {
    const out = new Set<string>();
    for (const item of selection.items) for (const host of this.item(item, namespace)) out.add(host);
    return [...out];
  }

  /** A host set's hosts (each set resolved once; a set that reaches itself is UPG0234). */
  private hostSet(set: Declared<HostsDecl>): readonly string[] {
    const done = this.sets.get(set.qualified);
    if (done) return done;
    if (this.resolving.has(set.qualified)) {
      this.diagnostics.push(diag("UPG0234", {
        message: `host set '${set.qualified}' includes itself`,
        span: set.decl.name.span,
        help: "a host set may name groups, hosts and other sets, but never, through them, itself",
      }));
      return [];
    }
    this.resolving.add(set.qualified);
    const hosts = this.select(set.decl.hosts, set.file.namespace);
    this.resolving.delete(set.qualified);
    this.sets.set(set.qualified, hosts);
    return hosts;
  }

  private item(item: HostItem, namespace: string | null): readonly string[] {
    if (item.kind === "range") return this.range(item);
    const set = lookup(this.hostSets, item.name, namespace);
    if (set.found) return this.hostSet(set.found);
    const inventory = this.inventory;
    if (inventory === null) return [item.name];
    if (item.name === "all") return [...inventory.hosts.keys()];
    const group = inventory.groups.get(item.name);
    if (group) return group.hosts;
    if (inventory.hosts.has(item.name)) return [item.name];
    const candidates = [...this.hostSets.keys(), ...inventory.groups.keys(), ...inventory.hosts.keys()];
    const suggestion = suggest(item.name, candidates);
    this.diagnostics.push(diag("UPG0226", {
      message: `unknown host or group '${item.name}'`,
      span: item.span,
      notes: [`the inventory '${inventory.path}' has groups: ${[...inventory.groups.keys()].filter((g) => g !== "all" && g !== "ungrouped").slice(0, 12).join(", ")}`],
      help: suggestion !== undefined ? `did you mean \`${suggestion}\`?` : "name a group or host of the inventory, or declare a set with `hosts NAME = ...`",
    }));
    return [];
  }

  private range(item: HostRangeItem): readonly string[] {
    const count = item.to - item.from + 1;
    if (this.fromRanges + count > MAX_HOSTS) {
      this.diagnostics.push(diag("UPG0237", {
        message: `the host ranges of this program name more than ${MAX_HOSTS} hosts`,
        span: item.span,
        help: "split the cloud into several plans, or narrow the ranges",
      }));
      return [];
    }
    this.fromRanges += count;
    const names: string[] = [];
    for (let n = item.from; n <= item.to; n++) names.push(`${item.prefix}${String(n).padStart(item.width, "0")}${item.suffix}`);
    const inventory = this.inventory;
    if (inventory === null) return names;
    const missing = names.filter((h) => !inventory.hosts.has(h));
    if (missing.length > 0) {
      this.diagnostics.push(diag("UPG0227", {
        message: `${missing.length} of the ${names.length} hosts of this range ${missing.length === 1 ? "is" : "are"} not in the inventory`,
        span: item.span,
        notes: [`not in '${inventory.path}': ${missing.slice(0, 6).join(", ")}${missing.length > 6 ? ", …" : ""}`],
        help: "narrow the range to the hosts the inventory has, or add the hosts to the inventory",
      }));
    }
    return names.filter((h) => inventory.hosts.has(h));
  }
}
