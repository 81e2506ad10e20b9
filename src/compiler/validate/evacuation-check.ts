/**
 * Evacuation capacity (UPG0505): the instances on each batch's hosts must fit in the free
 * room of the service's other hosts (capacity var minus their own instances); of a continuous
 * part, the heaviest set the caps let out at once (plan/out-at-once.ts). Only for
 * services that evacuate and name a capacity var; the first batch that does not fit is
 * reported, with the numbers.
 */
import { type Diagnostic, diag } from "../../diagnostics/diagnostic.js";
import { groupsOutAtOnce } from "../../plan/out-at-once.js";
import { batchSizes } from "../expand/expand.js";
import type { Model, ModelService } from "../model.js";
import { countOf, hostVars, listSome, type HostVars } from "./host-vars.js";

interface Shortfall {
  readonly index: number;
  readonly hosts: readonly string[];
  readonly needed: number;
  readonly free: number;
}

export function checkEvacuation(model: Model): Diagnostic[] {
  const vars = hostVars(model);
  const out: Diagnostic[] = [];
  for (const s of model.services) {
    const ev = s.evacuate;
    if (!ev || ev.strategy === "none" || ev.capacityVar === null) continue;
    const shortfall = firstShortfall(s, vars, ev.countVar, ev.capacityVar, model.plan.parallelism);
    if (shortfall) out.push(shortfallDiagnostic(s, shortfall, ev.countVar, ev.capacityVar));
  }
  return out;
}

function firstShortfall(s: ModelService, vars: HostVars, countVar: string, capacityVar: string, parallelism: number): Shortfall | null {
  const count = new Map(s.hosts.map((h) => [h, countOf(vars(h, countVar))]));
  const room = new Map(s.hosts.map((h) => [h, Math.max(0, countOf(vars(h, capacityVar)) - (count.get(h) ?? 0))]));
  const totalRoom = sum(s.hosts.map((h) => room.get(h) ?? 0));
  const domain = s.rolling.domain;
  const groups = groupsOutAtOnce({
    hosts: s.hosts,
    batches: batchSizes(s),
    continuous: s.rolling.continuous,
    // What a host's absence costs: its instances to move, and its room the others lose.
    weight: (h) => (count.get(h) ?? 0) + (room.get(h) ?? 0),
    domainOf: domain !== null && s.rolling.maxUnavailablePerDomain !== null ? (h) => String(vars(h, domain) ?? "") : null,
    capOf: (d) => s.rolling.maxUnavailableByDomain?.[d] ?? s.rolling.maxUnavailablePerDomain ?? Infinity,
    width: Math.min(s.rolling.maxUnavailable, Math.max(1, parallelism)),
  });
  for (const [i, hosts] of groups.entries()) {
    const needed = sum(hosts.map((h) => count.get(h) ?? 0));
    const free = totalRoom - sum(hosts.map((h) => room.get(h) ?? 0));
    if (needed > free) return { index: i + 1, hosts, needed, free };
  }
  return null;
}

function shortfallDiagnostic(s: ModelService, short: Shortfall, countVar: string, capacityVar: string): Diagnostic {
  return diag("UPG0505", {
    message: `evacuating batch ${short.index} of \`${s.name}\` needs room for ${short.needed} instances, but its other hosts have ${short.free} free`,
    span: s.nameSpan,
    notes: [
      `batch ${short.index}: ${listSome(short.hosts)}`,
      `instances per host from the host var \`${countVar}\`, room from \`${capacityVar}\` minus instances`,
    ],
    help: `use smaller batches in \`rolling\`, or add capacity (more hosts, or a higher \`${capacityVar}\`) so the other hosts can take ${short.needed} instances`,
  });
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
