/**
 * Checks over the service dependency graph: cycles among `after` lists (UPG0420), and
 * version-skew rules that the ordering does not enforce (UPG0421). An edge a → b means
 * "a is upgraded after b". Names that are not planned services are resolve's to report;
 * they are left out of the graph here.
 */
import { type Diagnostic, diag } from "../../diagnostics/diagnostic.js";
import { cyclicComponents } from "../digraph.js";
import type { Model, ModelService } from "../model.js";

export function checkGraph(model: Model): Diagnostic[] {
  const graph = serviceGraph(model.services);
  return [...checkCycles(model.services, graph), ...checkSkew(model.services, graph)];
}

/** Services by their index in the model; `after[i]` the indices service i comes after. */
interface ServiceGraph {
  readonly index: ReadonlyMap<string, number>;
  readonly after: readonly (readonly number[])[];
}

function serviceGraph(services: readonly ModelService[]): ServiceGraph {
  const index = new Map(services.map((s, i) => [s.name, i]));
  const after = services.map((s) => [...new Set(s.after.flatMap((dep) => index.get(dep) ?? []))]);
  return { index, after };
}

/** One diagnostic per strongly connected component, shown as one cycle through its first-declared service. */
function checkCycles(services: readonly ModelService[], graph: ServiceGraph): Diagnostic[] {
  const components = cyclicComponents(graph.after).map((c) => [...c].sort((a, b) => a - b));
  components.sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0));
  const byName = new Map(services.map((s) => [s.name, s]));
  return components.map((component) => cycleDiagnostic(cyclePath(graph, component).map((i) => (services[i] as ModelService).name), byName));
}

/** The shortest cycle from the component's first service back to itself, staying inside the component. */
function cyclePath(graph: ServiceGraph, component: readonly number[]): number[] {
  const start = component[0] as number;
  const inside = new Set(component);
  const cameFrom = new Map<number, number>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i] as number;
    for (const next of graph.after[node] ?? []) {
      if (!inside.has(next)) continue;
      if (next === start) return [...pathTo(node, cameFrom, start), start];
      if (cameFrom.has(next)) continue;
      cameFrom.set(next, node);
      queue.push(next);
    }
  }
  return [start, start];
}

function pathTo(node: number, cameFrom: ReadonlyMap<number, number>, start: number): number[] {
  const path = [node];
  for (let at = node; at !== start; ) {
    at = cameFrom.get(at) as number;
    path.push(at);
  }
  return path.reverse();
}

function cycleDiagnostic(path: readonly string[], byName: ReadonlyMap<string, ModelService>): Diagnostic {
  const first = byName.get(path[0] as string) as ModelService;
  const steps = path.slice(0, -1).map((name, i) => ({ service: byName.get(name) as ModelService, next: path[i + 1] as string }));
  return diag("UPG0420", {
    message: `dependency cycle: ${path.join(" → ")}`,
    span: first.nameSpan,
    labels: steps.slice(1).map(({ service, next }) => ({ span: service.nameSpan, message: `\`${service.name}\` is after \`${next}\`` })),
    help: `remove one of these \`after\` dependencies; for example, drop \`${path[1]}\` from the \`after\` of \`${first.name}\``,
  });
}

/** Every skew rule needs its service ordered (transitively) after each service it names. */
function checkSkew(services: readonly ModelService[], graph: ServiceGraph): Diagnostic[] {
  const byName = new Map(services.map((s) => [s.name, s]));
  const out: Diagnostic[] = [];
  for (const s of services) {
    // Only services with a rule walk the graph: a walk from each of 20,000 chained services is quadratic.
    if (s.skew.length === 0) continue;
    const reachable = new Set([...dependenciesOf(graph, graph.index.get(s.name) ?? -1)].map((i) => (services[i] as ModelService).name));
    for (const rule of s.skew) {
      for (const other of rule.services) {
        const target = byName.get(other);
        if (!target || other === s.name || reachable.has(other)) continue;
        const why = rule.kind === "needs-new" ? `needs \`${other}\` at the new version first` : `must never be newer than \`${other}\``;
        out.push(diag("UPG0421", {
          message: `version skew: \`${s.name}\` ${why}, but is not ordered after it`,
          span: rule.span,
          labels: [{ span: target.nameSpan, message: `\`${other}\` is declared here` }],
          notes: [`without an \`after\` path from \`${s.name}\` to \`${other}\`, \`${s.name}\` may be upgraded first or at the same time`],
          help: `add \`after ${other}\` to service ${s.name}`,
        }));
      }
    }
  }
  return out;
}

/** Every service that `name` comes after, directly or through others. */
function dependenciesOf(graph: ServiceGraph, service: number): Set<number> {
  const seen = new Set<number>();
  const stack = [...(graph.after[service] ?? [])];
  while (stack.length > 0) {
    const next = stack.pop() as number;
    if (seen.has(next)) continue;
    seen.add(next);
    for (const dep of graph.after[next] ?? []) stack.push(dep);
  }
  return seen;
}
