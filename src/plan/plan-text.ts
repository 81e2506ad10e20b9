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
import { createHash, type Hash } from "node:crypto";
import type { PlanFile } from "./plan.js";

/** sha256 of the plan's compact JSON without `digest`: what the plan's `digest` must be. */
export function planDigest(plan: Omit<PlanFile, "digest"> | PlanFile): string {
  const { digest: _ignored, ...rest } = plan as PlanFile;
  return createHash("sha256").update(JSON.stringify(rest)).digest("hex");
}

/**
 * The plan with its digest (placed after `fingerprint`, so the file reads well), serialized
 * once: its text (planFileChunks) is kept with it, built from the same pieces.
 */
export function sealPlan(body: Omit<PlanFile, "digest">): PlanFile {
  const members = layout(body);
  const hash = createHash("sha256");
  writeCompact(members, hash);
  const digest = hash.digest("hex");
  const { format, fingerprint, ...rest } = body;
  const plan: PlanFile = { format, fingerprint, digest, ...rest };
  const at = members.findIndex((m) => m.key === "fingerprint") + 1;
  members.splice(at, 0, { key: "digest", scalar: JSON.stringify(digest), keys: null, runs: [] });
  laidOut.set(plan, fileChunks(members));
  return plan;
}

/** The plan file's text, with a final newline; the same plan always gives the same bytes. */
export function planFileText(plan: PlanFile): string {
  return planFileChunks(plan).join("");
}

/**
 * The plan file's text in pieces, to write one after the other: at 10k hosts the text is
 * 47 MB, and joining it would copy it once more.
 */
export function planFileChunks(plan: PlanFile): readonly string[] {
  return laidOut.get(plan) ?? fileChunks(layout(plan));
}

/** The files of the plans sealed here. */
const laidOut = new WeakMap<PlanFile, string[]>();

/**
 * A top-level member: a scalar's JSON, or a container's elements as compact JSON, with their
 * keys for an object. An array's elements come in runs: the compact JSON of consecutive
 * elements, comma-separated, as JSON.stringify writes the array (see arrayRuns). Members and
 * elements JSON.stringify would leave out are left out, and an array element it writes as
 * null is null here too.
 */
interface Member {
  readonly key: string;
  readonly scalar: string | null;
  /** An object's keys, one per run (each run is one value); null for an array. */
  readonly keys: string[] | null;
  readonly runs: Run[];
}

/** Compact JSON of consecutive elements, and how to put each on a line of its own. */
interface Run {
  readonly json: string;
  /** The separator between two elements in `json`, which occurs nowhere else in it; null when `json` is one element. */
  readonly between: string | null;
}

function layout(value: object): Member[] {
  const members: Member[] = [];
  for (const [key, v] of Object.entries(value)) {
    if (v === null || typeof v !== "object" || typeof (v as { toJSON?: unknown }).toJSON === "function") {
      const scalar = JSON.stringify(v) as string | undefined;
      if (scalar !== undefined) members.push({ key, scalar, keys: null, runs: [] });
    } else if (Array.isArray(v)) {
      members.push({ key, scalar: null, keys: null, runs: arrayRuns(v) });
    } else {
      const keys: string[] = [];
      const runs: Run[] = [];
      for (const [k, e] of Object.entries(v as object)) {
        const json = JSON.stringify(e) as string | undefined;
        if (json === undefined) continue;
        keys.push(k);
        runs.push({ json, between: null });
      }
      members.push({ key, scalar: null, keys, runs });
    }
  }
  return members;
}

/** Elements per JSON.stringify call: a run of 80k steps would be a 47 MB string. */
const RUN = 8192;

/**
 * An array's elements as runs. One JSON.stringify call for thousands of elements is much
 * cheaper than one per element (80k steps: a third of the time, and no 80k strings to keep).
 * The lines are found again in the run's JSON by the text between two elements: for objects
 * that each start with the same key holding a string (a step's `id`), that is `},{"key":"`.
 * The run is used only when the separator occurs exactly once per pair of elements, so it
 * occurs nowhere inside one; otherwise each element is serialized alone.
 */
