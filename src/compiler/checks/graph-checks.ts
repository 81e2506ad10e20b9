/**
 * Checks over the service dependency graph: cycles among `after` lists (UPG0420), and
 * version-skew rules that the ordering does not enforce (UPG0421). An edge a → b means
 * "a is upgraded after b". Names that are not planned services are resolve's to report;
 * they are left out of the graph here.
 */
import { Graph, alg } from "@dagrejs/graphlib";
import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import type { Model, ModelService } from "../model.js";

export function checkGraph(model: Model): Diagnostic[] {
  const graph = serviceGraph(model.services);
  return [...checkCycles(model.services, graph), ...checkSkew(model.services, graph)];
}

function serviceGraph(services: readonly ModelService[]): Graph {
  const g = new Graph({ directed: true });
  for (const s of services) g.setNode(s.name);
  for (const s of services) {
    for (const dep of s.after) if (g.hasNode(dep)) g.setEdge(s.name, dep);
  }
  return g;
}

/** One diagnostic per strongly connected component, shown as one cycle through its first-declared service. */
function checkCycles(services: readonly ModelService[], graph: Graph): Diagnostic[] {
  const byName = new Map(services.map((s) => [s.name, s]));
  const order = new Map(services.map((s, i) => [s.name, i]));
  const components = alg.findCycles(graph).map((c) => [...c].sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0)));
  components.sort((a, b) => (order.get(a[0] ?? "") ?? 0) - (order.get(b[0] ?? "") ?? 0));
  return components.map((component) => cycleDiagnostic(cyclePath(graph, component), byName));
}

/** The shortest cycle from the component's first service back to itself, staying inside the component. */
function cyclePath(graph: Graph, component: readonly string[]): string[] {
  const start = component[0] as string;
  const inside = new Set(component);
  const cameFrom = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i] as string;
    for (const next of graph.successors(node) ?? []) {
      if (!inside.has(next)) continue;
      if (next === start) return [...pathTo(node, cameFrom, start), start];
      if (cameFrom.has(next)) continue;
      cameFrom.set(next, node);
      queue.push(next);
    }
  }
  return [start, start];
}

function pathTo(node: string, cameFrom: ReadonlyMap<string, string>, start: string): string[] {
  const path = [node];
  for (let at = node; at !== start; ) {
    at = cameFrom.get(at) as string;
    path.unshift(at);
  }
  return path;
}

function cycleDiagnostic(path: readonly string[], byName: ReadonlyMap<string, ModelService>): Diagnostic {
  const first = byName.get(path[0] as string) as ModelService;
  const steps = path.slice(0, -1).map((name, i) => ({ service: byName.get(name) as ModelService, next: path[i + 1] as string }));
  return {
    code: "UPG0420",
    severity: "error",
    message: `dependency cycle: ${path.join(" → ")}`,
    span: first.nameSpan,
    labels: steps.slice(1).map(({ service, next }) => ({ span: service.nameSpan, message: `\`${service.name}\` is after \`${next}\`` })),
    help: `remove one of these \`after\` dependencies; for example, drop \`${path[1]}\` from the \`after\` of \`${first.name}\``,
  };
}

/** Every skew rule needs its service ordered (transitively) after each service it names. */
function checkSkew(services: readonly ModelService[], graph: Graph): Diagnostic[] {
  const byName = new Map(services.map((s) => [s.name, s]));
  const out: Diagnostic[] = [];
  for (const s of services) {
    const reachable = dependenciesOf(graph, s.name);
    for (const rule of s.skew) {
      for (const other of rule.services) {
        const target = byName.get(other);
        if (!target || other === s.name || reachable.has(other)) continue;
        const why = rule.kind === "needs-new" ? `needs \`${other}\` at the new version first` : `must never be newer than \`${other}\``;
        out.push({
          code: "UPG0421",
          severity: "error",
          message: `version skew: \`${s.name}\` ${why}, but is not ordered after it`,
          span: rule.span,
          labels: [{ span: target.nameSpan, message: `\`${other}\` is declared here` }],
          notes: [`without an \`after\` path from \`${s.name}\` to \`${other}\`, \`${s.name}\` may be upgraded first or at the same time`],
          help: `add \`after ${other}\` to service ${s.name}`,
        });
      }
    }
  }
  return out;
}

/** Every service that `name` comes after, directly or through others. */
function dependenciesOf(graph: Graph, name: string): Set<string> {
  const seen = new Set<string>();
  const stack = [...(graph.successors(name) ?? [])];
  while (stack.length > 0) {
    const next = stack.pop() as string;
    if (seen.has(next)) continue;
    seen.add(next);
    stack.push(...(graph.successors(next) ?? []));
  }
  return seen;
}
