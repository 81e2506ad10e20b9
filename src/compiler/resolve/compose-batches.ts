/**
 * How a rolling service's hosts are cut into batches: one function, so that expansion, the
 * checks, the plan file and the preview all see the same batches.
 *
 * With a cap per failure domain (`max-unavailable 10 per az`), batches are filled across the
 * domain values, round-robin, each domain's hosts in the rolling `order`: a batch takes the
 * next host of each domain in turn, and never more of one domain than that domain's cap.
 * Hosts of one zone would otherwise queue behind the zone's cap inside a batch while the
 * other zones sit idle, and the batch's barrier would wait for the last of them. When the
 * domains left cannot fill a batch to its size under their caps, the batch is smaller and
 * the rest goes on in the next one.
 *
 * Caps per set of hosts (`max-unavailable 1 per anti-affinity`, `50% per aggregate`:
 * plan/host-sets.ts) hold inside a batch the same way: a host whose set already has its cap
 * in the batch waits for a later one, and the next host of its domain that fits takes its
 * place, so a batch of two never holds two members of one anti-affinity group that would
 * then run one after the other behind the barrier.
 *
 * With `then continuous`, every host after the ramp is in one last batch, in the same
 * round-robin order: it has no barrier inside, so a host starts as soon as the caps (and
 * `parallelism`) allow, and no cap per batch applies to it.
 */
import type { ModelRolling } from "../model.js";

export interface ComposedBatches {
  /** The hosts in rollout order: batch 1's, then batch 2's, … */
  readonly hosts: readonly string[];
  /** Batch sizes, adding up to the hosts. */
  readonly batches: readonly number[];
  /** Whether the last batch is a continuous part (false when the ramp took every host). */
  readonly continuous: boolean;
}

export interface BatchPolicy {
  /** The ramp, resolved (each at least 1); its last entry repeats unless `continuous`. */
  readonly ramp: readonly number[];
  readonly continuous: boolean;
  /** A host's failure domain, or null when the service has no cap per domain. */
  readonly domainOf: ((host: string) => string) | null;
  /** The cap of a domain value (at least 1). */
  readonly capOf: (domain: string) => number;
  /** Caps per set of hosts: each set's hosts and its cap (a cap below 1 counts as 1 here). */
  readonly sets?: readonly { readonly hosts: readonly string[]; readonly max: number }[];
}

/** Cut `ordered` (hosts in the rolling `order`) into batches under `policy`. */
export function composeBatches(ordered: readonly string[], policy: BatchPolicy): ComposedBatches {
  const n = ordered.length;
  if (n === 0) return { hosts: [], batches: [], continuous: false };
  const ramp = policy.ramp.length > 0 ? policy.ramp.map((size) => Math.max(1, size)) : [1];
  let continuous = false;
  const sets = policy.sets ?? [];
  if (policy.domainOf === null && sets.length === 0) {
    const batches = plainSizes(n, ramp, policy.continuous);
    return { hosts: ordered, batches, continuous: policy.continuous && batches.length > ramp.length };
  }
  const domains = new DomainQueues(ordered, policy.domainOf ?? (() => ""), sets);
  const hosts: string[] = [];
  const batches: number[] = [];
  for (let b = 0; hosts.length < n; b++) {
    const before = hosts.length;
    if (policy.continuous && b >= ramp.length) {
      domains.takeAll(hosts);
      continuous = true;
    } else domains.take(ramp[Math.min(b, ramp.length - 1)] as number, policy.capOf, hosts);
    batches.push(hosts.length - before);
  }
  return { hosts, batches, continuous };
}

/**
 * A service's hosts in rollout order and its rolling policy with the batches they are cut
 * into: spread over the failure domains when the service caps each (`varOf` reads a host
 * var). Not rolling: one batch of every host.
 */
export function cutIntoBatches(
  ordered: readonly string[],
  rolling: ModelRolling,
  varOf: (host: string, name: string) => unknown,
): { hosts: string[]; rolling: ModelRolling } {
  if (!rolling.rolling) return { hosts: [...ordered], rolling: { ...rolling, batches: ordered.length > 0 ? [ordered.length] : [], continuous: false } };
  const domainVar = rolling.domain;
  const domainOf =
    domainVar !== null && rolling.maxUnavailablePerDomain !== null
      ? (host: string): string => {
          const v = varOf(host, domainVar);
          return v === undefined || v === null ? "" : String(v);
        }
      : null;
  const capOf = (domain: string): number => rolling.maxUnavailableByDomain?.[domain] ?? rolling.maxUnavailablePerDomain ?? Infinity;
  const sets = (rolling.hostSets ?? []).map((set) => ({ hosts: set.hosts, max: set.max }));
  const composed = composeBatches(ordered, { ramp: rolling.batches, continuous: rolling.continuous, domainOf, capOf, sets });
  return { hosts: [...composed.hosts], rolling: { ...rolling, batches: composed.batches, continuous: composed.continuous } };
}

