/**
 * resolve: from the loaded program (every file parsed, the inventory read) to the model the
 * plan builder works from. Names are looked up (src/compiler/resolve/scope.ts), services
 * merged from their templates and method (resolve/services.ts), host selections resolved
 * against the inventory (resolve/host-select.ts), amounts turned into host counts, and every
 * placeholder checked (resolve/placeholders.ts); then the checks over the whole model
 * (checks/) and the TypeScript actions (actions/). Never throws for a user's mistake.
 */
import type { Code } from "../diagnostics/codes.js";
import { dirname, relative, resolve as resolvePath } from "node:path";
import { hasErrors, type Diagnostic, type Result, diag } from "../diagnostics/diagnostic.js";
import { pushAll } from "../base/push-all.js";
import { suggest } from "../diagnostics/did-you-mean.js";
import type { CheckpointDecl, ConnectionDecl, DayRange, PlanDecl, Weekday, WindowDecl } from "../parser/ast.js";
import { sha256 } from "../plan/digest.js";
import type { PlanCommandSpec, VarValue } from "../plan/plan.js";
import { placeholderNames } from "../base/placeholder-syntax.js";
import { MAX_SOURCE_BYTES } from "../limits.js";
import { checkActions } from "./actions/module-actions.js";
import { isText } from "../files/file-text.js";
import { checkModel } from "./validate/check-model.js";
import { DEFAULT_PARALLELISM } from "./estimates.js";
import type { Bridged, Model, ModelAction, ModelCheckpoint, ModelHost, ModelPlan, ModelService, ModelWindow } from "./model.js";
import type { Program } from "./program.js";
import type { LoadHost } from "../files/load-host.js";
import { modelAction } from "./resolve/actions.js";
import { HostSelector } from "./resolve/host-select.js";
import { resolveNotifiers } from "./resolve/notifiers.js";
import { checkNotifyPlaceholders, checkPlanPlaceholders, checkServicePlaceholders, serviceActions, type PlaceholderScope } from "./resolve/placeholders.js";
import { buildTables, lookup, type Declared, type Tables } from "./resolve/scope.js";
import { chainOf, mergeService, type MergeContext, type MergedService, type ServiceRef } from "./resolve/services.js";

/** Resolve names, templates, methods and host selections; run the semantic checks. Never throws. */
export function resolve(program: Program, host: LoadHost): Result<Model | null> {
  const diagnostics: Diagnostic[] = [];
  const tables = buildTables(program, diagnostics);
  const planDecl = thePlan(program, tables, diagnostics);
  if (!planDecl) return { value: null, diagnostics };

  const plan = modelPlan(planDecl.decl);
  const windows = [...tables.windows.values()].flatMap((w) => modelWindow(w, diagnostics));
  const checkpoints = [...tables.checkpoints.values()].map((c) => modelCheckpoint(c.qualified, c.decl));
  const secrets = [...tables.secrets.values()].map((s) => ({ name: s.qualified, source: s.decl.source.kind, ref: s.decl.source.value.value }));
  const connections = [...tables.connections.values()].map((c) => modelConnection(c.qualified, c.decl));
  const notifiers = resolveNotifiers(tables, diagnostics);

  const namespace = planDecl.file.namespace;
  const ctx: MergeContext = {
    tables,
    selector: new HostSelector(program.inventory, tables.hosts, diagnostics),
    inventory: program.inventory,
    inventoryOrder: inventoryPositions(program),
    planDeploy: planDecl.decl.deploy ? { name: planDecl.decl.deploy, namespace } : null,
    planConnection: planDecl.decl.connection ? { name: planDecl.decl.connection, namespace } : null,
    diagnostics,
  };
  const merged: MergedService[] = [];
  for (const declared of tables.services.values()) {
    if (declared.decl.isTemplate) continue;
    const layers = chainOf(declared, ctx);
    if (layers) merged.push(mergeService(declared, layers, ctx));
  }
  const services = linkServices(merged, unplannedAfter(tables, ctx), diagnostics);
  const hosts = modelHosts(program, merged, diagnostics);

  const scope: PlaceholderScope = {
    plan,
    secrets: new Set(secrets.map((s) => s.name)),
    hasInventory: declaredInventory(program) !== null,
    hostVars: (name) => program.inventory?.hosts.get(name)?.vars ?? NO_VARS,
  };
  // A service whose method is unknown lacks the method's vars: its placeholders would all be
  // reported. So does one with no method, or the wrong one, whose templates count on a
  // method's vars: that is one mistake, reported once at the service (missingMethod).
  for (const s of merged) {
    const missing = s.method === null && s.methodNamed ? null : missingMethod(s, tables, scope);
    if (missing !== null) diagnostics.push(missing);
    else if (s.method !== null || !s.methodNamed) pushAll(diagnostics, checkServicePlaceholders(s.service, scope));
  }
  for (const c of checkpoints) for (const a of [c.run, c.restore]) if (a) pushAll(diagnostics, checkPlanPlaceholders(a, scope));
  for (const n of notifiers) pushAll(diagnostics, checkNotifyPlaceholders(n, scope));

  const model: Model = {
    plan,
    hosts,
    services,
    windows,
    checkpoints,
    notifiers,
    secrets,
    connections,
    sources: sources(program, services, checkpoints, host),
    entry: program.entry,
    inventoryPath: declaredInventory(program),
  };
  // The checks over the whole model only once every name resolved, so one typo does not
  // come back as a cascade of findings about what it broke.
  if (!hasErrors(diagnostics)) {
    pushAll(diagnostics, checkModel(model, program));
    pushAll(diagnostics, checkActions(model, program, host));
  }
  return { value: model, diagnostics: dedupe(diagnostics) };
}

