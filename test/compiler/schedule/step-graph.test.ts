/**
 * The job graph (src/compiler/schedule/step-graph.ts) merges twin jobs before it is walked;
 * what its walks answer on the merged graph must be what graphlib answers on the whole one.
 */
import { Graph, alg } from "@dagrejs/graphlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { JobGraph } from "../../../src/compiler/schedule/step-graph.js";

/** Batches of chains between markers, as expand makes them, plus random edges: the shape twins come from, and the shape that breaks them. */
const graphs = fc
  .record({
    batches: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 5 }),
    tails: fc.boolean(),
    extra: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 12 }),
  })
  .map(({ batches, tails, extra }) => {
    const from: number[] = [];
    const to: number[] = [];
    let jobs = 1; // job 0: the entry marker
    let marker = 0;
    let previous: number[] = [];
    for (const size of batches) {
      const chains = Array.from({ length: size }, (_, i) => jobs + i);
      jobs += size;
      const next = jobs++;
      for (const c of chains) {
        from.push(marker, c);
        to.push(c, next);
      }
      if (tails) {
        for (const c of previous) {
          from.push(c);
          to.push(next);
        }
      }
      previous = chains;
      marker = next;
    }
    for (const [a, b] of extra) {
      from.push(a % jobs);
      to.push(b % jobs);
    }
    return { jobs, from, to };
  });

function wholeGraph(jobs: number, from: number[], to: number[]): Graph {
  const g = new Graph({ directed: true });
  for (let j = 0; j < jobs; j++) g.setNode(String(j));
  from.forEach((f, i) => {
    if (f !== to[i]) g.setEdge(String(f), String(to[i]));
  });
  return g;
}

describe("the job graph", () => {
  it("has a cycle exactly when the whole graph has one, and otherwise a topological order of every job", () => {
    fc.assert(
      fc.property(graphs, ({ jobs, from, to }) => {
        const graph = new JobGraph(jobs, Int32Array.from(from), Int32Array.from(to));
        const whole = wholeGraph(jobs, from, to);
        const result = graph.topologicalOrder();
        if (!alg.isAcyclic(whole)) {
          expect("cycles" in result && result.cycles.length > 0).toBe(true);
          if ("cycles" in result) {
            // Each reported cycle's jobs lie on one cycle of the whole graph.
            const sccs = alg.tarjan(whole).map((c) => new Set(c.map(Number)));
            for (const cycle of result.cycles) expect(sccs.some((scc) => cycle.every((j) => scc.has(j)) && scc.size > 1)).toBe(true);
          }
          return;
        }
        expect("order" in result).toBe(true);
        if (!("order" in result)) return;
        expect([...result.order].sort((a, b) => a - b)).toEqual(Array.from({ length: jobs }, (_, j) => j));
        const position = new Map(result.order.map((j, i) => [j, i]));
        from.forEach((f, i) => {
          if (f !== to[i]) expect(position.get(f) as number).toBeLessThan(position.get(to[i] as number) as number);
        });
        for (let j = 0; j < jobs; j++) expect([...graph.predecessors(j)]).toEqual((whole.predecessors(String(j)) ?? []).map(Number).sort((a, b) => a - b));
      }),
      { numRuns: 300 },
    );
  });

  it("gives each batch's chains one node", () => {
    // marker 0 → chains 1..1000 → marker 1001
    const chains = Array.from({ length: 1000 }, (_, i) => i + 1);
    const graph = new JobGraph(1002, Int32Array.from([...chains.map(() => 0), ...chains]), Int32Array.from([...chains, ...chains.map(() => 1001)]));
    expect(graph.classSuccessors.length).toBe(3);
    expect(graph.classSuccessors.flat().length).toBe(2);
    expect(new Set(chains.map((c) => graph.classOfJob(c))).size).toBe(1);
  });

  it("orders and finds cycles in a chain of a million jobs without running out of stack", () => {
    const n = 1_000_000;
    const from = Int32Array.from({ length: n - 1 }, (_, i) => i);
    const to = Int32Array.from({ length: n - 1 }, (_, i) => i + 1);
    const chain = new JobGraph(n, from, to).topologicalOrder();
    expect("order" in chain && chain.order.length).toBe(n);
    const closed = new JobGraph(n, Int32Array.from([...from, n - 1]), Int32Array.from([...to, 0])).topologicalOrder();
    expect("cycles" in closed && closed.cycles.length).toBe(1);
  });
});
