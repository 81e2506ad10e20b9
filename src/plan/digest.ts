import { createHash } from "node:crypto";

/**
 * JSON with object keys sorted, so the same value always gives the same bytes (the plan's
 * fingerprint and the journal's record sums must not depend on key order): JSON.stringify
 * of a key-sorted copy (test/build). Only the objects whose keys are out of order are
 * copied; the rest, most of a plan's hosts' vars for one, are handed to JSON.stringify as
 * they are.
 */
export function canonicalJson(root: unknown): string {
  return JSON.stringify(sortedKeys(root)) as string;
}

/** The value with every object's keys in canonical order: the value itself wherever they already are. */
function sortedKeys(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      const c = sortedKeys(v);
      if (copy === null && c !== v) copy = value.slice(0, i);
      copy?.push(c);
    }
    return copy ?? value;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  const order = canonicalKeyOrder(keys);
  // As it is, unless a key is out of order, a member changes, or JSON.stringify would read
  // it differently from its keys (a toJSON; a "__proto__" member, which a copy drops).
  let same = typeof record["toJSON"] !== "function";
  if (order !== keys) for (let i = 0; i < order.length; i++) if (order[i] !== keys[i]) same = false;
  // The members as they go into a copy, gathered only once one differs (10k hosts' vars mostly do not).
  let members: unknown[] | null = null;
  for (let i = 0; i < order.length; i++) {
    const key = order[i] as string;
    const v = record[key];
    const c = sortedKeys(v);
    if (same && (c !== v || key === "__proto__")) same = false;
    if (!same) {
      if (members === null) {
        members = [];
        for (let j = 0; j < i; j++) members.push(record[order[j] as string]);
      }
      members.push(c);
    }
  }
  if (same) return value;
  const copied = members ?? [];
  const copy: Record<string, unknown> = {};
  order.forEach((key, i) => {
    // Assigning "__proto__" would set the copy's prototype: the member is left out.
    if (key !== "__proto__" && copied[i] !== undefined) copy[key] = copied[i];
  });
  return copy;
}

/** Sorted keys in the order a JS object built from them enumerates: array indices first, numerically. The same array when it is in that order already. */
function canonicalKeyOrder(keys: readonly string[]): readonly string[] {
  // Most objects have a few keys, often already in order and never numeric: check before sorting.
  let sorted = true;
  let indices = false;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    const c = k.charCodeAt(0);
    if (c >= 48 && c <= 57 && isArrayIndex(k)) indices = true;
    if (i > 0 && (keys[i - 1] as string) > k) sorted = false;
  }
  const ordered = sorted ? keys : [...keys].sort();
  if (!indices) return ordered;
  const numeric = ordered.filter(isArrayIndex).sort((a, b) => Number(a) - Number(b));
  return [...numeric, ...ordered.filter((k) => !isArrayIndex(k))];
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
 * compiler version, and the journals its measured estimates came from (their run and
 * sha256, with `compile --history`). `run` computes it again from the files and refuses a
 * plan that no longer matches (stale); the journals are not read again: the estimates are in
 * the plan, and a newer run does not make an older plan wrong.
 */
export function planFingerprint(input: {
  readonly sources: readonly { readonly path: string; readonly sha256: string }[];
  readonly hosts: readonly { readonly name: string; readonly groups: readonly string[]; readonly vars: Readonly<Record<string, unknown>> }[];
  readonly compilerVersion: string;
  /** The journals of `compile --history` (left out when none, so plans without keep their fingerprint). */
  readonly history?: readonly { readonly run: string; readonly sha256: string }[];
}): string {
  // Keys in canonical (sorted) order already, so canonicalJson copies none of these objects.
  return sha256(
    canonicalJson({
      compilerVersion: input.compilerVersion,
      ...(input.history && input.history.length > 0 ? { history: input.history.map((h) => ({ run: h.run, sha256: h.sha256 })) } : {}),
      inventory: input.hosts.map((h) => ({ groups: h.groups, name: h.name, vars: h.vars })),
      sources: input.sources.map((s) => ({ path: s.path, sha256: s.sha256 })),
    }),
  );
}
