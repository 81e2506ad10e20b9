/**
 * The declaration table: every named declaration of every loaded file, under its qualified
 * name (`openstack.nova-compute` for a file loaded into namespace `openstack`, the bare name
 * for the entry and files imported without `as`), and the lookup rules:
 *
 *   - a qualified name (`openstack.keystone`) is looked up as written;
 *   - a bare name is looked up in the writer's own namespace first, then among the bare
 *     names, so a library's `extends compute-host` finds its own template.
 *
 * Kinds are separate tables: a window and a service may share a name; a template and a
 * service may not (both are extended and planned by the same names).
 */
import type { Code } from "../../diagnostics/codes.js";
import { type Diagnostic, type Span, diag } from "../../diagnostics/diagnostic.js";
import { suggest } from "../../diagnostics/did-you-mean.js";
import type { ConnectionDecl, Declaration, HostsDecl, MethodDecl, Name, PlanDecl, SecretDecl, ServiceDecl, WindowDecl, CheckpointDecl, NotifyDecl } from "../../parser/ast.js";
import type { LoadedFile, Program } from "../program.js";

/** A declaration with where it was written. */
export interface Declared<T> {
  readonly qualified: string;
  readonly decl: T;
  readonly file: LoadedFile;
}

export interface Tables {
  readonly plans: Declared<PlanDecl>[];
  readonly hosts: Map<string, Declared<HostsDecl>>;
  readonly windows: Map<string, Declared<WindowDecl>>;
  readonly secrets: Map<string, Declared<SecretDecl>>;
  readonly connections: Map<string, Declared<ConnectionDecl>>;
  readonly checkpoints: Map<string, Declared<CheckpointDecl>>;
  readonly notifiers: Map<string, Declared<NotifyDecl>>;
  readonly methods: Map<string, Declared<MethodDecl>>;
  /** Services and templates. */
  readonly services: Map<string, Declared<ServiceDecl>>;
}

type TableKind = Exclude<keyof Tables, "plans">;

type TabledDecl = HostsDecl | WindowDecl | SecretDecl | ConnectionDecl | CheckpointDecl | NotifyDecl | MethodDecl | ServiceDecl;

/** The table each kind of named declaration goes in (`plan` has its own list; `use`, `inventory` and `facts` none). */
const TABLE_OF: Record<TabledDecl["type"], TableKind> = {
  hosts: "hosts",
  window: "windows",
  secret: "secrets",
  connection: "connections",
  checkpoint: "checkpoints",
  notify: "notifiers",
  method: "methods",
  service: "services",
};

function isTabled(decl: Declaration): decl is TabledDecl {
  return Object.hasOwn(TABLE_OF, decl.type);
}

const WHAT: Record<TableKind, string> = {
  hosts: "host set",
  windows: "window",
  secrets: "secret",
  connections: "connection",
  checkpoints: "checkpoint",
  notifiers: "notifier",
  methods: "method",
  services: "service",
};

export function qualify(namespace: string | null, name: string): string {
  return namespace === null ? name : `${namespace}.${name}`;
}

/** Every declaration of the program in its table; a name declared twice is UPG0220 pointing at both. */
export function buildTables(program: Program, diagnostics: Diagnostic[]): Tables {
  const tables: Tables = {
    plans: [],
    hosts: new Map(),
    windows: new Map(),
    secrets: new Map(),
    connections: new Map(),
    checkpoints: new Map(),
    notifiers: new Map(),
    methods: new Map(),
    services: new Map(),
  };
  const add = <T extends { readonly name: Name }>(kind: TableKind, file: LoadedFile, decl: T): void => {
    const table = tables[kind] as unknown as Map<string, Declared<T>>;
    const qualified = qualify(file.namespace, decl.name.text);
    const first = table.get(qualified);
    if (first) {
      diagnostics.push(duplicate(kind, qualified, decl.name.span, first.decl.name.span, first.decl, decl));
      return;
    }
    table.set(qualified, { qualified, decl, file });
  };
  for (const file of program.files) {
    for (const decl of file.ast.declarations) {
      if (decl.type === "plan") tables.plans.push({ qualified: decl.name.value, decl, file });
      else if (isTabled(decl)) add(TABLE_OF[decl.type], file, decl);
    }
  }
  return tables;
}

function duplicate(kind: TableKind, name: string, at: Span, first: Span, firstDecl: unknown, decl: unknown): Diagnostic {
  const what = kind === "services" ? kindOfService(decl) : WHAT[kind];
  const firstWhat = kind === "services" ? kindOfService(firstDecl) : WHAT[kind];
  return diag("UPG0220", {
    message: `${what} '${name}' is declared twice`,
    span: at,
    labels: [{ span: first, message: `the ${firstWhat} '${name}' is first declared here` }],
    help: `rename one of them; to change a library's ${firstWhat}, declare a service that extends it`,
  });
}

function kindOfService(decl: unknown): string {
  return (decl as ServiceDecl).isTemplate ? "template" : "service";
}

/** What a lookup found, or why not. */
export type Lookup<T> = { readonly found: Declared<T> } | { readonly found: null; readonly suggestion: string | undefined };

/** Look `name` up from a file in `namespace` (see the module comment). */
export function lookup<T>(table: ReadonlyMap<string, Declared<T>>, name: string, namespace: string | null): Lookup<T> {
  const own = namespace !== null && !name.includes(".") ? table.get(qualify(namespace, name)) : undefined;
  const found = own ?? table.get(name);
  if (found) return { found };
  return { found: null, suggestion: suggest(name, visibleNames(table, namespace)) };
}

/** Names as the writer could spell them: qualified, and bare for her own namespace. */
function visibleNames<T>(table: ReadonlyMap<string, Declared<T>>, namespace: string | null): string[] {
  const names: string[] = [];
  for (const key of table.keys()) {
    names.push(key);
    if (namespace !== null && key.startsWith(`${namespace}.`)) names.push(key.slice(namespace.length + 1));
  }
  return names;
}

/** "unknown window 'nigthly'" with did-you-mean and a help naming what exists. */
export function unknownName(code: Code, what: string, name: Name, suggestion: string | undefined, known: readonly string[]): Diagnostic {
  const listed = known.length === 0 ? `no ${what} is declared` : `declared: ${known.slice(0, 8).join(", ")}${known.length > 8 ? ", …" : ""}`;
  return diag(code, {
    message: `unknown ${what} '${name.text}'`,
    span: name.span,
    ...(suggestion !== undefined ? { help: `did you mean \`${suggestion}\`?` } : { help: `declare it, or use one that exists (${listed})` }),
  });
}
