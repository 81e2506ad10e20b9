/**
 * The proof that the compiled plan honours its host-set caps (plan/host-sets.ts) over its
 * whole schedule: each host is out for a service from the start of its chain's first step
 * to the end of its last (the runtime's chains, runtime/caps.ts), and a sweep over those
 * spans counts, per set, the hosts out at every moment. The scheduler enforces the caps as
 * it places chains; this checks the result independently, so a scheduler bug is a compile
 * error (UPG0522) rather than a cap broken at run time.
 */
import { type Diagnostic, type Span, diag } from "../../diagnostics/diagnostic.js";
import { setLabel } from "../../plan/host-sets.js";
import type { PlanFile } from "../../plan/plan.js";
import { chainsOfStep, servicesByHost } from "../../plan/chains.js";

interface Out {
  readonly host: string;
  from: number;
  to: number;
}

export function proveHostSets(plan: PlanFile, at: (service: string) => Span | undefined): Diagnostic[] {
  const withSets = plan.services.filter((s) => (s.rolling.hostSets ?? []).length > 0);
  if (withSets.length === 0) return [];
  const onHost = servicesByHost(plan);
  // service → chain id → the span its host is out
  const spans = new Map<string, Map<string, Out>>();
  for (const step of plan.steps) {
    const from = step.estimate.start;
    const to = step.estimate.start + step.estimate.duration;
    for (const chain of chainsOfStep(step, onHost)) {
      const byChain = spans.get(chain.key.service) ?? new Map<string, Out>();
      spans.set(chain.key.service, byChain);
      const out = byChain.get(chain.id);
      if (out) {
        out.from = Math.min(out.from, from);
        out.to = Math.max(out.to, to);
      } else byChain.set(chain.id, { host: chain.key.host, from, to });
    }
  }
  const found: Diagnostic[] = [];
  for (const s of withSets) {
    const outs = [...(spans.get(s.name)?.values() ?? [])];
    for (const set of s.rolling.hostSets ?? []) {
      const members = new Set(set.hosts);
      const most = mostAtOnce(outs.filter((o) => members.has(o.host)));
      if (most.count <= set.max) continue;
      const span = at(s.name);
      found.push(diag("UPG0522", {
        message: `the schedule takes ${most.count} hosts of ${setLabel(set)} out at once (${most.hosts.join(", ")}), more than its cap ${set.max}`,
        ...(span ? { span } : {}),
        notes: [`at +${most.at}s from the plan's start`],
        help: "this is a bug in upgradec's scheduler: report it with the plan's sources",
      }));
    }
  }
  return found;
}

/** The most distinct hosts out at one moment, and when. Spans are half-open: one ending as another starts do not overlap. */
function mostAtOnce(outs: readonly Out[]): { count: number; at: number; hosts: string[] } {
  const events = outs.flatMap((o) => [
    { t: o.from, d: 1, host: o.host },
    { t: o.to, d: -1, host: o.host },
  ]);
  events.sort((a, b) => a.t - b.t || a.d - b.d);
  const now = new Map<string, number>();
  let best = { count: 0, at: 0, hosts: [] as string[] };
  for (const e of events) {
    const n = (now.get(e.host) ?? 0) + e.d;
    if (n > 0) now.set(e.host, n);
    else now.delete(e.host);
    if (now.size > best.count) best = { count: now.size, at: e.t, hosts: [...now.keys()] };
  }
  return best;
}
