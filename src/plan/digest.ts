import { createHash } from "node:crypto";
import type { PlanFile } from "./plan.js";

/**
 * JSON with object keys sorted, so the same value always gives the same bytes (the plan's
 * digest and fingerprint must not depend on key order).
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

export function sha256(text: string | Uint8Array): string {
  return createHash("sha256").update(text).digest("hex");
}

/** The digest of a plan: sha256 of its canonical JSON without the digest field. A hand edit changes it. */
export function planDigest(plan: Omit<PlanFile, "digest"> | PlanFile): string {
  const { digest: _ignored, ...rest } = plan as PlanFile;
  return sha256(canonicalJson(rest));
}