const NO_VARS: Readonly<Record<string, VarValue>> = {};

/**
 * UPG0250 for a service with no deployment method whose commands (its templates', usually
 * the library's) use vars only a method sets (`{in-service}`, `{on-host}`), UPG0252 when
 * its method does not set them: the fix is the `deploy`, not the placeholders, so it is
 * one error at the service rather than one per command inside the library. Null when the
 * service has every such var.
 */
function missingMethod(s: MergedService, tables: Tables, scope: PlaceholderScope): Diagnostic | null {
  const methods = [...tables.methods.values()];
  const methodVars = new Set(methods.flatMap((m) => m.decl.vars.map((v) => v.name.text)));
  const hosts = s.service.hosts;
  // A value from the service, its method, or every one of its hosts is there.
  const lacking = (name: string): boolean =>
    methodVars.has(name) && s.service.vars[name] === undefined && !(hosts.length > 0 && hosts.every((h) => scope.hostVars(h)[name] !== undefined));
  const needed = new Set<string>();
  for (const action of serviceActions(s.service)) {
    for (const spec of [action.spec, action.done, action.undo === "irreversible" ? null : action.undo]) {
      if (spec === null) continue;
      for (const name of placeholderNames(spec.command)) if (lacking(name)) needed.add(name);
    }
  }
  if (needed.size === 0) return null;
  const fitting = methods.filter((m) => [...needed].every((name) => m.decl.vars.some((v) => v.name.text === name))).map((m) => m.qualified);
  const template = s.templates[0];
  const names = [...needed].map((n) => `{${n}}`).join(", ");
  const first = fitting[0];
  const user = template !== undefined ? `'${template}' uses` : "its commands use";
  if (s.method !== null) {
    return diag("UPG0252", {
      message: `deployment method '${s.method.qualified}' of service '${s.service.name}' does not set ${names}, which ${user}`,
      span: s.service.nameSpan,
      ...(fitting.length > 0 ? { notes: [`methods that set ${names}: ${fitting.join(", ")}`] } : {}),
      help:
        first !== undefined
          ? `deploy it with a method that sets ${names} (e.g. \`deploy ${first}\`), or set ${names} in the service with \`var\``
          : `set ${names} in the service with \`var\``,
    });
  }
  return diag("UPG0250", {
    message: `service '${s.service.name}' has no deployment method, but ${template !== undefined ? `'${template}'` : "its commands"} use${template !== undefined ? "s" : ""} ${names}, which a method sets`,
    span: s.service.nameSpan,
    ...(fitting.length > 1 ? { notes: [`methods that set ${names}: ${fitting.join(", ")}`] } : {}),
    help:
      first !== undefined
        ? `say how it is deployed: add \`deploy ${first}\` (or another method that sets ${names}) to the service, or to the plan for every service`
        : `say how it is deployed with \`deploy METHOD\` in the service or the plan, or set ${names} with \`var\``,
  });
}

