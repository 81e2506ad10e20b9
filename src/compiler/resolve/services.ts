/**
 * A planned service from its declaration, the templates it extends and its deployment
 * method, the nearest layer winning field by field:
 *
 *   method  <  root template  <  …  <  parent template  <  the service itself
 *
 * Vars merge by name, actions by kind, `rolling`, `maintenance`, `evacuate` and `reboot`
 * option by option; `tags`, `after` and `skew` add up along the chain. Names written in a
 * layer are looked up from that layer's file, so a library template's `extends compute-host`
 * finds the library's own template.
 */
import { type Diagnostic, type Span, diag } from "../../diagnostics/diagnostic.js";
import { pushAll } from "../../base/push-all.js";
import { SET_VARS } from "../../facts/facts-inventory.js";
import { hostSetsOf, type HostSetCap } from "../../plan/host-sets.js";
import type { Inventory } from "../../inventory/inventory.js";
import { numberOf } from "../../inventory/var-value.js";
import type { Action, ActionKind, Amount, MethodDecl, Name, RollingDecl, ServiceDecl } from "../../parser/ast.js";
import { commandSpec, runOptions, type VarValue } from "../../plan/plan.js";
import { DEFAULT_HEALTH } from "../estimates.js";
import type { ModelAction, ModelRolling, ModelService } from "../model.js";
import type { LoadedFile } from "../program.js";
import { modelAction } from "./actions.js";
import { cutIntoBatches } from "./compose-batches.js";
import type { HostSelector } from "./host-select.js";
import { lookup, unknownName, type Declared, type Tables } from "./scope.js";

/** One layer of a service: its declaration and the file it was written in. */
export interface Layer {
  readonly decl: ServiceDecl;
  readonly file: LoadedFile;
}

/** A name in `after` or `skew` as written, to be resolved once every service is known. */
export interface ServiceRef {
  readonly name: Name;
  readonly namespace: string | null;
  /** Written in a template: a name the operator's cloud does not plan is left out, not an error. */
  readonly inherited: boolean;
}

/** A service merged from its layers, `after` and `skew` still as written. */
export interface MergedService {
  readonly service: Omit<ModelService, "after" | "skew" | "bridged">;
  /** Qualified names of the templates it extends, nearest first. */
  readonly templates: readonly string[];
  readonly after: readonly ServiceRef[];
  readonly skew: readonly { readonly kind: "needs-new" | "never-newer-than"; readonly services: readonly ServiceRef[]; readonly span: Span }[];
  /** The connection its hosts use. */
  readonly connection: { readonly name: string; readonly span: Span | null };
  /** Every layer, nearest first, and the method, for the placeholder check. */
  readonly layers: readonly Layer[];
  readonly method: Declared<MethodDecl> | null;
  /** A method was named (found or not). */
  readonly methodNamed: boolean;
}

export interface MergeContext {
  readonly tables: Tables;
  readonly selector: HostSelector;
  readonly inventory: Inventory | null;
  /** Each inventory host's position, for rollouts in inventory order. */
  readonly inventoryOrder: ReadonlyMap<string, number>;
  /** The plan's `deploy` and `connection`, with the plan file's namespace. */
  readonly planDeploy: { readonly name: Name; readonly namespace: string | null } | null;
  readonly planConnection: { readonly name: Name; readonly namespace: string | null } | null;
  readonly diagnostics: Diagnostic[];
}

/** The service and the templates it extends, nearest first; null when `extends` is broken. */
export function chainOf(service: Declared<ServiceDecl>, ctx: Pick<MergeContext, "tables" | "diagnostics">): Layer[] | null {
  const layers: Layer[] = [{ decl: service.decl, file: service.file }];
  const seen = new Set<string>([service.qualified]);
  let current: Layer = layers[0] as Layer;
  while (current.decl.extends) {
    const name = current.decl.extends;
    const found = lookup(ctx.tables.services, name.text, current.file.namespace);
    if (!found.found) {
      const templates = [...ctx.tables.services.values()].filter((s) => s.decl.isTemplate).map((s) => s.qualified);
      ctx.diagnostics.push(unknownName("UPG0221", "template", name, found.suggestion, templates));
      return null;
    }
    const parent = found.found;
    if (!parent.decl.isTemplate) {
      ctx.diagnostics.push(diag("UPG0222", {
        message: `'${parent.qualified}' is a service, not a template: only templates can be extended`,
        span: name.span,
        labels: [{ span: parent.decl.name.span, message: "declared as a service here" }],
        help: `declare the shared part as \`template\` and let both services extend it`,
      }));
      return null;
    }
    if (seen.has(parent.qualified)) {
      const path = [...layers.map((l) => l.decl.name.text), parent.decl.name.text].join(" → ");
      ctx.diagnostics.push(diag("UPG0223", {
        message: `templates extend each other in a cycle: ${path}`,
        span: name.span,
        help: "break the cycle: a template may extend another only if that one does not, through others, extend it",
      }));
      return null;
    }
    seen.add(parent.qualified);
    current = { decl: parent.decl, file: parent.file };
    layers.push(current);
  }
  return layers;
}

