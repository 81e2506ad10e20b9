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
}

/** Cut `ordered` (hosts in the rolling `order`) into batches under `policy`. */
export function composeBatches(ordered: readonly string[], policy: BatchPolicy): ComposedBatches {
  const n = ordered.length;
  if (n === 0) return { hosts: [], batches: [], continuous: false };
  const ramp = policy.ramp.length > 0 ? policy.ramp.map((size) => Math.max(1, size)) : [1];
  let continuous = false;
  if (policy.domainOf === null) {
    const batches = plainSizes(n, ramp, policy.continuous);
    return { hosts: ordered, batches, continuous: policy.continuous && batches.length > ramp.length };
  }
  const domains = new DomainQueues(ordered, policy.domainOf);
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
  const composed = composeBatches(ordered, { ramp: rolling.batches, continuous: rolling.continuous, domainOf, capOf });
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

/** Each domain value's hosts in order, values in order of their first host; a turn goes round them. */
class DomainQueues {
  private readonly queues: string[][] = [];
  private readonly names: string[] = [];
  private readonly heads: number[] = [];
  /** The domain (index) whose turn is next: a batch begins where the one before it ended. */
  private turn = 0;

  constructor(ordered: readonly string[], domainOf: (host: string) => string) {
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

  /** Up to `size` hosts into `out`, round-robin, at most a domain's cap of each domain. */
  take(size: number, capOf: (domain: string) => number, out: string[]): void {
    const taken = new Map<number, number>();
    let got = 0;
    // A round that takes nothing means every domain left is empty or at its cap.
    let idle = 0;
    const count = this.queues.length;
    while (got < size && idle < count) {
      const d = this.turn;
      this.turn = (this.turn + 1) % count;
      const queue = this.queues[d] as string[];
      const head = this.heads[d] as number;
      const mine = taken.get(d) ?? 0;
      if (head >= queue.length || mine >= Math.max(1, capOf(this.names[d] as string))) {
        idle++;
        continue;
      }
      idle = 0;
      out.push(queue[head] as string);
      this.heads[d] = head + 1;
      taken.set(d, mine + 1);
      got++;
    }
  }

  /** Every host left into `out`, round-robin. */
  takeAll(out: string[]): void {
    this.take(Infinity, () => Infinity, out);
  }
}
