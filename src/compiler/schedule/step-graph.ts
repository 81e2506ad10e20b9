/**
 * The step graph at the level the scheduler works: jobs (a host's chain is one job; its
 * steps are in a fixed order anyway), joined where a step of one waits for a step of another.
 * Topological order and cycles come from the graph of its twin classes (below), by walks
 * that keep their own stack (compiler/digraph.ts): a million hosts are deeper than the call stack.
 *
 * That graph has one node per class of twin jobs: jobs that wait for exactly the same jobs
 * and are waited for by exactly the same jobs, as the chains of one batch are (each waits for
 * the previous batch's marker, and the batch's marker waits for each). Merging twins keeps
 * what is asked of the graph: two twins are never joined to each other (a path from one to
 * the other would, through their shared successors, be a cycle), so the merged graph has a
 * cycle exactly when the job graph has one, and a topological order of it, each class's jobs
 * in place of the class, is one of the job graph. At 10k hosts the job graph has some 20k
 * nodes and 50k edges, and the merged one a few hundred of each.
 */
import { cyclicComponents, reverseTopologicalOrder } from "../digraph.js";
import type { DraftStep, Expansion } from "../expand/draft.js";

/** Adjacency lists of all nodes in one array: node n's are list[start[n]] .. list[start[n + 1] - 1]. */
interface Lists {
  readonly start: Int32Array;
  readonly list: Int32Array;
}

export class JobGraph {
  /** The graph of the twin classes: each class's successors (the classes that wait for it). */
  readonly classSuccessors: readonly (readonly number[])[];
  private readonly preds: Lists;
  private readonly classOf: Int32Array;
  private readonly members: Lists;

  /**
   * @param from, to: the edges, job `from[e]` before job `to[e]`; repeated edges count once,
   * and an edge from a job to itself is none.
   */
  constructor(jobCount: number, from: Int32Array, to: Int32Array) {
    this.preds = distinctLists(lists(jobCount, to, from));
    const succs = reversed(this.preds);
    this.classOf = twinClasses(jobCount, this.preds, succs);
    const classes = this.classOf.reduce((n, c) => Math.max(n, c + 1), 0);
    const jobs = Int32Array.from({ length: jobCount }, (_, j) => j);
    this.members = lists(classes, this.classOf, jobs);

    const classSuccessors: number[][] = [];
    // Twins share their successors, so a class's edges are those of its first job.
    for (let c = 0; c < classes; c++) {
      const first = this.members.list[this.members.start[c] as number] as number;
      const seen = new Set<number>();
      for (let k = succs.start[first] as number; k < (succs.start[first + 1] as number); k++) seen.add(this.classOf[succs.list[k] as number] as number);
      classSuccessors.push([...seen]);
    }
    this.classSuccessors = classSuccessors;
  }

  /** The graph of an expansion's jobs: a step's `after` joins its job to the jobs of the steps it waits for. */
  static of(x: Expansion): JobGraph {
    const { start, list } = x.after;
    // One edge per entry of the lists, in their order.
    const from = new Int32Array(list.length);
    const to = new Int32Array(list.length);
    for (let i = 0; i < x.steps.length; i++) {
      for (let k = start[i] as number; k < (start[i + 1] as number); k++) {
        from[k] = x.jobOfStep[list[k] as number] as number;
        to[k] = x.jobOfStep[i] as number;
      }
    }
    return new JobGraph(x.jobs.length, from, to);
  }

  /** Jobs in topological order, or, when there is none, the cycles (each as jobs in order). */
  topologicalOrder(): { order: number[] } | { cycles: number[][] } {
    const classes = reverseTopologicalOrder(this.classSuccessors);
    if (classes !== null) {
      // Reversed: a class after every class it waits for.
      const order: number[] = [];
      for (let i = classes.length - 1; i >= 0; i--) for (const job of this.jobsOf(classes[i] as number)) order.push(job);
      return { order };
    }
    // Any job of each class on the cycle makes it a cycle of jobs: adjacent classes are
    // joined job to job.
    return { cycles: cyclicComponents(this.classSuccessors).map((cycle) => cycle.map((c) => this.jobsOf(c)[0] as number)) };
  }

  /** The jobs a job waits for. */
  predecessors(job: number): Int32Array {
    return this.preds.list.subarray(this.preds.start[job], this.preds.start[job + 1]);
  }

  /** The twin class a job belongs to: its node in `graph`. */
  classOfJob(job: number): number {
    return this.classOf[job] as number;
  }

  private jobsOf(c: number): Int32Array {
    return this.members.list.subarray(this.members.start[c], this.members.start[c + 1]);
  }
}

/** Sorted lists without repeats, and without a node in its own list. */
function distinctLists(l: Lists): Lists {
  const start = new Int32Array(l.start.length);
  const list = new Int32Array(l.list.length);
  let at = 0;
  for (let n = 0; n + 1 < l.start.length; n++) {
    start[n] = at;
    for (let k = l.start[n] as number; k < (l.start[n + 1] as number); k++) {
      const v = l.list[k] as number;
      // Sorted: a repeat follows the value it repeats.
      if (v !== n && (k === l.start[n] || v !== l.list[k - 1])) list[at++] = v;
    }
  }
  start[l.start.length - 1] = at;
  return { start, list: list.subarray(0, at) };
}