/** The first layer (nearest first) for which `pick` gives a value, with that layer. */
function nearest<T>(layers: readonly Layer[], pick: (d: ServiceDecl) => T | undefined): { value: T; layer: Layer } | null {
  for (const layer of layers) {
    const value = pick(layer.decl);
    if (value !== undefined) return { value, layer };
  }
  return null;
}

export function mergeService(service: Declared<ServiceDecl>, layers: readonly Layer[], ctx: MergeContext): MergedService {
  const method = methodOf(layers, ctx);
  const rootFirst = [...layers].reverse();

  const vars: Record<string, VarValue> = {};
  const actions: Partial<Record<ActionKind, ModelAction>> = {};
  for (const v of method?.decl.vars ?? []) vars[v.name.text] = varValue(v.value);
  for (const a of method?.decl.actions ?? []) actions[a.kind] = modelAction(a.action);
  const tags: string[] = [];
  const after: ServiceRef[] = [];
  const skew: MergedService["skew"][number][] = [];
  for (const layer of rootFirst) {
    const inherited = layer.decl !== service.decl;
    for (const v of layer.decl.vars) vars[v.name.text] = varValue(v.value);
    for (const a of layer.decl.actions) actions[a.kind] = modelAction(a.action);
    for (const t of layer.decl.tags) if (!tags.includes(t.name)) tags.push(t.name);
    for (const name of layer.decl.after) after.push({ name, namespace: layer.file.namespace, inherited });
    for (const rule of layer.decl.skew) {
      skew.push({ kind: rule.kind, services: rule.services.map((name) => ({ name, namespace: layer.file.namespace, inherited })), span: rule.span });
    }
  }

  const on = nearest(layers, (d) => d.on);
  const selected = on ? ctx.selector.select(on.value, on.layer.file.namespace) : [];
  const evacuate = evacuateOf(layers);
  for (const layer of layers) ctx.diagnostics.push(...zeroBatches(layer.decl.rolling));
  const domainSizes = (domainVar: string): Map<string, number> => {
    const sizes = new Map<string, number>();
    for (const h of selected) {
      const v = ctx.inventory?.hosts.get(h)?.vars[domainVar];
      if (v !== undefined) sizes.set(String(v), (sizes.get(String(v)) ?? 0) + 1);
    }
    return sizes;
  };
  const hostVarsOf = (h: string): Readonly<Record<string, VarValue>> => ctx.inventory?.hosts.get(h)?.vars ?? {};
  // A var is one of sets when the facts define it so, or when a host holds a list in it.
  const isSetVar = (v: string): boolean => SET_VARS.includes(v) || selected.some((h) => Array.isArray(hostVarsOf(h)[v]));
  const setsOf = (v: string, amount: Amount): HostSetCap[] => hostSetsOf(selected, v, hostVarsOf, (size) => (amount.kind === "int" ? amount.value : amountOf(amount, size, 1)));
  const ramp = rollingOf(layers, tags.includes("rolling-upgrade"), selected.length, domainSizes, { isSetVar, setsOf });
  const ordered = orderHosts(selected, ramp.order, evacuate?.countVar ?? "instances", ctx, service.decl);
  const { hosts, rolling } = cutIntoBatches(ordered, ramp, (host, name) => ctx.inventory?.hosts.get(host)?.vars[name]);

  const maintenanceEnter = nearest(layers, (d) => d.maintenance?.enter);
  const maintenanceExit = nearest(layers, (d) => d.maintenance?.exit);
  const rebootDecl = nearest(layers, (d) => d.reboot);
  const health = nearest(layers, (d) => d.health);
  const window = nearest(layers, (d) => d.window);

  return {
    service: {
      name: service.qualified,
      extends: layers[1] ? qualifiedOf(layers[1]) : null,
      hosts,
      tags,
      plane: nearest(layers, (d) => d.plane?.value)?.value ?? "control",
      vars,
      rolling,
      actions,
      maintenance:
        maintenanceEnter || maintenanceExit
          ? { enter: maintenanceEnter ? modelAction(maintenanceEnter.value) : null, exit: maintenanceExit ? modelAction(maintenanceExit.value) : null }
          : null,
      evacuate,
      reboot: rebootDecl
        ? {
            action: actionOrNull(nearest(layers, (d) => d.reboot?.action)?.value),
            window: windowName(nearest(layers, (d) => d.reboot?.window), ctx),
            takes: nearest(layers, (d) => d.reboot?.takes?.seconds)?.value ?? null,
          }
        : null,
      window: windowName(window, ctx),
      takes: nearest(layers, (d) => d.takes?.seconds)?.value ?? null,
      health: health
        ? {
            action: modelAction(health.value.action),
            every: health.value.every?.seconds ?? DEFAULT_HEALTH.every,
            within: health.value.within?.seconds ?? DEFAULT_HEALTH.within,
            healthyFor: health.value.healthyFor?.seconds ?? DEFAULT_HEALTH.healthyFor,
            onDeadline: health.value.onDeadline ?? "stop",
          }
        : null,
      span: service.decl.span,
      nameSpan: service.decl.name.span,
    },
    templates: layers.slice(1).map(qualifiedOf),
    after,
    skew,
    connection: connectionOf(layers, ctx),
    layers,
    method,
    methodNamed: nearest(layers, (d) => d.deploy) !== null || ctx.planDeploy !== null,
  };
}

