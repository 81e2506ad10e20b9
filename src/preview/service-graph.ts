/**
 * The service DAG as the graph previews draw it: one node per service with its size and
 * rollout kind, an edge from each dependency to the service that comes after it.
 */
import type { PlanFile, PlanService } from "../plan/plan.js";

export interface ServiceNode {
  readonly name: string;
  readonly hosts: number;
  readonly rolling: boolean;
  readonly plane: "control" | "data";
  /** `3 hosts · rolling 1,1,1` or `2 hosts · all at once`. */
  readonly detail: string;
}

export interface ServiceEdge {
  readonly from: string;
  readonly to: string;
}

export interface ServiceGraph {
  readonly nodes: readonly ServiceNode[];
  readonly edges: readonly ServiceEdge[];
}

function detail(service: PlanService): string {
  const hosts = `${service.hosts.length} ${service.hosts.length === 1 ? "host" : "hosts"}`;
  if (!service.rolling.rolling) return `${hosts} · all at once`;
  const batches = service.rolling.batches.length;
  return `${hosts} · rolling, ${batches} ${batches === 1 ? "batch" : "batches"}`;
}

export function serviceGraph(plan: PlanFile): ServiceGraph {
  const names = new Set(plan.services.map((s) => s.name));
  const nodes = plan.services.map((s) => ({ name: s.name, hosts: s.hosts.length, rolling: s.rolling.rolling, plane: s.plane, detail: detail(s) }));
  const edges = plan.services.flatMap((s) => [...new Set(s.after)].filter((dep) => names.has(dep)).map((dep) => ({ from: dep, to: s.name })));
  return { nodes, edges };
}