function arrayRuns(array: readonly unknown[]): Run[] {
  const runs: Run[] = [];
  for (let from = 0; from < array.length; from += RUN) {
    const elements = array.slice(from, from + RUN);
    const between = separatorOf(elements);
    if (between !== null) {
      const json = JSON.stringify(elements).slice(1, -1);
      if (occurrences(json, between) === elements.length - 1) {
        runs.push({ json, between });
        continue;
      }
    }
    for (const e of elements) runs.push({ json: JSON.stringify(e) ?? "null", between: null });
  }
  return runs;
}

/**
 * `},{"key":"` when the first element is a plain object whose first member is `key` with a
 * string; else null. The other elements are not looked at (at 80k steps that took 20 ms):
 * the separator cannot occur inside a string (JSON escapes its quotes), so an element that
 * starts differently makes it occur fewer times than there are pairs, and a nested array of
 * objects that start with the same key more times, and arrayRuns then serializes the run
 * element by element. Only both at once in one run could hide each other; a line would then
 * hold two elements, or one element's end: the text is the same JSON either way, and the
 * digest (over the compact JSON) the same. Plans as emit makes them have neither.
 */
function separatorOf(elements: readonly unknown[]): string | null {
  const e = elements[0];
  if (e === null || typeof e !== "object" || Array.isArray(e) || Object.getPrototypeOf(e) !== Object.prototype || typeof (e as { toJSON?: unknown }).toJSON === "function") return null;
  for (const key in e) return typeof (e as Record<string, unknown>)[key] === "string" ? `},{${JSON.stringify(key)}:"` : null;
  return null;
}

function occurrences(text: string, part: string): number {
  let n = 0;
  for (let at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length)) n++;
  return n;
}

/** The members as compact JSON, byte for byte JSON.stringify of the object they came from, into `hash`. */
function writeCompact(members: readonly Member[], hash: Hash): void {
  let head = "{";
  members.forEach((m, i) => {
    head += `${i > 0 ? "," : ""}${JSON.stringify(m.key)}:`;
    if (m.scalar !== null) {
      head += m.scalar;
      return;
    }
    head += m.keys === null ? "[" : "{";
    m.runs.forEach((run, j) => {
      head += `${j > 0 ? "," : ""}${m.keys === null ? "" : `${JSON.stringify(m.keys[j])}:`}`;
      if (run.json.length < 65_536) {
        head += run.json;
        return;
      }
      hash.update(head);
      hash.update(run.json);
      head = "";
    });
    head += m.keys === null ? "]" : "}";
  });
  hash.update(head + "}");
}

/** The file's layout: one line per member and per element, in pieces (a run of steps is one). */
function fileChunks(members: readonly Member[]): string[] {
  const chunks: string[] = [];
  let text = "{\n";
  const put = (piece: string): void => {
    if (piece.length < 65_536) {
      text += piece;
      return;
    }
    chunks.push(text, piece);
    text = "";
  };
  members.forEach((m, i) => {
    const comma = i < members.length - 1 ? ",\n" : "\n";
    const head = `  ${JSON.stringify(m.key)}: `;
    if (m.scalar !== null) {
      put(head + m.scalar + comma);
      return;
    }
    const [open, close] = m.keys === null ? ["[", "]"] : ["{", "}"];
    if (m.runs.length === 0) {
      put(head + open + close + comma);
      return;
    }
    put(head + open);
    m.runs.forEach((run, j) => {
      put(j === 0 ? "\n    " : ",\n    ");
      if (m.keys !== null) put(`${JSON.stringify(m.keys[j])}: `);
      // Within a run the separator is exactly the text between two elements: `},{"id":"`.
      put(run.between === null ? run.json : run.json.replaceAll(run.between, `},\n    ${run.between.slice(2)}`));
    });
    put(`\n  ${close}${comma}`);
  });
  chunks.push(text + "}\n");
  return chunks;
}
