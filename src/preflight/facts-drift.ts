/**
 * Whether the cloud still matches the facts a plan was compiled from (`check`): the facts
 * are read again and compared, host by host, with the vars the plan holds from them. A host
 * disabled since, servers moved, an aggregate or a server group's members changed: each is
 * a warning naming the host and what changed, with the fix (read the facts again and
 * recompile). A plan compiled without facts gets no row.
 */
import type { PlanFile, VarValue } from "../plan/plan.js";
import type { CheckRow } from "./check.js";
import { factsHostVars } from "../facts/facts-inventory.js";
import { gatherFacts, type OpenStackClient } from "../facts/gather.js";

const REFRESH = "read them again with `upgradec facts -o FILE` and recompile";

function row(host: string | null, result: CheckRow["result"], detail: string): CheckRow {
  return { check: "facts", host, service: null, step: null, result, detail };
}

export function builtFromFacts(plan: PlanFile): string | null {
  return plan.sources.find((s) => s.kind === "facts")?.path ?? null;
}

export async function factsDriftRows(plan: PlanFile, client: OpenStackClient): Promise<CheckRow[]> {
  const file = builtFromFacts(plan);
  if (file === null) return [];
  const read = await gatherFacts(client);
  if (read.value === null) {
    const why = read.diagnostics.find((d) => d.severity === "error")?.message ?? "no answer";
    return [row(null, "warning", `cannot compare the cloud with the facts of ${file}: ${why}`)];
  }
  return compareFacts(plan, factsHostVars(read.value), file);
}

/** One row per host of the plan that came from the facts: ok, or a warning with what changed. */
export function compareFacts(plan: PlanFile, now: ReadonlyMap<string, Readonly<Record<string, VarValue>>>, file: string): CheckRow[] {
  const rows: CheckRow[] = [];
  for (const host of plan.hosts) {
    const was = host.vars;
    // Hosts the facts gave vars to: the inventory's others are not the facts' to judge.
    if (!("servers" in was) || !("enabled" in was)) continue;
    const is = now.get(host.name);
    if (!is) {
      rows.push(row(host.name, "warning", `no longer a compute host of the cloud (it is in the facts of ${file}): ${REFRESH}`));
      continue;
    }
    const changes: string[] = [];
    if (was["enabled"] === true && is["enabled"] === false) changes.push("disabled since the facts were read");
    if (was["enabled"] === false && is["enabled"] === true) changes.push("enabled since the facts were read");
    const before = new Set(list(was["servers"]));
    const after = new Set(list(is["servers"]));
    const gone = [...before].filter((s) => !after.has(s));
    const came = [...after].filter((s) => !before.has(s));
    if (gone.length > 0) changes.push(`${gone.length} server(s) left it (${some(gone)})`);
    if (came.length > 0) changes.push(`${came.length} server(s) came to it (${some(came)})`);
    for (const v of ["aggregate", "anti-affinity", "soft-anti-affinity"]) {
      const a = list(was[v]).join(",");
      const b = list(is[v]).join(",");
      if (a !== b) changes.push(`its ${v} was [${a}], is [${b}]`);
    }
    rows.push(changes.length === 0 ? row(host.name, "ok", `matches the facts of ${file}`) : row(host.name, "warning", `${changes.join("; ")}: the plan's batches were made from older facts; ${REFRESH}`));
  }
  return rows;
}

function list(v: VarValue | undefined): string[] {
  return Array.isArray(v) ? [...(v as readonly string[])].sort() : v === undefined ? [] : [String(v)];
}

function some(ids: readonly string[]): string {
  return ids.length <= 3 ? ids.join(", ") : `${ids.slice(0, 3).join(", ")}, …`;
}