/** The lists the other way round: m in n's list becomes n in m's. */
function reversed(l: Lists): Lists {
  const owner = new Int32Array(l.list.length);
  for (let n = 0; n + 1 < l.start.length; n++) owner.fill(n, l.start[n], l.start[n + 1]);
  return lists(l.start.length - 1, l.list, owner);
}

/** For each node, the values of its pairs (key[i], value[i]), sorted ascending. */
function lists(nodes: number, key: Int32Array, value: Int32Array): Lists {
  const start = new Int32Array(nodes + 1);
  for (let i = 0; i < key.length; i++) {
    const k = key[i] as number;
    start[k + 1] = (start[k + 1] as number) + 1;
  }
  for (let n = 0; n < nodes; n++) start[n + 1] = (start[n + 1] as number) + (start[n] as number);
  const list = new Int32Array(key.length);
  const fill = start.slice(0, nodes);
  for (let i = 0; i < key.length; i++) {
    const k = key[i] as number;
    list[fill[k] as number] = value[i] as number;
    fill[k] = (fill[k] as number) + 1;
  }
  for (let n = 0; n < nodes; n++) if ((start[n + 1] as number) - (start[n] as number) > 1) list.subarray(start[n], start[n + 1]).sort();
  return { start, list };
}

/** Per job, its class: jobs with the same predecessors and the same successors share one, numbered in order of their first job. */
function twinClasses(jobCount: number, preds: Lists, succs: Lists): Int32Array {
  const classOf = new Int32Array(jobCount);
  const byHash = new Map<number, number[]>();
  const firstOf: number[] = [];
  for (let j = 0; j < jobCount; j++) {
    const h = hashList(succs, j, hashList(preds, j, 0x811c9dc5));
    const candidates = byHash.get(h);
    const twin = candidates?.find((c) => sameList(preds, j, firstOf[c] as number) && sameList(succs, j, firstOf[c] as number));
    if (twin !== undefined) {
      classOf[j] = twin;
      continue;
    }
    classOf[j] = firstOf.length;
    if (candidates) candidates.push(firstOf.length);
    else byHash.set(h, [firstOf.length]);
    firstOf.push(j);
  }
  return classOf;
}

function hashList(l: Lists, n: number, seed: number): number {
  let h = seed ^ ((l.start[n + 1] as number) - (l.start[n] as number));
  for (let k = l.start[n] as number; k < (l.start[n + 1] as number); k++) h = Math.imul(h ^ (l.list[k] as number), 0x01000193);
  return Math.imul(h ^ 0x7f, 0x01000193);
}

function sameList(l: Lists, a: number, b: number): boolean {
  const n = (l.start[a + 1] as number) - (l.start[a] as number);
  if (n !== (l.start[b + 1] as number) - (l.start[b] as number)) return false;
  for (let k = 0; k < n; k++) if (l.list[(l.start[a] as number) + k] !== l.list[(l.start[b] as number) + k]) return false;
  return true;
}

/**
 * The critical path, as step ids: from the step that ends last, back through whatever made
 * each step start when it did: the step before it in its host's chain, the `after` step
 * that ended last, or, when it waited for a cap, a slot or a window, the step whose end let
 * it go (the scheduler records both as the job's cause). A job with no recorded cause falls
 * back to its latest-ending predecessor (`predecessors`: the job graph's, and the chain the
 * schedule put before it on its host).
 */
export function criticalPath(x: Expansion, predecessors: (job: number) => Iterable<number>, start: Float64Array, cause: Int32Array): string[] {
  return criticalPathSteps(x, predecessors, start, cause).map((i) => (x.steps[i] as DraftStep).id);
}

/** The critical path as step indices, first to last (see criticalPath). */
export function criticalPathSteps(x: Expansion, predecessors: (job: number) => Iterable<number>, start: Float64Array, cause: Int32Array): number[] {
  const end = (i: number): number => (start[i] as number) + (x.steps[i] as DraftStep).estimate.duration;
  let at = -1;
  // On a tie the later step wins (creation order is topological), so the path ends at the
  // marker that closes the plan rather than at a step just before it.
  for (let i = 0; i < x.steps.length; i++) if (at < 0 || end(i) >= end(at)) at = i;
  const path: number[] = [];
  const seen = new Set<number>();
  while (at >= 0 && !seen.has(at)) {
    seen.add(at);
    path.push(at);
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
    for (const j of predecessors(job)) {
      const last = (x.jobs[j]?.first ?? 0) + (x.jobs[j]?.count ?? 1) - 1;
      if (end(last) <= (start[at] as number) && (best < 0 || end(last) > end(best))) best = last;
    }
    at = best;
  }
  return path.reverse();
}