/** The one plan of the program: none is UPG0231, a second UPG0232. */
function thePlan(program: Program, tables: Tables, diagnostics: Diagnostic[]): Declared<PlanDecl> | null {
  const [first, ...others] = tables.plans;
  for (const other of others) {
    diagnostics.push(diag("UPG0232", {
      message: "a second plan in one program",
      span: other.decl.name.span,
      labels: first ? [{ span: first.decl.name.span, message: "the plan is declared here" }] : [],
      help: "keep one `plan` block, in the file given to upgradec; imported files hold templates, windows and services",
    }));
  }
  if (first) return first;
  // A plan block the parser could not read (`paln "x" {`) is already reported.
  if (program.files.some((f) => f.syntaxErrors)) return null;
  diagnostics.push(diag("UPG0231", {
    message: "no plan: the program declares no `plan` block",
    span: { file: program.files[0]?.path ?? program.entry, start: 0, end: 0 },
    help: 'say what is upgraded: plan "zed-to-2023.1" { kind upgrade  from "zed" to "2023.1" }',
  }));
  return null;
}

function modelPlan(decl: PlanDecl): ModelPlan {
  const pad = (n: number): string => String(n).padStart(2, "0");
  const start = decl.start;
  return {
    name: decl.name.value,
    kind: decl.kind?.value ?? "upgrade",
    urgent: decl.urgent !== undefined,
    from: decl.from?.value ?? null,
    to: decl.to?.value ?? null,
    ...(decl.from ? { fromSpan: decl.from.span } : {}),
    ...(decl.to ? { toSpan: decl.to.span } : {}),
    start: start
      ? {
          local: `${start.at.year}-${pad(start.at.month)}-${pad(start.at.day)}T${pad(start.at.hour)}:${pad(start.at.minute)}`,
          zone: start.zone.value,
          span: start.span,
        }
      : null,
    parallelism: decl.parallelism?.value ?? DEFAULT_PARALLELISM,
    span: decl.span,
  };
}

const WEEK: readonly Weekday[] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/** `mon..fri, sun` → the days, Monday first, each once; a range may wrap (`fri..mon`). */
export function expandDays(ranges: readonly DayRange[]): Weekday[] {
  const on = new Set<Weekday>();
  for (const r of ranges) {
    let i = WEEK.indexOf(r.from);
    const end = WEEK.indexOf(r.to);
    for (let guard = 0; guard < 7; guard++) {
      on.add(WEEK[i] as Weekday);
      if (i === end) break;
      i = (i + 1) % 7;
    }
  }
  return WEEK.filter((d) => on.has(d));
}

function modelWindow(declared: Declared<WindowDecl>, diagnostics: Diagnostic[]): ModelWindow[] {
  const w = declared.decl;
  const missing = [w.from ? null : "from", w.to ? null : "to", w.zone ? null : "zone"].filter((m): m is string => m !== null);
  if (missing.length > 0 || !w.from || !w.to || !w.zone) {
    diagnostics.push(diag("UPG0233", {
      message: `window '${declared.qualified}' has no ${missing.join(", no ")}`,
      span: w.name.span,
      help: 'a window needs its hours and zone: window nightly { days mon..fri  from 22:00 to 06:00  zone "Europe/Berlin" }',
    }));
    return [];
  }
  return [
    {
      name: declared.qualified,
      // No `days`: every day.
      days: w.days.length > 0 ? expandDays(w.days) : [...WEEK],
      from: w.from.hour * 60 + w.from.minute,
      to: w.to.hour * 60 + w.to.minute,
      zone: w.zone.value,
      cutoff: w.cutoff?.seconds ?? 0,
      span: w.span,
    },
  ];
}

function modelCheckpoint(name: string, c: CheckpointDecl): ModelCheckpoint {
  return {
    name,
    before: c.before.phase,
    run: c.run ? modelAction(c.run) : null,
    restore: c.restore ? modelAction(c.restore) : null,
    note: c.note?.value ?? null,
    span: c.span,
  };
}

function modelConnection(name: string, c: ConnectionDecl): Model["connections"][number] {
  return {
    name,
    exec: c.exec ? c.exec.argv.map((a) => a.value) : [],
    probe: c.probe ? modelAction(c.probe).spec : null,
  };
}

/** What an unplanned template is after, to follow a library's order through it. */
type UnplannedAfter = (ref: ServiceRef) => { readonly qualified: string; readonly after: readonly ServiceRef[] } | null;

