import { createHash } from "node:crypto";

/**
 * JSON with object keys sorted, so the same value always gives the same bytes (the plan's
 * fingerprint and the journal's record sums must not depend on key order). Byte for byte
 * what JSON.stringify of a key-sorted copy gives (test/build), without making the copy.
 */
export function canonicalJson(root: unknown): string {
  if (root === undefined || typeof root === "function" || typeof root === "symbol") return JSON.stringify(root);
  let buf = "";
  const write = (value: unknown): void => {
    if (value === null) {
      buf += "null";
      return;
    }
    if (typeof value !== "object") {
      // Inside arrays JSON writes null for what it cannot represent; object members skip it (below).
      buf += value === undefined || typeof value === "function" || typeof value === "symbol" ? "null" : (JSON.stringify(value) as string);
      return;
    }
    if (Array.isArray(value)) {
      buf += "[";
      for (let i = 0; i < value.length; i++) {
        if (i > 0) buf += ",";
        write(value[i]);
      }
      buf += "]";
      return;
    }
    buf += "{";
    let first = true;
    for (const key of canonicalKeyOrder(Object.keys(value))) {
      const v = (value as Record<string, unknown>)[key];
      // A "__proto__" member (possible in parsed JSON) never survived the key-sorted copy this replaces.
      if (v === undefined || typeof v === "function" || typeof v === "symbol" || key === "__proto__") continue;
      if (!first) buf += ",";
      first = false;
      buf += JSON.stringify(key) + ":";
      write(v);
    }
    buf += "}";
  };
  write(root);
  return buf;
}

/** Sorted keys in the order a JS object built from them enumerates: array indices first, numerically. */
function canonicalKeyOrder(keys: string[]): string[] {
  // Most objects have a few keys, often already in order and never numeric: check before sorting.
  let sorted = true;
  let indices = false;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    const c = k.charCodeAt(0);
    if (c >= 48 && c <= 57 && isArrayIndex(k)) indices = true;
    if (i > 0 && (keys[i - 1] as string) > k) sorted = false;
  }
  if (!sorted) keys.sort();
  if (!indices) return keys;
  const numeric = keys.filter(isArrayIndex).sort((a, b) => Number(a) - Number(b));
  return [...numeric, ...keys.filter((k) => !isArrayIndex(k))];
}

function isArrayIndex(key: string): boolean {
  return /^(0|[1-9][0-9]*)$/.test(key) && Number(key) < 4294967295;
}

export function sha256(text: string | Uint8Array): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * The plan's fingerprint: sha256 over its sources (paths as the plan file records them,
 * relative to its directory, and their sha256), the resolved inventory hosts and the
 * compiler version. `run` computes it again from the files and refuses a plan that no
 * longer matches (stale).
 */
export function planFingerprint(input: {
  readonly sources: readonly { readonly path: string; readonly sha256: string }[];
  readonly hosts: readonly { readonly name: string; readonly groups: readonly string[]; readonly vars: Readonly<Record<string, unknown>> }[];
  readonly compilerVersion: string;
}): string {
  return sha256(
    canonicalJson({
      sources: input.sources.map((s) => ({ path: s.path, sha256: s.sha256 })),
      inventory: input.hosts.map((h) => ({ name: h.name, groups: h.groups, vars: h.vars })),
      compilerVersion: input.compilerVersion,
    }),
  );
}