/** Sizes with no domain to spread over: the ramp (last entry repeating), or with `continuous` the ramp then the rest. */
function plainSizes(n: number, ramp: readonly number[], continuous: boolean): number[] {
  const out: number[] = [];
  let left = n;
  for (let i = 0; left > 0; i++) {
    const size = continuous && i >= ramp.length ? left : Math.min(ramp[Math.min(i, ramp.length - 1)] as number, left);
    out.push(size);
    left -= size;
  }
  return out;
}

/** How far past a domain's first waiting host a batch looks for one its host sets admit. */
const SET_LOOKAHEAD = 64;

/** Each domain value's hosts in order, values in order of their first host; a turn goes round them. */
class DomainQueues {
  private readonly queues: string[][] = [];
  private readonly names: string[] = [];
  /** Per domain, its first host not yet in a batch. */
  private readonly heads: number[] = [];
  /** Hosts already in a batch, ahead of their domain's head (taken past a host a set held back). */
  private readonly placed = new Set<string>();
  /** Per host, the indices of the sets holding it; per set, its cap. */
  private readonly setsOfHost = new Map<string, number[]>();
  private readonly setMax: number[];
  /** The domain (index) whose turn is next: a batch begins where the one before it ended. */
  private turn = 0;

  constructor(ordered: readonly string[], domainOf: (host: string) => string, sets: readonly { readonly hosts: readonly string[]; readonly max: number }[] = []) {
    this.setMax = sets.map((set) => Math.max(1, set.max));
    sets.forEach((set, i) => {
      for (const h of set.hosts) {
        const list = this.setsOfHost.get(h);
        if (list) list.push(i);
        else this.setsOfHost.set(h, [i]);
      }
    });
    const index = new Map<string, number>();
    for (const host of ordered) {
      const d = domainOf(host);
      let i = index.get(d);
      if (i === undefined) {
        i = this.queues.length;
        index.set(d, i);
        this.queues.push([]);
        this.names.push(d);
        this.heads.push(0);
      }
      (this.queues[i] as string[]).push(host);
    }
  }

  /**
   * Up to `size` hosts into `out`, round-robin, at most a domain's cap of each domain and,
   * with `bySets`, at most a set's cap of each host set.
   */
  take(size: number, capOf: (domain: string) => number, out: string[], bySets = true): void {
    const taken = new Map<number, number>();
    const inSet = new Map<number, number>();
    let got = 0;
    // A round that takes nothing means every domain left is empty or at its cap.
    let idle = 0;
    const count = this.queues.length;
    while (got < size && idle < count) {
      const d = this.turn;
      this.turn = (this.turn + 1) % count;
      const mine = taken.get(d) ?? 0;
      const host = mine >= Math.max(1, capOf(this.names[d] as string)) ? undefined : this.next(d, bySets ? inSet : null);
      if (host === undefined) {
        idle++;
        continue;
      }
      idle = 0;
      out.push(host);
      for (const i of bySets ? (this.setsOfHost.get(host) ?? []) : []) inSet.set(i, (inSet.get(i) ?? 0) + 1);
      taken.set(d, mine + 1);
      got++;
    }
  }

  /** Every host left into `out`, round-robin: the continuous part, which has no barrier for a set to wait behind. */
  takeAll(out: string[]): void {
    this.take(Infinity, () => Infinity, out, false);
  }

  /** Domain d's first waiting host that the batch's set counts admit (null: no sets), marked placed; undefined if none. */
  private next(d: number, inSet: ReadonlyMap<number, number> | null): string | undefined {
    const queue = this.queues[d] as string[];
    let head = this.heads[d] as number;
    while (head < queue.length && this.placed.has(queue[head] as string)) head++;
    this.heads[d] = head;
    let looked = 0;
    for (let k = head; k < queue.length && looked <= SET_LOOKAHEAD; k++) {
      const host = queue[k] as string;
      if (this.placed.has(host)) continue;
      looked++;
      if (inSet !== null && !this.setsAdmit(host, inSet)) continue;
      if (k === head) this.heads[d] = head + 1;
      else this.placed.add(host);
      return host;
    }
    return undefined;
  }

  private setsAdmit(host: string, inSet: ReadonlyMap<number, number>): boolean {
    for (const i of this.setsOfHost.get(host) ?? []) if ((inSet.get(i) ?? 0) >= (this.setMax[i] as number)) return false;
    return true;
  }
}