/** The `after` of the template `ref` names, along its `extends` chain, as the library wrote it. */
function unplannedAfter(tables: Tables, ctx: MergeContext): UnplannedAfter {
  return (ref) => {
    const found = lookup(tables.services, ref.name.text, ref.namespace).found;
    if (!found?.decl.isTemplate) return null;
    // A broken chain is reported where a planned service uses it, not here.
    const layers = chainOf(found, { ...ctx, diagnostics: [] });
    if (!layers) return null;
    const after = layers.flatMap((l) => l.decl.after.map((name) => ({ name, namespace: l.file.namespace, inherited: true })));
    return { qualified: found.qualified, after };
  };
}

/**
 * `after` and `skew` names to planned services. A name matches the service of that name,
 * and every service extending the template of that name as seen from where it was written:
 * the library's `after nova-conductor` matches the operator's `service nova-conductor` and
 * her `service conductors extends openstack.nova-conductor` alike.
 */
function linkServices(merged: readonly MergedService[], unplanned: UnplannedAfter, diagnostics: Diagnostic[]): ModelService[] {
  const byName = new Map(merged.map((m) => [m.service.name, m]));
  const byTemplate = new Map<string, string[]>();
  for (const m of merged) for (const t of m.templates) byTemplate.set(t, [...(byTemplate.get(t) ?? []), m.service.name]);

  const targets = (ref: ServiceRef): string[] => {
    const names = new Set<string>();
    const qualified = ref.namespace !== null && !ref.name.text.includes(".") ? `${ref.namespace}.${ref.name.text}` : ref.name.text;
    for (const key of new Set([ref.name.text, qualified])) {
      if (byName.has(key)) names.add(key);
      for (const s of byTemplate.get(key) ?? []) names.add(s);
    }
    return [...names];
  };
  const link = (owner: MergedService, ref: ServiceRef, code: Code, what: string): string[] => {
    const found = targets(ref).filter((n) => n !== owner.service.name || !ref.inherited);
    if (found.length > 0 || ref.inherited) return found;
    const suggestion = suggest(ref.name.text, byName.keys());
    diagnostics.push(diag(code, {
      message: `unknown service '${ref.name.text}' in ${what}`,
      span: ref.name.span,
      help: suggestion !== undefined ? `did you mean \`${suggestion}\`?` : `plan it (service ${ref.name.text} { ... }) or leave it out`,
    }));
    return [];
  };

  /**
   * A library's `after` naming a template no planned service extends is followed through it
   * (and on, through others the plan leaves out) to the planned services that template comes
   * after: leaving cinder-scheduler out of a plan does not let cinder-volume jump ahead of
   * keystone. Each bridged link keeps the templates it went through, for the preview.
   */
  const bridge = (owner: MergedService, start: ServiceRef): Bridged[] => {
    const out: Bridged[] = [];
    const seen = new Set<string>();
    const queue: { ref: ServiceRef; through: readonly string[] }[] = [{ ref: start, through: [] }];
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
      const planned = targets(item.ref).filter((n) => n !== owner.service.name);
      if (planned.length > 0) {
        for (const name of planned) if (!out.some((b) => b.after === name)) out.push({ after: name, through: item.through });
        continue;
      }
      const template = unplanned(item.ref);
      if (template === null || seen.has(template.qualified)) continue;
      seen.add(template.qualified);
      const through = [...item.through, template.qualified];
      for (const ref of template.after) queue.push({ ref, through });
    }
    return out;
  };

  return merged.map((m) => {
    const after: string[] = [];
    const bridged: Bridged[] = [];
    for (const ref of m.after) {
      const linked = link(m, ref, "UPG0400", "`after`");
      if (linked.length === 0 && ref.inherited) {
        for (const b of bridge(m, ref)) {
          if (after.includes(b.after)) continue;
          after.push(b.after);
          bridged.push(b);
        }
        continue;
      }
      for (const name of linked) {
        if (name === m.service.name) {
          diagnostics.push(diag("UPG0402", {
            message: `service '${name}' is after itself`,
            span: ref.name.span,
            help: "remove it from its own `after` list",
          }));
        } else if (!after.includes(name)) after.push(name);
      }
    }
    const skew = m.skew.map((rule) => ({
      kind: rule.kind,
      services: [...new Set(rule.services.flatMap((ref) => link(m, ref, "UPG0401", "`skew`")))].filter((n) => n !== m.service.name),
      span: rule.span,
    }));
    // A link written directly wins over the same one bridged.
    const direct = bridged.filter((b) => !m.after.some((ref) => targets(ref).includes(b.after)));
    return { ...m.service, after, bridged: direct, skew: skew.filter((r) => r.services.length > 0) };
  });
}

