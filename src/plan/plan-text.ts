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
 * Receives the plan file's text as it is made, piece by piece in file order, and the plan's
 * compact JSON with it, which the digest covers (compile -o writes the file, and hashes, in
 * another thread meanwhile). The digest's line comes at its place with 64 zeros for the
 * digest, which is known only at the end: `sealed` then gives the line as it must read, of
 * the same length.
 */
export interface PlanTextSink {
  /** The next piece of text: as the file has it, and as the compact JSON has it (either may be empty). */
  text(file: string, compact: string): void;
  /**
   * The next `count` elements of an array as compact JSON, the same in both: in the file each
   * goes on a line of its own (layRun). `between` is the text between two of them (see
   * arrayRuns), or null for one element.
   */
  run(json: string, between: string | null, count: number): void;
  /** The digest's line, in the file only, to be written over once the digest is known. */
  digestLine(placeholder: string): void;
  /** sha256 in hex of the compact JSON given so far, the plan's digest; null when the sink cannot tell (sealPlan then computes it). */
  digest(): string | null;
  /** The digest's line as it must read. */
  sealed(line: string): void;
}

/**
 * A run of `count` elements (see arrayRuns) as the file lays it out: one element per line.
 * The line breaks go where `between` (`},{"id":"`) occurs, when it occurs exactly once per
 * pair of elements, so nowhere inside one; otherwise (an element that holds an array of
 * objects with the same first key, say) the elements are found by reading the JSON.
 */
export function layRun(json: string, between: string | null, count: number): string {
  if (between === null || count <= 1) return json;
  const lineBreak = `},\n    ${between.slice(2)}`;
  const laid = json.replaceAll(between, lineBreak);
  // Each occurrence makes the text longer by the same amount: the count, without a search.
  if ((laid.length - json.length) / (lineBreak.length - between.length) === count - 1) return laid;
  return jsonElements(json).join(",\n    ");
}

/** The elements of a comma-separated list of JSON values (an array's text without its brackets). */
function jsonElements(json: string): string[] {
  const elements: string[] = [];
  let depth = 0;
  let inString = false;
  let from = 0;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // a backslash: the next character is escaped
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) depth++;
    else if (c === 125 || c === 93) depth--;
    else if (c === 44 && depth === 0) {
      elements.push(json.slice(from, i));
      from = i + 1;
    }
  }
  elements.push(json.slice(from));
  return elements;
}

/**
 * The plan with its digest (placed after `fingerprint`, so the file reads well), serialized
 * once. Without a sink its text (planFileChunks) is kept with it, built from the same pieces;
 * with one, the text goes to the sink as it is made, and is not kept.
 */
export function sealPlan(body: Omit<PlanFile, "digest">, sink?: PlanTextSink): PlanFile {
  const { format, fingerprint, ...rest } = body;
  const plan: { -readonly [K in keyof PlanFile]: PlanFile[K] } = { format, fingerprint, digest: DIGEST_PLACEHOLDER, ...rest };
  const collected = sink ? null : new Collector(createHash("sha256"));
  const out = sink ?? (collected as Collector);
  const placeholder = writeText(plan, out, true);
  plan.digest = out.digest() ?? planDigest(plan);
  if (placeholder !== null) out.sealed(placeholder.replace(DIGEST_PLACEHOLDER, plan.digest));
  if (collected) laidOut.set(plan, collected.chunks);
  return plan;
}

/** The plan file's text, with a final newline; the same plan always gives the same bytes. */
export function planFileText(plan: PlanFile): string {
  return planFileChunks(plan).join("");
}

/**
 * The plan file's text in pieces, to write one after the other: at 10k hosts the text is
 * 40 MB, and joining it would copy it once more.
 */
export function planFileChunks(plan: PlanFile): readonly string[] {
  const kept = laidOut.get(plan);
  if (kept) return kept;
  const collected = new Collector(null);
  writeText(plan, collected, false);
  return collected.chunks;
}

/** The files of the plans sealed here without a sink. */
const laidOut = new WeakMap<PlanFile, string[]>();

/** The digest while the plan is serialized: 64 zeros, as long as the digest. */
const DIGEST_PLACEHOLDER = "0".repeat(64);

/** A sink that keeps the file's text as pieces, the digest's line a piece of its own, and hashes the compact JSON when given a hash. */
class Collector implements PlanTextSink {
  readonly chunks: string[] = [];
  private digestAt = -1;
  constructor(private readonly hash: Hash | null) {}
  text(file: string, compact: string): void {
    if (file !== "") this.chunks.push(file);
    if (compact !== "") this.hash?.update(compact);
  }
  run(json: string, between: string | null, count: number): void {
    this.chunks.push(layRun(json, between, count));
    this.hash?.update(json);
  }
  digestLine(placeholder: string): void {
    this.digestAt = this.chunks.push(placeholder) - 1;
  }
  digest(): string | null {
    return this.hash?.digest("hex") ?? null;
  }
  sealed(line: string): void {
    if (this.digestAt >= 0) this.chunks[this.digestAt] = line;
  }
}

/**
 * The value's file text, and when sealing its compact JSON (what JSON.stringify writes), into
 * `sink`, from one serialization: each top-level member on a line of its own, and each
 * element of a top-level array or object (a step, a host, a service, a window) on a line of
 * its own as compact JSON. Members and elements JSON.stringify would leave out are left out,
 * and an array element it writes as null is null here too.
 *
 * When sealing, the `digest` member is not part of the compact JSON, and its line goes to the
 * file as it is (DIGEST_PLACEHOLDER) through `digestLine`; the line is returned.
 */
