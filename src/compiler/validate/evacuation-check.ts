/**
 * Evacuation capacity (UPG0505): the instances on each batch's hosts must fit in the free
 * room of the service's other hosts (capacity var minus their own instances). Only for
 * services that evacuate and name a capacity var; the first batch that does not fit is
 * reported, with the numbers.
 */
import { type Diagnostic, diag } from "../../diagnostics/diagnostic.js";
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
    const shortfall = firstShortfall(s, vars, ev.countVar, ev.capacityVar);
    if (shortfall) out.push(shortfallDiagnostic(s, shortfall, ev.countVar, ev.capacityVar));
  }
  return out;
}

function firstShortfall(s: ModelService, vars: HostVars, countVar: string, capacityVar: string): Shortfall | null {
  const count = new Map(s.hosts.map((h) => [h, countOf(vars(h, countVar))]));
  const room = new Map(s.hosts.map((h) => [h, Math.max(0, countOf(vars(h, capacityVar)) - (count.get(h) ?? 0))]));
  const totalRoom = sum(s.hosts.map((h) => room.get(h) ?? 0));
  let start = 0;
  for (const [i, size] of batchSizes(s).entries()) {
    const hosts = s.hosts.slice(start, start + size);
    start += size;
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
