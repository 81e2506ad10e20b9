/**
 * The step graph as a graphlib graph, at the level the scheduler works: one node per job
 * (a host's chain is one node; its steps are in a fixed order anyway), one edge per pair of
 * jobs an `after` joins. Topological order and cycles come from it; at 10k hosts this graph
 * is a seventh the size of the step-level one.
 *
 * A node is named by its job's index ("0", "1", ...): graphlib keys its tables by node name
 * and by edge id (both names joined), and short numeric names make building a graph of
 * 50k edges several times faster than step ids would. jobNode and jobOfNode convert.
 */
import { Graph, alg } from "@dagrejs/graphlib";
import type { DraftStep, Expansion } from "../expand/draft.js";

export const jobNode = (job: number): string => String(job);
export const jobOfNode = (node: string): number => Number(node);

export function jobGraph(x: Expansion): Graph {
  const g = new Graph({ directed: true, multigraph: false, compound: false });
  const name = jobNode;
  for (let j = 0; j < x.jobs.length; j++) g.setNode(name(j));
  // Many steps of one job wait for the same job: each pair is set once (graphlib's setEdge
  // is the costly part of building this graph).
  const jobs = x.jobs.length;
  const seen = new Set<number>();
  x.steps.forEach((s, i) => {
    const to = x.jobOfStep[i] as number;
    for (const p of s.after) {
      const from = x.jobOfStep[p] as number;
      const pair = from * jobs + to;
      if (from === to || seen.has(pair)) continue;
      seen.add(pair);
      g.setEdge(name(from), name(to));
    }
  });
  return g;
}

/** Jobs in topological order, or the cycles when there is none. */
export function topologicalOrder(g: Graph): { order: number[] } | { cycles: number[][] } {
  try {
    return { order: alg.topsort(g).map(jobOfNode) };
  } catch (error) {
    if (error instanceof alg.CycleException) return { cycles: alg.findCycles(g).map((cycle) => cycle.map(jobOfNode)) };
    throw error;
  }
}

/**
 * The critical path, as step ids: from the step that ends last, back through whatever made
 * each step start when it did: the step before it in its host's chain, the `after` step
 * that ended last, or, when it waited for a cap, a slot or a window, the step whose end let
 * it go (the scheduler records both as the job's cause). A job with no recorded cause falls
 * back to its latest-ending predecessor in the graph.
 */
export function criticalPath(x: Expansion, g: Graph, start: Float64Array, cause: Int32Array): string[] {
  const end = (i: number): number => (start[i] as number) + (x.steps[i] as DraftStep).duration;
  let at = -1;
  // On a tie the later step wins (creation order is topological), so the path ends at the
  // marker that closes the plan rather than at a step just before it.
  for (let i = 0; i < x.steps.length; i++) if (at < 0 || end(i) >= end(at)) at = i;
  const path: string[] = [];
  const seen = new Set<number>();
  while (at >= 0 && !seen.has(at)) {
    seen.add(at);
    const step = x.steps[at] as DraftStep;
    path.push(step.id);
    const job = x.jobOfStep[at] as number;
    if (at > (x.jobs[job]?.first ?? at)) {
      at -= 1;
      continue;
    }
    const c = cause[job] ?? -1;
    if (c >= 0) {
      at = c;
      continue;
    }
    let best = -1;
    for (const name of g.predecessors(jobNode(job)) ?? []) {
      const j = jobOfNode(name);
      const last = (x.jobs[j]?.first ?? 0) + (x.jobs[j]?.count ?? 1) - 1;
      if (end(last) <= (start[at] as number) && (best < 0 || end(last) > end(best))) best = last;
    }
    at = best;
  }
  return path.reverse();
}
