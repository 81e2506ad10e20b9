/**
 * Inventory values become plan vars (`VarValue`: a string, number, boolean or list of
 * strings). What does not fit keeps its information as text:
 *   - a list of strings stays a list; any other list, and every mapping, becomes its JSON
 *     text (an OSA `container_vars` block survives, readable, but is not a fact we reason on);
 *   - null (`az:` with nothing after it, or `None` in INI) becomes "" — Ansible holds None,
 *     which a plan var cannot; the var still exists, so a failure-domain key sees an empty
 *     domain rather than a missing var;
 *   - a YAML 1.1 timestamp becomes its ISO text.
 */
import type { VarValue } from "../plan/plan.js";

export function toVarValue(value: unknown): VarValue {
  if (typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  if (value === null || value === undefined) return "";
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return [...(value as string[])];
  try {
    return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? Number(v) : v)) ?? "";
  } catch {
    return String(value);
  }
}

/** A var read as a number: a number, or a string holding one; null for anything else or nothing. */
export function numberOf(value: unknown): number | null {
  const n = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
  return Number.isFinite(n) ? n : null;
}
