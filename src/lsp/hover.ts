/**
 * Hovers: for a keyword, its documentation (src/parser/keyword-docs.ts, checked against
 * docs/language.md); for a service or template, its settings after merging and the layer
 * each came from (the method, a library template, its own body), as resolve merges them;
 * for a host selection, the hosts it resolves to; for a window, its next occurrences
 * (src/windows/window-clock.ts, the clock compile and run use).
 */
import type { IToken } from "chevrotain";
import type { Span } from "../diagnostics/diagnostic.js";
import type { ModelWindow } from "../compiler/model.js";
import { chainOf, methodOf, type Layer } from "../compiler/resolve/services.js";
import type { Declared } from "../compiler/resolve/scope.js";
import type { HostItem, HostSelection, ServiceDecl } from "../parser/ast.js";
import { keywordMarkdown } from "../parser/keyword-docs.js";
import { keywordTokens, upgLexer } from "../parser/tokens.js";
import { occurrencesBetween } from "../windows/window-clock.js";
import type { Analysis } from "./analysis.js";
import { hostsOfSelection, FIRST_FEW } from "./host-list.js";
import type { Occurrence } from "./symbol-index.js";

export interface HoverAnswer {
  readonly markdown: string;
  readonly span: Span;
}

const keywordTypes = new Set(Object.values(keywordTokens));

/** What to show for the position `offset` of the file shown as `file`; null for nothing. */
export function hoverAt(analysis: Analysis, file: string, offset: number, now: Date): HoverAnswer | null {
  const occurrence = analysis.index.at(file, offset);
  if (occurrence) {
    const markdown = describeOccurrence(analysis, occurrence, now);
    if (markdown) return { markdown, span: occurrence.span };
  }
  const range = rangeAt(analysis, file, offset);
  if (range) return { markdown: describeHosts(`host range \`${range.text}\``, hostsOfSelection(analysis, { items: [range.item], span: range.item.span })), span: range.item.span };
  const text = analysis.result.texts.get(file);
  const token = text === undefined ? undefined : tokenAt(text, offset);
  if (token && keywordTypes.has(token.tokenType)) {
    const markdown = keywordMarkdown(token.image);
    if (markdown) return { markdown, span: { file, start: token.startOffset, end: token.startOffset + token.image.length } };
  }
  return null;
}

/** The token whose text holds an offset (its end included, as a cursor just after a word is on it). */
export function tokenAt(text: string, offset: number): IToken | undefined {
  return upgLexer().tokenize(text).tokens.find((t) => t.startOffset <= offset && offset <= t.startOffset + t.image.length);
}

function describeOccurrence(analysis: Analysis, o: Occurrence, now: Date): string | null {
  switch (o.kind) {
    case "service":
      return describeService(analysis, o.name);
    case "window":
      return describeWindow(analysis, o.name, now);
    case "group":
    case "host":
    case "hosts": {
      const own = describeHosts(`${o.kind === "hosts" ? "host set" : o.kind} \`${o.name}\``, hostsOfSelection(analysis, { items: [{ kind: "name", name: o.name, span: o.span }], span: o.span }));
      return o.selection ? `${own}\n\n${describeSelection(analysis, o.selection)}` : own;
    }
    case "checkpoint": {
      const c = analysis.tables?.checkpoints.get(o.name);
      if (!c) return null;
      return `**checkpoint \`${o.name}\`**, taken before ${c.decl.before.phase}${c.decl.note ? `\n\n${c.decl.note.value}` : ""}${c.decl.restore ? "" : "\n\nno `restore`: rolling back to it restores nothing"}`;
    }
    case "method": {
      const m = analysis.tables?.methods.get(o.name);
      if (!m) return null;
      return `**method \`${o.name}\`**\n\nactions: ${m.decl.actions.map((a) => `\`${a.kind}\``).join(", ") || "none"}\n\nvars: ${m.decl.vars.map((v) => `\`${v.name.text}\``).join(", ") || "none"}`;
    }
    case "connection":
    case "secret":
      return `**${o.kind} \`${o.name}\`**`;
  }
}

interface Setting {
  readonly name: string;
  readonly value: string;
  readonly from: string;
}