function writeText(value: object, sink: PlanTextSink, sealing: boolean): string | null {
  const out = new TextOut(sink, sealing);
  const members: (readonly [string, unknown, string | null])[] = [];
  for (const [key, v] of Object.entries(value)) {
    const container = v !== null && typeof v === "object" && typeof (v as { toJSON?: unknown }).toJSON !== "function";
    const scalar = container ? null : (JSON.stringify(v) as string | undefined);
    if (scalar !== undefined) members.push([key, v, scalar]);
  }
  let placeholder: string | null = null;
  let compactMembers = 0;
  out.both("{\n", "{");
  members.forEach(([key, v, scalar], i) => {
    const comma = i < members.length - 1 ? ",\n" : "\n";
    const name = JSON.stringify(key);
    if (sealing && key === "digest") {
      placeholder = `  ${name}: ${scalar ?? ""}${comma}`;
      out.digestLine(placeholder);
      return;
    }
    out.both(`  ${name}: `, `${compactMembers++ > 0 ? "," : ""}${name}:`);
    if (scalar !== null) {
      out.both(scalar + comma, scalar);
    } else if (Array.isArray(v)) {
      // Each run goes on as soon as it is made: a sink writes it while the next is serialized.
      out.both(v.length === 0 ? "[" : "[\n    ", "[");
      let first = true;
      for (const run of arrayRuns(v)) {
        if (!first) out.both(",\n    ", ",");
        first = false;
        out.run(run);
      }
      out.both(v.length === 0 ? `]${comma}` : `\n  ]${comma}`, "]");
    } else {
      const entries: (readonly [string, string])[] = [];
      for (const [k, e] of Object.entries(v as object)) {
        const json = JSON.stringify(e) as string | undefined;
        if (json !== undefined) entries.push([k, json]);
      }
      out.both(entries.length === 0 ? "{" : "{\n    ", "{");
      entries.forEach(([k, json], j) => {
        const name = JSON.stringify(k);
        out.both(`${j > 0 ? ",\n    " : ""}${name}: `, `${j > 0 ? "," : ""}${name}:`);
        out.run({ json, between: null, count: 1 });
      });
      out.both(entries.length === 0 ? `}${comma}` : `\n  }${comma}`, "}");
    }
  });
  out.both("}\n", "}");
  out.flush();
  return placeholder;
}

/** The file text and the compact JSON as they are made: small pieces gathered, large runs passed on as they come. */
class TextOut {
  private fileText = "";
  private compactText = "";
  constructor(
    private readonly sink: PlanTextSink,
    /** Whether the compact JSON is wanted. */
    private readonly compact: boolean,
  ) {}

  /** The same piece of the value, as the file and as the compact JSON write it. */
  both(fileText: string, compactText: string): void {
    this.fileText += fileText;
    if (this.compact) this.compactText += compactText;
  }

  run(run: Run): void {
    if (run.json.length < 65_536) {
      this.both(layRun(run.json, run.between, run.count), run.json);
      return;
    }
    this.flush();
    this.sink.run(run.json, run.between, run.count);
  }

  digestLine(placeholder: string): void {
    this.flush();
    this.sink.digestLine(placeholder);
  }

  flush(): void {
    if (this.fileText !== "" || this.compactText !== "") this.sink.text(this.fileText, this.compactText);
    this.fileText = "";
    this.compactText = "";
  }
}

/** Compact JSON of consecutive elements, and how to put each on a line of its own. */
interface Run {
  readonly json: string;
  /** The text between two elements in `json` (see layRun); null when `json` is one element. */
  readonly between: string | null;
  /** How many elements `json` holds. */
  readonly count: number;
}

/**
 * Elements per JSON.stringify call: a run of 80k steps would be a 40 MB string. Runs of 2048
 * steps (1 MB) keep compile -o's writing thread close behind, so the digest, which waits for
 * the last run to be hashed, comes 10-30 ms sooner than with runs of 8192, and the compile's
 * peak memory at 10k hosts is some 50 MB lower.
 */
const RUN = 2048;

/**
 * An array's elements as runs, made one at a time. One JSON.stringify call for thousands of elements is much
 * cheaper than one per element (80k steps: a third of the time, and no 80k strings to keep).
 * The lines are found again in the run's JSON (layRun, in the thread that writes the file
 * when there is one) by the text between two elements: for objects that each start with the
 * same key holding a string (a step's `id`), that is `},{"key":"`. Other arrays are
 * serialized element by element.
 */
function* arrayRuns(array: readonly unknown[]): Generator<Run> {
  for (let from = 0; from < array.length; from += RUN) {
    const elements = array.slice(from, from + RUN);
    const between = separatorOf(elements);
    if (between !== null) {
      yield { json: JSON.stringify(elements).slice(1, -1), between, count: elements.length };
      continue;
    }
    for (const e of elements) yield { json: JSON.stringify(e) ?? "null", between: null, count: 1 };
  }
}

/**
 * `},{"key":"` when the first element is a plain object whose first member is `key` with a
 * string; else null. The other elements are not looked at (at 80k steps that took 20 ms):
 * the separator cannot occur inside a string (JSON escapes its quotes), so an element that
 * starts differently makes it occur fewer times than there are pairs, and a nested array of
 * objects that start with the same key more times, and layRun then reads the elements from
 * the JSON itself. Only both at once in one run could hide each other; a line would then
 * hold two elements, or one element's end: the text is the same JSON either way, and the
 * digest (over the compact JSON) the same. Plans as emit makes them have neither.
 */
function separatorOf(elements: readonly unknown[]): string | null {
  const e = elements[0];
  if (e === null || typeof e !== "object" || Array.isArray(e) || Object.getPrototypeOf(e) !== Object.prototype || typeof (e as { toJSON?: unknown }).toJSON === "function") return null;
  for (const key in e) return typeof (e as Record<string, unknown>)[key] === "string" ? `},{${JSON.stringify(key)}:"` : null;
  return null;
}