function qualifiedOf(layer: Layer): string {
  return layer.file.namespace === null ? layer.decl.name.text : `${layer.file.namespace}.${layer.decl.name.text}`;
}

function actionOrNull(action: Action | undefined): ModelAction | null {
  return action ? modelAction(action) : null;
}

export function varValue(value: ServiceDecl["vars"][number]["value"]): VarValue {
  return value.kind === "list" ? value.items.map((i) => i.value) : value.value;
}

/** The deployment method: the nearest `deploy`, else the plan's; null when none is named. */
/** The deployment method of a service: the nearest layer's `deploy`, else the plan's. */
export function methodOf(layers: readonly Layer[], ctx: Pick<MergeContext, "tables" | "diagnostics" | "planDeploy">): Declared<MethodDecl> | null {
  const own = nearest(layers, (d) => d.deploy);
  const ref = own ? { name: own.value, namespace: own.layer.file.namespace } : ctx.planDeploy;
  if (!ref) return null;
  const found = lookup(ctx.tables.methods, ref.name.text, ref.namespace);
  if (found.found) return found.found;
  ctx.diagnostics.push(unknownName("UPG0224", "deployment method", ref.name, found.suggestion, [...ctx.tables.methods.keys()]));
  return null;
}

function connectionOf(layers: readonly Layer[], ctx: MergeContext): MergedService["connection"] {
  const own = nearest(layers, (d) => d.connection);
  const ref = own ? { name: own.value, namespace: own.layer.file.namespace } : ctx.planConnection;
  if (!ref) return { name: "local", span: null };
  const found = lookup(ctx.tables.connections, ref.name.text, ref.namespace);
  if (found.found) return { name: found.found.qualified, span: ref.name.span };
  if (ref.name.text === "local") return { name: "local", span: ref.name.span };
  ctx.diagnostics.push(unknownName("UPG0225", "connection", ref.name, found.suggestion, ["local", ...ctx.tables.connections.keys()]));
  return { name: "local", span: ref.name.span };
}

function windowName(ref: { value: Name; layer: Layer } | null, ctx: MergeContext): string | null {
  if (!ref) return null;
  const found = lookup(ctx.tables.windows, ref.value.text, ref.layer.file.namespace);
  if (found.found) return found.found.qualified;
  ctx.diagnostics.push(unknownName("UPG0228", "window", ref.value, found.suggestion, [...ctx.tables.windows.keys()]));
  return null;
}