/** A service's settings after merging, each with the layer it came from. */
export function serviceSettings(analysis: Analysis, name: string): { readonly layers: readonly string[]; readonly settings: readonly Setting[] } | null {
  const tables = analysis.tables;
  const declared = tables?.services.get(name);
  if (!tables || !declared) return null;
  const layers = chainOf(declared, { tables, diagnostics: [] });
  if (!layers) return null;
  const planDecl = tables.plans[0];
  const method = methodOf(layers, { tables, diagnostics: [], planDeploy: planDecl?.decl.deploy ? { name: planDecl.decl.deploy, namespace: planDecl.file.namespace } : null });
  const layerName = (layer: Layer): string =>
    layer.decl === declared.decl ? "own body" : `${layer.file.stdlib ? "library " : ""}template ${qualifiedOf(layer)}`;
  const source = (layer: { file: { text: string } }, span: Span): string => oneLine(layer.file.text.slice(span.start, span.end));
  const settings: Setting[] = [];
  const nearest = (label: string, pick: (d: ServiceDecl) => { readonly span: Span } | undefined): void => {
    for (const layer of layers) {
      const value = pick(layer.decl);
      if (value) {
        settings.push({ name: label, value: source(layer, value.span), from: layerName(layer) });
        return;
      }
    }
  };
  const everyLayer = (label: string, pick: (d: ServiceDecl) => readonly { readonly span: Span }[]): void => {
    for (const layer of layers) for (const value of pick(layer.decl)) settings.push({ name: label, value: source(layer, value.span), from: layerName(layer) });
  };
  nearest("on", (d) => d.on);
  everyLayer("after", (d) => d.after);
  everyLayer("tags", (d) => d.tags);
  nearest("plane", (d) => d.plane);
  nearest("deploy", (d) => d.deploy);
  nearest("connection", (d) => d.connection);
  nearest("rolling", (d) => d.rolling);
  nearest("maintenance", (d) => d.maintenance);
  nearest("evacuate", (d) => d.evacuate);
  nearest("reboot", (d) => d.reboot);
  nearest("window", (d) => d.window);
  everyLayer("skew", (d) => d.skew);
  nearest("takes", (d) => d.takes);
  nearest("health", (d) => d.health);
  const methodLayer = method ? `method ${method.qualified}` : null;
  // Vars merge by name and actions by kind: the nearest layer's is the one that counts.
  const seen = new Set<string>();
  const once = (name: string, value: string, from: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    settings.push({ name, value, from });
  };
  for (const layer of layers) {
    for (const v of layer.decl.vars) once(`var ${v.name.text}`, source(layer, v.value.span), layerName(layer));
    for (const a of layer.decl.actions) once(a.kind, source(layer, a.action.command.span), layerName(layer));
  }
  if (method && methodLayer) {
    for (const v of method.decl.vars) once(`var ${v.name.text}`, source(method, v.value.span), methodLayer);
    for (const a of method.decl.actions) once(a.kind, source(method, a.action.command.span), methodLayer);
  }
  return { layers: [...layers.map(layerName), ...(methodLayer ? [methodLayer] : [])], settings };
}

function qualifiedOf(layer: Layer): string {
  return layer.file.namespace === null ? layer.decl.name.text : `${layer.file.namespace}.${layer.decl.name.text}`;
}

function describeService(analysis: Analysis, name: string): string | null {
  const merged = serviceSettings(analysis, name);
  const declared: Declared<ServiceDecl> | undefined = analysis.tables?.services.get(name);
  if (!merged || !declared) return null;
  const what = declared.decl.isTemplate ? "template" : "service";
  const lines = [`**${what} \`${name}\`** — layers, nearest first: ${merged.layers.join(" < ")}`];
  const model = analysis.result.model?.services.find((s) => s.name === name);
  if (model) lines.push("", `hosts: ${countAndFirst(model.hosts, model.hosts.length)}`);
  lines.push("", "| setting | value | from |", "|---|---|---|");
  for (const s of merged.settings) lines.push(`| ${s.name} | \`${cell(s.value)}\` | ${s.from} |`);
  return lines.join("\n");
}

function describeWindow(analysis: Analysis, name: string, now: Date): string | null {
  const window: ModelWindow | undefined = analysis.result.model?.windows.find((w) => w.name === name);
  if (!window) return `**window \`${name}\`**`;
  const from = now.getTime();
  const next = occurrencesBetween(window, from, from + 15 * 86_400_000).slice(0, 3);
  const format = (ms: number): string => new Date(ms).toISOString().replace(/:\d\d\.\d{3}Z$/, "Z").replace("T", " ");
  const lines = next.map((o) => `- ${format(o.openMs)} → ${format(o.closeMs)}${o.openInGap ? " (opens at the daylight-saving jump)" : ""}`);
  return `**window \`${name}\`** (${window.zone}, cutoff ${window.cutoff / 60} min)\n\nnext occurrences (UTC):\n${lines.join("\n") || "none in the next 15 days"}`;
}

function describeSelection(analysis: Analysis, selection: HostSelection): string {
  const owner = analysis.result.model?.services.find((s) => analysis.tables?.services.get(s.name)?.decl.on === selection);
  if (owner) return `service \`${owner.name}\` runs on ${countAndFirst(owner.hosts, owner.hosts.length)}`;
  return describeHosts("the whole selection", hostsOfSelection(analysis, selection));
}

function describeHosts(what: string, hosts: { readonly first: readonly string[]; readonly count: number }): string {
  return `**${what}**: ${countAndFirst(hosts.first, hosts.count)}`;
}

function countAndFirst(hosts: readonly string[], count: number): string {
  const shown = hosts.slice(0, FIRST_FEW).map((h) => `\`${h}\``).join(", ");
  return `${count} host${count === 1 ? "" : "s"}${count > 0 ? ` (${shown}${count > FIRST_FEW ? ", …" : ""})` : ""}`;
}

function rangeAt(analysis: Analysis, file: string, offset: number): { item: HostItem; text: string } | null {
  const loaded = analysis.result.program?.files.find((f) => f.path === file);
  if (!loaded) return null;
  for (const decl of loaded.ast.declarations) {
    const selection = decl.type === "service" ? decl.on : decl.type === "hosts" ? decl.hosts : undefined;
    for (const item of selection?.items ?? []) {
      if (item.kind === "range" && item.span.start <= offset && offset <= item.span.end) return { item, text: loaded.text.slice(item.span.start, item.span.end) };
    }
  }
  return null;
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 80 ? `${flat.slice(0, 77)}…` : flat;
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/`/g, "'");
}
