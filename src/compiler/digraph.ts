/**
 * Walks over a directed graph of nodes 0..n-1 given as successor lists. Every walk is a
 * loop with its own stack, never a recursion: a hostile source can chain 200,000
 * services or a million hosts, deeper than the call stack goes.
 */

/** Node n's successors. */
export type Successors = readonly (readonly number[])[];

/** The nodes in an order where each comes after all it points to (Kahn), or null on a cycle. */
export function reverseTopologicalOrder(succ: Successors): number[] | null {
  const n = succ.length;
  const waiting = new Int32Array(n);
  const preds: number[][] = Array.from({ length: n }, () => []);
  for (let v = 0; v < n; v++) {
    for (const w of succ[v] ?? []) {
      waiting[v] = (waiting[v] ?? 0) + 1;
      preds[w]?.push(v);
    }
  }
  const order: number[] = [];
  for (let v = 0; v < n; v++) if (waiting[v] === 0) order.push(v);
  for (let i = 0; i < order.length; i++) {
    for (const p of preds[order[i] as number] ?? []) {
      waiting[p] = (waiting[p] ?? 0) - 1;
      if (waiting[p] === 0) order.push(p);
    }
  }
  return order.length === n ? order : null;
}

/**
 * The strongly connected components that hold a cycle (more than one node, or a node that
 * points to itself), by Tarjan's algorithm with an explicit stack.
 */
export function cyclicComponents(succ: Successors): number[][] {
  const n = succ.length;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const out: number[][] = [];
  let next = 0;
  // The walk's own call stack: a node and how many of its successors it has looked at.
  const callNode: number[] = [];
  const callEdge: number[] = [];
  const enter = (v: number): void => {
    index[v] = next;
    low[v] = next;
    next++;
    stack.push(v);
    onStack[v] = 1;
    callNode.push(v);
    callEdge.push(0);
  };
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    enter(root);
    while (callNode.length > 0) {
      const top = callNode.length - 1;
      const v = callNode[top] as number;
      const edges = succ[v] ?? [];
      const i = callEdge[top] as number;
      if (i < edges.length) {
        callEdge[top] = i + 1;
        const w = edges[i] as number;
        if (index[w] === -1) enter(w);
        else if (onStack[w] === 1) low[v] = Math.min(low[v] as number, index[w] as number);
        continue;
      }
      callNode.pop();
      callEdge.pop();
      const parent = callNode[callNode.length - 1];
      if (parent !== undefined) low[parent] = Math.min(low[parent] as number, low[v] as number);
      if (low[v] !== index[v]) continue;
      const component: number[] = [];
      for (;;) {
        const w = stack.pop() as number;
        onStack[w] = 0;
        component.push(w);
        if (w === v) break;
      }
      if (component.length > 1 || edges.includes(v)) out.push(component);
    }
  }
  return out;
}
