/**
 * The hosts a selection names, for hovers: a count and the first few. Names are looked up
 * as resolve does (an inventory group first, then a `hosts` set, then a host); a range
 * counts without being spelled out past the few shown, so a huge range costs nothing.
 */
import { lookup } from "../compiler/resolve/scope.js";
import type { HostSelection } from "../parser/ast.js";
import type { Analysis } from "./analysis.js";

/** How many host names a hover shows. */
export const FIRST_FEW = 5;
/** `hosts` sets that name each other are followed this deep, no deeper (a cycle is an error resolve reports). */
const MAX_DEPTH = 16;

export interface HostList {
  readonly first: readonly string[];
  readonly count: number;
}

export function hostsOfSelection(analysis: Analysis, selection: HostSelection): HostList {
  const names = new Set<string>();
  let uncounted = 0;
  const visit = (sel: HostSelection, depth: number): void => {
    for (const item of sel.items) {
      if (item.kind === "range") {
        const size = Math.max(0, item.to - item.from + 1);
        // Spelled out only while small: a hostile cmp[0-999999999] is counted, not listed.
        if (size > 100_000) {
          uncounted += size;
          continue;
        }
        for (let n = item.from; n <= item.to; n++) names.add(`${item.prefix}${String(n).padStart(item.width, "0")}${item.suffix}`);
        continue;
      }
      const group = analysis.result.program?.inventory?.groups.get(item.name);
      if (group) {
        for (const h of group.hosts) names.add(h);
        continue;
      }
      const set = analysis.tables ? lookup(analysis.tables.hosts, item.name, null).found : null;
      if (set && depth < MAX_DEPTH) visit(set.decl.hosts, depth + 1);
      else if (!set) names.add(item.name);
    }
  };
  visit(selection, 0);
  const first: string[] = [];
  for (const name of names) {
    if (first.length >= FIRST_FEW) break;
    first.push(name);
  }
  return { first, count: names.size + uncounted };
}