/** An evacuation with no `timeout` of its own is stopped after this long (seconds). */
export const DEFAULT_EVACUATION_TIMEOUT = 1800;

function evacuateOf(layers: readonly Layer[]): ModelService["evacuate"] {
  const strategy = nearest(layers, (d) => d.evacuate?.strategy.value);
  if (!strategy) return null;
  const written = nearest(layers, (d) => d.evacuate?.timeout?.seconds)?.value ?? DEFAULT_EVACUATION_TIMEOUT;
  const run = actionOrNull(nearest(layers, (d) => d.evacuate?.run)?.value);
  // The one deadline the evacuation has: the plan file, `{timeout}` and the step agree.
  const timeout = Math.min(written, run?.spec.timeout ?? written);
  return {
    strategy: strategy.value,
    concurrency: nearest(layers, (d) => d.evacuate?.concurrency?.value)?.value ?? 1,
    timeout,
    run: run === null ? null : boundedBy(run, timeout),
    countVar: nearest(layers, (d) => d.evacuate?.countVar?.text)?.value ?? "instances",
    capacityVar: nearest(layers, (d) => d.evacuate?.capacityVar?.text)?.value ?? null,
  };
}

/**
 * The evacuation's `timeout` is the deadline of its `run` command on each host: the runtime
 * stops the command (its whole process group) when it passes. A `timeout` written on the run
 * itself applies too; the shorter wins.
 */
function boundedBy(run: ModelAction, timeout: number): ModelAction {
  const own = run.spec.timeout ?? null;
  if (own !== null && own <= timeout) return run;
  return { ...run, spec: commandSpec(run.spec.command, { ...runOptions(run.spec), timeout }) };
}

/** UPG0510 for each `batch` entry of 0 (or 0%): a batch of no host never ends the rollout. */
function zeroBatches(rolling: RollingDecl | undefined): Diagnostic[] {
  return (rolling?.batch ?? [])
    .filter((a) => (a.kind === "int" ? a.value : a.percent) === 0)
    .map((a) => (diag("UPG0510", {
      message: `a batch of ${a.kind === "int" ? "0" : "0%"} hosts: every batch takes at least one host`,
      span: a.span,
      help: "write `batch 1` for one host at a time, or a count or share above 0 (e.g. `batch 1, 10%`)",
    })));
}

/** A count or a share of `n` hosts: a share rounds down, to at least `min`. */
export function amountOf(amount: Amount, n: number, min: number): number {
  if (amount.kind === "int") return amount.value;
  return Math.max(min, Math.floor((amount.percent * n) / 100));
}

function perDomainCaps(
  perDomain: { readonly amount: Amount; readonly per?: { readonly text: string } } | undefined,
  n: number,
  domainSizes: (domainVar: string) => ReadonlyMap<string, number>,
): Pick<ModelRolling, "maxUnavailablePerDomain" | "maxUnavailableByDomain"> {
  if (!perDomain || !perDomain.per) return { maxUnavailablePerDomain: null, maxUnavailableByDomain: null };
  const byDomain = capsByDomain(perDomain.amount, domainSizes(perDomain.per.text));
  if (byDomain === null) return { maxUnavailablePerDomain: amountOf(perDomain.amount, n, 1), maxUnavailableByDomain: null };
  return { maxUnavailablePerDomain: Math.max(1, ...Object.values(byDomain)), maxUnavailableByDomain: byDomain };
}

