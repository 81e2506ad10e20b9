/**
 * Host vars as the checks read them: looked up by host and name, read as counts, and host
 * lists shortened for a one-line message.
 */
import { numberOf } from "../../inventory/var-value.js";
import type { VarValue } from "../../plan/plan.js";
import type { Model } from "../model.js";

/** A host's var by name, or undefined when the host or the var is missing. */
export type HostVars = (host: string, name: string) => VarValue | undefined;

export function hostVars(model: Model): HostVars {
  const byName = new Map(model.hosts.map((h) => [h.name, h.vars]));
  return (host, name) => byName.get(host)?.[name];
}

/** A var as a count: a number, or a string holding one; anything else (or nothing) is 0. */
export function countOf(value: VarValue | undefined): number {
  return numberOf(value) ?? 0;
}

/** `a, b, c and 4 more`: the first few names of a list. */
export function listSome(names: readonly string[], few = 3): string {
  if (names.length <= few) return names.join(", ");
  return `${names.slice(0, few).join(", ")} and ${names.length - few} more`;
}
