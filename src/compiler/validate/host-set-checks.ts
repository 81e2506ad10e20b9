/**
 * Host-set caps no rollout can honour (plan/host-sets.ts): a cap of 0 on a set (no host of it
 * may ever go out), or a service upgraded on all its hosts at once whose hosts include more
 * of a set than its cap. A hard set is an error naming the set (UPG0520); a soft one (a
 * `soft-…` var: soft-anti-affinity) is relaxed, with a warning (UPG0521).
 */
import { type Diagnostic, diag } from "../../diagnostics/diagnostic.js";
import { setLabel, unsatisfiable, type HostSetCap } from "../../plan/host-sets.js";
import type { Model, ModelService } from "../model.js";
import { listSome } from "./host-vars.js";

export function checkHostSets(model: Model): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const s of model.services) {
    for (const set of s.rolling.hostSets ?? []) if (unsatisfiable(set, s.rolling.rolling)) out.push(unsatisfiableSet(s, set));
  }
  return out;
}

function unsatisfiableSet(s: ModelService, set: HostSetCap): Diagnostic {
  const why = set.max < 1 ? `none of its ${set.hosts.length} host(s) may be out (at most ${set.max})` : `\`${s.name}\` is not rolling: all ${set.hosts.length} of its hosts in it go out at once, and at most ${set.max} may`;
  const span = s.rolling.hostSetSpans?.[set.var] ?? s.nameSpan;
  const notes = [`hosts of ${setLabel(set)}: ${listSome(set.hosts)}`];
  if (set.soft) {
    return diag("UPG0521", {
      message: `soft policy relaxed: ${setLabel(set)} cannot be honoured: ${why}`,
      span,
      notes,
      help: set.max < 1 ? `allow at least one host out: \`max-unavailable 1 per ${set.var}\`` : `give \`${s.name}\` the rolling-upgrade tag and a \`rolling\` block to keep ${setLabel(set)} honoured`,
    });
  }
  return diag("UPG0520", {
    message: `${setLabel(set)} cannot be honoured: ${why}`,
    span,
    notes,
    help: set.max < 1 ? `allow at least one host out: \`max-unavailable 1 per ${set.var}\`` : `give \`${s.name}\` the rolling-upgrade tag and a \`rolling\` block, or drop \`per ${set.var}\``,
  });
}
