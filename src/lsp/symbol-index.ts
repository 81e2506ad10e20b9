/**
 * Every place a name of the program is declared or used, with what it refers to: the
 * index behind go to definition, find references, hovers on names and the outline. Names
 * are looked up with resolve's own rules (compiler/resolve/scope.ts), so a definition is
 * where the compiler would find it: `openstack.nova-compute` in the standard library's
 * file, a group in the inventory file.
 */
import type { Span } from "../diagnostics/diagnostic.js";
import type { Inventory } from "../inventory/inventory.js";
import type { HostSelection, Name, ServiceDecl } from "../parser/ast.js";
import type { LoadedFile, Program } from "../compiler/program.js";
import { lookup, qualify, type Tables } from "../compiler/resolve/scope.js";

/** The kinds of names; services and templates share one (they share one table). */
export type SymbolKind = "service" | "method" | "window" | "checkpoint" | "hosts" | "group" | "host" | "connection" | "secret";

export interface Occurrence {
  readonly kind: SymbolKind;
  /** The qualified name it refers to (as written when it refers to nothing known). */
  readonly name: string;
  readonly span: Span;
  readonly declaration: boolean;
  /** Resolved to a declaration of the program (or the inventory). */
  readonly known: boolean;
  /** For an item of an `on` selection or a `hosts` set: the whole selection. */
  readonly selection?: HostSelection;
  /** The namespace of the file it is written in. */
  readonly namespace: string | null;
}

export interface SymbolIndex {
  readonly occurrences: readonly Occurrence[];
  /** The occurrence whose span holds an offset of a file (shown path). */
  at(file: string, offset: number): Occurrence | undefined;
  /** The declaration of a name of a kind. */
  declaration(kind: SymbolKind, name: string): Occurrence | undefined;
  /** Every occurrence of a name of a kind, its declaration included. */
  uses(kind: SymbolKind, name: string): Occurrence[];
}

/** Index every declaration and name use of a loaded program. */
export function buildIndex(program: Program | null, tables: Tables | null): SymbolIndex {
  const occurrences: Occurrence[] = [];
  if (program && tables) {
    for (const file of program.files) indexFile(file, tables, program.inventory, occurrences);
    if (program.inventory) indexInventory(program.inventory, occurrences);
  }
  const byFile = new Map<string, Occurrence[]>();
  for (const o of occurrences) {
    const list = byFile.get(o.span.file) ?? [];
    list.push(o);
    byFile.set(o.span.file, list);
  }
  const key = (kind: SymbolKind, name: string): string => `${kind}\u0000${name}`;
  const declarations = new Map<string, Occurrence>();
  for (const o of occurrences) if (o.declaration && !declarations.has(key(o.kind, o.name))) declarations.set(key(o.kind, o.name), o);
  return {
    occurrences,
    at: (file, offset) => byFile.get(file)?.find((o) => o.span.start <= offset && offset <= o.span.end),
    declaration: (kind, name) => declarations.get(key(kind, name)),
    uses: (kind, name) => occurrences.filter((o) => o.kind === kind && o.name === name),
  };
}

function indexFile(file: LoadedFile, tables: Tables, inventory: Inventory | null, into: Occurrence[]): void {
  const namespace = file.namespace;
  const declared = (kind: SymbolKind, name: Name): void => {
    into.push({ kind, name: qualify(namespace, name.text), span: name.span, declaration: true, known: true, namespace });
  };
  const used = <T>(kind: SymbolKind, table: ReadonlyMap<string, { readonly qualified: string } & T>, name: Name | undefined): void => {
    if (!name) return;
    const found = lookup(table as ReadonlyMap<string, never>, name.text, namespace).found as { qualified: string } | null;
    into.push({ kind, name: found?.qualified ?? name.text, span: name.span, declaration: false, known: found !== null, namespace });
  };
  const selection = (hosts: HostSelection | undefined): void => {
    if (!hosts) return;
    for (const item of hosts.items) {
      if (item.kind !== "name") continue;
      const name: Name = { text: item.name, span: item.span };
      if (inventory?.groups.has(item.name)) into.push({ kind: "group", name: item.name, span: item.span, declaration: false, known: true, selection: hosts, namespace });
      else if (lookup(tables.hosts, item.name, namespace).found) used("hosts", tables.hosts, name);
      else into.push({ kind: "host", name: item.name, span: item.span, declaration: false, known: inventory?.hosts.has(item.name) ?? false, selection: hosts, namespace });
      const last = into[into.length - 1];
      if (last && last.selection === undefined) into[into.length - 1] = { ...last, selection: hosts };
    }
  };
  for (const decl of file.ast.declarations) {
    switch (decl.type) {
      case "plan":
        used("method", tables.methods, decl.deploy);
        used("connection", tables.connections, decl.connection);
        break;
      case "hosts":
        declared("hosts", decl.name);
        selection(decl.hosts);
        break;
      case "window":
        declared("window", decl.name);
        break;
      case "secret":
        declared("secret", decl.name);
        break;
      case "connection":
        declared("connection", decl.name);
        break;
      case "checkpoint":
        declared("checkpoint", decl.name);
        break;
      case "method":
        declared("method", decl.name);
        break;
      case "service":
        declared("service", decl.name);
        indexService(decl, tables, used, selection);
        break;
      case "use":
      case "inventory":
        break;
    }
  }
}

type Use = <T>(kind: SymbolKind, table: ReadonlyMap<string, { readonly qualified: string } & T>, name: Name | undefined) => void;

/** The names a service or template body uses: what it extends, comes after, deploys with, waits for. */
function indexService(decl: ServiceDecl, tables: Tables, used: Use, selection: (hosts: HostSelection | undefined) => void): void {
  selection(decl.on);
  used("service", tables.services, decl.extends);
  for (const name of decl.after) used("service", tables.services, name);
  for (const rule of decl.skew) for (const name of rule.services) used("service", tables.services, name);
  used("method", tables.methods, decl.deploy);
  used("connection", tables.connections, decl.connection);
  used("window", tables.windows, decl.window);
  used("window", tables.windows, decl.reboot?.window);
}

function indexInventory(inventory: Inventory, into: Occurrence[]): void {
  for (const group of inventory.groups.values()) {
    into.push({ kind: "group", name: group.name, span: group.span, declaration: true, known: true, namespace: null });
  }
  for (const host of inventory.hosts.values()) {
    into.push({ kind: "host", name: host.name, span: host.span, declaration: true, known: true, namespace: null });
  }
}
