/**
 * The plan file's text and its digest, both from one serialization of the plan.
 *
 * The text is JSON laid out for reading and diffing: each top-level member on its own line,
 * and each element of a top-level array or object (a step, a host, a service, a window) on
 * its own line as compact JSON. A 10k-host plan is then some 80k lines of steps, one step per
 * line, which `grep` and `diff` handle well (and `jq` pretty-prints), at half the size of
 * the same plan indented.
 *
 * The digest is sha256 of the plan's compact JSON (what JSON.stringify writes, keys in the
 * plan's own order) without its `digest` member. The runtime computes it again from the
 * parsed file (planDigest): JSON.parse keeps the order of keys and JSON.stringify's output
 * reads back to the same text, so an unedited file matches, and any edit (a value, a step
 * added or removed, keys reordered) does not.
 */
import { createHash } from "node:crypto";
import type { PlanFile } from "./plan.js";

/** sha256 of the plan's compact JSON without `digest`: what the plan's `digest` must be. */
export function planDigest(plan: Omit<PlanFile, "digest"> | PlanFile): string {
  const { digest: _ignored, ...rest } = plan as PlanFile;
  return createHash("sha256").update(JSON.stringify(rest)).digest("hex");
}

/**
 * The plan with its digest (placed after `fingerprint`, so the file reads well), serialized
 * once: its text (planFileText) is kept with it, built from the same pieces.
 */
export function sealPlan(body: Omit<PlanFile, "digest">): PlanFile {
  const members = layout(body);
  const digest = hashCompact(members);
  const { format, fingerprint, ...rest } = body;
  const plan: PlanFile = { format, fingerprint, digest, ...rest };
  const at = members.findIndex((m) => m.key === "fingerprint") + 1;
  members.splice(at, 0, { key: "digest", scalar: JSON.stringify(digest), keys: null, values: [] });
  laidOut.set(plan, members);
  return plan;
}

/** The plan file's text, with a final newline; the same plan always gives the same bytes. */
export function planFileText(plan: PlanFile): string {
  const members = laidOut.get(plan) ?? layout(plan);
  const lines: string[] = ["{"];
  members.forEach((m, i) => {
    const comma = i < members.length - 1 ? "," : "";
    const head = `  ${JSON.stringify(m.key)}: `;
    if (m.scalar !== null) {
      lines.push(head + m.scalar + comma);
      return;
    }
    const [open, close] = m.keys === null ? ["[", "]"] : ["{", "}"];
    if (m.values.length === 0) {
      lines.push(head + open + close + comma);
      return;
    }
    lines.push(head + open);
    const last = m.values.length - 1;
    m.values.forEach((v, j) => lines.push(`    ${m.keys === null ? "" : `${JSON.stringify(m.keys[j])}: `}${v}${j < last ? "," : ""}`));
    lines.push(`  ${close}${comma}`);
  });
  lines.push("}", "");
  return lines.join("\n");
}

/**
 * A top-level member: a scalar's JSON, or a container's elements as compact JSON (with
 * their keys for an object). Members and elements JSON.stringify would leave out are left
 * out, and an array element it writes as null is null here too.
 */
interface Member {
  readonly key: string;
  readonly scalar: string | null;
  readonly keys: string[] | null;
  readonly values: string[];
}

/** The plans sealed here, with their serialized members, for planFileText. */
const laidOut = new WeakMap<PlanFile, Member[]>();

function layout(value: object): Member[] {
  const members: Member[] = [];
  for (const [key, v] of Object.entries(value)) {
    if (v === null || typeof v !== "object" || typeof (v as { toJSON?: unknown }).toJSON === "function") {
      const scalar = JSON.stringify(v) as string | undefined;
      if (scalar !== undefined) members.push({ key, scalar, keys: null, values: [] });
    } else if (Array.isArray(v)) {
      members.push({ key, scalar: null, keys: null, values: v.map((e: unknown) => JSON.stringify(e) ?? "null") });
    } else {
      const keys: string[] = [];
      const values: string[] = [];
      for (const [k, e] of Object.entries(v as object)) {
        const json = JSON.stringify(e) as string | undefined;
        if (json === undefined) continue;
        keys.push(k);
        values.push(json);
      }
      members.push({ key, scalar: null, keys, values });
    }
  }
  return members;
}

/** sha256 of the members as compact JSON: byte for byte JSON.stringify of the object they came from. */
function hashCompact(members: readonly Member[]): string {
  const hash = createHash("sha256");
  let buf = "{";
  const flush = (): void => {
    if (buf.length > 65_536) {
      hash.update(buf);
      buf = "";
    }
  };
  members.forEach((m, i) => {
    buf += `${i > 0 ? "," : ""}${JSON.stringify(m.key)}:`;
    if (m.scalar !== null) {
      buf += m.scalar;
      return;
    }
    buf += m.keys === null ? "[" : "{";
    m.values.forEach((v, j) => {
      buf += `${j > 0 ? "," : ""}${m.keys === null ? "" : `${JSON.stringify(m.keys[j])}:`}${v}`;
      flush();
    });
    buf += m.keys === null ? "]" : "}";
  });
  hash.update(buf + "}");
  return hash.digest("hex");
}
