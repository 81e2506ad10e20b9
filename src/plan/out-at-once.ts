/**
 * Which hosts of a rollout can be out of service together: the whole of a batch (its hosts
 * go out together, and a batch is never larger than its caps), but of a continuous part
 * (`then continuous`) only as many as the caps allow at once. The capacity checks (the
 * compiler's UPG0505 and `upgradec check`) ask this for the worst set to evacuate, so a
 * continuous part of thousands of hosts is judged by what is out at once, not by its size.
 */

export interface OutAtOnce {
  /** The hosts in rollout order, and the batch sizes that cut them. */
  readonly hosts: readonly string[];
  readonly batches: readonly number[];
  /** The last batch is a continuous part. */
  readonly continuous: boolean;
  /** How much a host weighs in the check (its instances plus its free room: what its absence costs). */
  readonly weight: (host: string) => number;
  /** The host's failure domain, or null without a cap per domain. */
  readonly domainOf: ((host: string) => string) | null;
  readonly capOf: (domain: string) => number;
  /** Most hosts out at once: max-unavailable, limited by parallelism. */
  readonly width: number;
}

/** The sets of hosts to check: each batch, and for a continuous part its heaviest set out at once under the caps. */
export function groupsOutAtOnce(r: OutAtOnce): string[][] {
  const out: string[][] = [];
  let at = 0;
  r.batches.forEach((size, i) => {
    const batch = r.hosts.slice(at, at + size);
    at += size;
    out.push(r.continuous && i === r.batches.length - 1 ? heaviestUnderCaps(batch, r) : batch);
  });
  return out.filter((g) => g.length > 0);
}

/**
 * The heaviest set of at most `width` hosts with at most a domain's cap of each domain:
 * heaviest first, skipping a host whose domain is full. Greedy is exact here (the sets
 * allowed are those of a truncated partition matroid).
 */
function heaviestUnderCaps(hosts: readonly string[], r: OutAtOnce): string[] {
  const sorted = [...hosts].sort((a, b) => r.weight(b) - r.weight(a));
  const taken = new Map<string, number>();
  const out: string[] = [];
  for (const h of sorted) {
    if (out.length >= Math.max(1, r.width)) break;
    const d = r.domainOf === null ? "" : r.domainOf(h);
    const n = taken.get(d) ?? 0;
    if (r.domainOf !== null && n >= Math.max(1, r.capOf(d))) continue;
    taken.set(d, n + 1);
    out.push(h);
  }
  return out;
}