/** A share per domain is a share of each domain value's hosts: one cap per value. */
function capsByDomain(amount: Amount, sizes: ReadonlyMap<string, number>): Record<string, number> | null {
  if (amount.kind === "int" || sizes.size === 0) return null;
  const out: Record<string, number> = {};
  for (const [value, size] of [...sizes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) out[value] = amountOf(amount, size, 1);
  return out;
}

/** The caps per set of hosts (`max-unavailable 50% per aggregate`): the nearest layer's for each var. */
function hostSetCaps(layers: readonly Layer[], sets: HostSetSource): Pick<ModelRolling, "hostSets" | "hostSetSpans"> {
  const spans: Record<string, Span> = {};
  const out: HostSetCap[] = [];
  for (const layer of layers) {
    for (const m of layer.decl.rolling?.maxUnavailable ?? []) {
      const v = m.per?.text;
      if (v === undefined || !sets.isSetVar(v) || v in spans) continue;
      spans[v] = m.span;
      pushAll(out, sets.setsOf(v, m.amount));
    }
  }
  return Object.keys(spans).length === 0 ? {} : { hostSets: out, hostSetSpans: spans };
}

interface HostSetSource {
  readonly isSetVar: (v: string) => boolean;
  readonly setsOf: (v: string, amount: Amount) => HostSetCap[];
}

function rollingOf(layers: readonly Layer[], rolling: boolean, n: number, domainSizes: (domainVar: string) => ReadonlyMap<string, number>, sets: HostSetSource): ModelRolling {
  const field = <T>(pick: (r: RollingDecl) => T | undefined): T | undefined => nearest(layers, (d) => (d.rolling ? pick(d.rolling) : undefined))?.value;
  const batch = field((r) => (r.batch.length > 0 ? r.batch : undefined)) ?? [];
  const batches = batch.map((a) => amountOf(a, n, 1));
  const global = field((r) => r.maxUnavailable.find((m) => m.per === undefined));
  const perDomain = field((r) => r.maxUnavailable.find((m) => m.per !== undefined && !sets.isSetVar(m.per.text)));
  const maxFailures = field((r) => r.maxFailures);
  const order = field((r) => r.order);
  const deadline = field((r) => r.deadline);
  const largestBatch = Math.max(1, ...batches);
  return {
    rolling,
    batches: batches.length > 0 ? batches : [1],
    continuous: field((r) => (r.batch.length > 0 ? r.continuousSpan !== undefined : undefined)) ?? false,
    // With no cap of its own, a service is capped by its own batches.
    maxUnavailable: global ? amountOf(global.amount, n, 1) : perDomain ? Math.max(n, 1) : largestBatch,
    domain: perDomain?.per?.text ?? null,
    ...perDomainCaps(perDomain, n, domainSizes),
    pause: field((r) => r.pause?.seconds) ?? 0,
    maxFailures: maxFailures ? { count: amountOf(maxFailures.amount, n, 0), scope: maxFailures.scope, cancel: maxFailures.cancel } : { count: 0, scope: "run", cancel: false },
    order: !order || order.kind === "inventory" ? "inventory" : order.kind === "empty-first" ? "empty-first" : { by: order.var?.text ?? "" },
    deadline: deadline ? { seconds: deadline.within.seconds, onDeadline: deadline.onDeadline } : null,
    ...hostSetCaps(layers, sets),
  };
}

/** Inventory order, then the rolling `order`: fewest instances first, or by a host var. */
function orderHosts(selected: readonly string[], order: ModelRolling["order"], countVar: string, ctx: MergeContext, decl: ServiceDecl): string[] {
  const inventory = ctx.inventory;
  const position = (h: string): number => ctx.inventoryOrder.get(h) ?? Number.MAX_SAFE_INTEGER;
  const hosts = [...selected].sort((a, b) => position(a) - position(b));
  const vars = (h: string): Readonly<Record<string, VarValue>> => inventory?.hosts.get(h)?.vars ?? {};
  if (order === "inventory") return hosts;
  if (order === "empty-first") return hosts.sort((a, b) => (numberOf(vars(a)[countVar]) ?? 0) - (numberOf(vars(b)[countVar]) ?? 0));
  const missing = hosts.filter((h) => vars(h)[order.by] === undefined);
  if (missing.length > 0 && decl.rolling?.order) {
    ctx.diagnostics.push(diag("UPG0236", {
      message: `${missing.length} host${missing.length === 1 ? " has" : "s have"} no var '${order.by}' to order by: they go last`,
      span: decl.rolling.order.span,
      notes: [`without '${order.by}': ${missing.slice(0, 6).join(", ")}${missing.length > 6 ? ", …" : ""}`],
      help: `set '${order.by}' for every host in the inventory (host_vars/ or the host line)`,
    }));
  }
  return hosts.sort((a, b) => {
    const va = vars(a)[order.by];
    const vb = vars(b)[order.by];
    if (va === undefined || vb === undefined) return va === undefined ? (vb === undefined ? 0 : 1) : -1;
    const na = numberOf(va);
    const nb = numberOf(vb);
    if (na !== null && nb !== null) return na - nb;
    return String(va) < String(vb) ? -1 : String(va) > String(vb) ? 1 : 0;
  });
}
