/**
 * Rolling policies that can never be met: a max-unavailable of 0 (UPG0501), a batch
 * larger than max-unavailable (UPG0502) or than the per-domain cap across the service's
 * failure domains (UPG0503), and hosts without the failure-domain var (UPG0504). Batches
 * are the resolved sizes as expansion cuts them (the last entry repeats, the last batch
 * holds the remainder); a continuous last batch (`then continuous`) is no batch of the ramp
 * and is not held to them.
 */
import { type Diagnostic, diag } from "../../diagnostics/diagnostic.js";
import { batchSizes } from "../expand/expand.js";
import type { Model, ModelService } from "../model.js";
import { hostVars, listSome, type HostVars } from "./host-vars.js";

export function checkRolling(model: Model): Diagnostic[] {
  const vars = hostVars(model);
  const out: Diagnostic[] = [];
  for (const s of model.services) {
    if (!s.rolling.rolling || s.hosts.length === 0) continue;
    if (s.rolling.maxUnavailable === 0) {
      out.push(noneUnavailable(s));
      continue;
    }
    out.push(...batchOverCap(s));
    out.push(...domainChecks(vars, s));
  }
  return out;
}

function noneUnavailable(s: ModelService): Diagnostic {
  return diag("UPG0501", {
    message: `service \`${s.name}\` has max-unavailable 0: no host may ever be down, so no batch can run`,
    span: s.nameSpan,
    help: "allow at least one host down with `max-unavailable 1` in its `rolling` block",
  });
}

/** The first batch (1-based) larger than `cap`, with its size. */
function firstBatchOver(s: ModelService, cap: number): { index: number; size: number } | null {
  const sizes = batchSizes(s);
  // A continuous last batch has no barrier: the caps hold inside it, whatever its size.
  const capped = s.rolling.continuous ? sizes.slice(0, -1) : sizes;
  const index = capped.findIndex((size) => size > cap);
  return index < 0 ? null : { index: index + 1, size: sizes[index] as number };
}

function batchOverCap(s: ModelService): Diagnostic[] {
  const cap = s.rolling.maxUnavailable;
  const over = firstBatchOver(s, cap);
  if (!over) return [];
  return [
    diag("UPG0502", {
      message: `batch ${over.index} of \`${s.name}\` takes ${over.size} hosts down, but max-unavailable is ${cap}: the batch cannot run under its cap`,
      span: s.nameSpan,
      notes: [`resolved batch sizes: ${batchSizes(s).join(", ")}`],
      help: `make every batch at most ${cap} hosts, or raise max-unavailable to ${over.size}`,
    }),
  ];
}

function domainChecks(vars: HostVars, s: ModelService): Diagnostic[] {
  const { domain, maxUnavailablePerDomain: perDomain } = s.rolling;
  if (domain === null || perDomain === null) return [];
  const values = new Set<string>();
  const missing: string[] = [];
  for (const h of s.hosts) {
    const value = domainValue(vars, h, domain);
    if (value === null) missing.push(h);
    else values.add(value);
  }
  if (missing.length > 0) return [missingDomain(s, domain, missing)];
  const domains = values.size;
  // A share per domain has a cap per value; a count is the same in each.
  const byDomain = s.rolling.maxUnavailableByDomain;
  const allowed = byDomain ? Object.values(byDomain).reduce((a, b) => a + b, 0) : perDomain * domains;
  const over = firstBatchOver(s, allowed);
  if (!over) return [];
  return [
    diag("UPG0503", {
      message: `batch ${over.index} of \`${s.name}\` takes ${over.size} hosts down, but at most ${byDomain ? "its share" : perDomain} per \`${domain}\` across ${domains} \`${domain}\` value${domains === 1 ? "" : "s"} allows ${allowed}`,
      span: s.nameSpan,
      notes: [`resolved batch sizes: ${batchSizes(s).join(", ")}`],
      help: `make every batch at most ${allowed} hosts, raise the per-\`${domain}\` cap, or spread the hosts over more \`${domain}\` values`,
    }),
  ];
}

function missingDomain(s: ModelService, domain: string, missing: readonly string[]): Diagnostic {
  return diag("UPG0504", {
    message: `service \`${s.name}\` caps max-unavailable per \`${domain}\`, but ${missing.length} of its hosts have no \`${domain}\` var: ${listSome(missing)}`,
    span: s.nameSpan,
    help: `set \`${domain}\` for these hosts in the inventory, or drop \`per ${domain}\` from max-unavailable`,
  });
}

/** The host's failure domain as a string, or null when the var is missing or empty. */
function domainValue(vars: HostVars, host: string, domain: string): string | null {
  const value = vars(host, domain);
  if (value === undefined) return null;
  const text = Array.isArray(value) ? value.join(",") : String(value);
  return text === "" ? null : text;
}