/** The inventory file the program names, if any (its hosts may come from a facts file only). */
function declaredInventory(program: Program): string | null {
  const path = program.inventory?.path ?? null;
  return path === null || path === program.facts?.path ? null : path;
}

/** Each inventory host's position in the inventory. */
function inventoryPositions(program: Program): Map<string, number> {
  const positions = new Map<string, number>();
  program.inventory?.hosts.forEach((_host, name) => positions.set(name, positions.size));
  return positions;
}

/** The planned hosts: inventory order, then hosts named only in the .upg files; each host's connection. */
function modelHosts(program: Program, merged: readonly MergedService[], diagnostics: Diagnostic[]): ModelHost[] {
  // The first service to plan each host, whose connection the host takes.
  const chosenBy = new Map<string, MergedService>();
  for (const m of merged) {
    const hosts = m.service.hosts;
    for (let i = 0; i < hosts.length; i++) {
      const h = hosts[i] as string;
      const had = chosenBy.get(h);
      if (!had) {
        chosenBy.set(h, m);
      } else if (had.connection.name !== m.connection.name) {
        diagnostics.push(diag("UPG0235", {
          message: `host '${h}' is reached through connection '${m.connection.name}' by service '${m.service.name}' but through '${had.connection.name}' by service '${had.service.name}'`,
          span: m.connection.span ?? m.service.nameSpan,
          ...(had.connection.span ? { labels: [{ span: had.connection.span, message: `'${had.connection.name}' is chosen here` }] } : {}),
          help: "a host has one connection: set it once in the plan (`connection NAME`), or give both services the same one",
        }));
      }
    }
  }
  const inventory = program.inventory;
  const hosts: ModelHost[] = [];
  // forEach, not for…of over entries: no [name, value] pair per host.
  inventory?.hosts.forEach((h, name) => {
    const c = chosenBy.get(name);
    if (c) hosts.push({ name, groups: h.groups, vars: h.vars, connection: c.connection.name });
  });
  chosenBy.forEach((c, name) => {
    if (!inventory?.hosts.has(name)) hosts.push({ name, groups: [], vars: {}, connection: c.connection.name });
  });
  return hosts;
}

/** Every file the plan depends on, with its sha256: the .upg files, the inventory's files, the TypeScript actions. */
function sources(program: Program, services: readonly ModelService[], checkpoints: readonly ModelCheckpoint[], host: LoadHost): Model["sources"] {
  const out: { path: string; sha256: string; kind: "upg" | "inventory" | "facts" | "action" }[] = [];
  for (const f of program.files) out.push({ path: f.path, sha256: sha256(f.text), kind: "upg" });
  for (const f of program.inventory?.files ?? []) out.push({ path: f.path, sha256: sha256(f.text), kind: "inventory" });
  if (program.facts) out.push({ path: program.facts.path, sha256: sha256(program.facts.text), kind: "facts" });
  const entryDir = dirname(resolvePath(host.cwd, program.entry));
  const seen = new Set<string>();
  const actions = [...services.flatMap(serviceActions), ...checkpoints.flatMap((c) => [c.run, c.restore]).filter((a): a is ModelAction => a !== null)];
  const specs = actions.flatMap((a) => [a.spec, a.done, a.undo === "irreversible" ? null : a.undo]).filter((x): x is PlanCommandSpec => x !== null);
  for (const { command } of specs) {
    if (command.kind !== "module") continue;
    const absolute = resolvePath(entryDir, command.module);
    if (seen.has(absolute)) continue;
    seen.add(absolute);
    const text = host.readFile(absolute, MAX_SOURCE_BYTES);
    if (isText(text)) out.push({ path: relative(host.cwd, absolute), sha256: sha256(text), kind: "action" });
  }
  return out;
}

/** A template's mistake is reported once, not once per service extending it. */
function dedupe(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.code}|${d.span?.file}|${d.span?.start}|${d.span?.end}|${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
