/**
 * A plan's current run, found and checked before any verb acts on it: the pointer, the
 * journal, its mark, and the plan it belongs to. Damaged state is a value (what is wrong, in
 * which file and on which line, and what could still be read), never "no run": a run taken
 * for absent would run its completed steps again.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type JournalRead, readJournal } from "./journal.js";
import { replay, type RunState } from "./run-state.js";
import { isRunId, type RunPaths, type StatePaths } from "./state-dir.js";

export type CurrentRun =
  | { readonly kind: "none" }
  | { readonly kind: "run"; readonly runId: string; readonly run: RunPaths; readonly read: JournalRead; readonly state: RunState }
  | DamagedRun;

/** A run's state that cannot be read whole: the place of the damage and what is known before it. */
export interface DamagedRun {
  readonly kind: "damaged";
  /** Where the damage is: the pointer or the journal file, or a place in the database. */
  readonly file: string;
  readonly line: number | null;
  readonly reason: string;
  /** The run the pointer names, when it names one. */
  readonly runId: string | null;
  /** What the journal's records before the damage say, when there are any. */
  readonly known: RunState | null;
}

type Pointer = { readonly kind: "absent" } | { readonly kind: "text"; readonly text: string } | { readonly kind: "unreadable"; readonly reason: string };

function readPointer(path: string): Pointer {
  try {
    return { kind: "text", text: readFileSync(path, "utf8") };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === "ENOENT" ? { kind: "absent" } : { kind: "unreadable", reason: `it cannot be read (${code ?? String(error)})` };
  }
}

/**
 * The run `pointerFile` names, checked. `ownedBy` is the plan name its journal must record;
 * for the shared pointer of older layouts, a run of another plan is not this plan's ("none").
 */
function followPointer(paths: StatePaths, pointerFile: string, text: string, planName: string, shared: boolean): CurrentRun {
  const runId = text.trim();
  if (!isRunId(runId)) {
    return { kind: "damaged", file: pointerFile, line: 1, reason: `it does not hold a run id (${JSON.stringify(text.slice(0, 40))})`, runId: null, known: null };
  }
  const run = paths.run(runId);
  const read = readJournal(run.journal, runId);
  const known = read.records.length > 0 ? replay(read.records) : null;
  if (read.damage !== null) {
    return { kind: "damaged", file: read.damage.file === "mark" ? run.mark : run.journal, line: read.damage.line, reason: read.damage.reason, runId, known };
  }
  const owner = read.records[0]?.plan;
  if (owner !== planName) {
    if (shared) return { kind: "none" };
    return { kind: "damaged", file: pointerFile, line: 1, reason: `it names run ${runId}, a run of plan ${JSON.stringify(owner ?? "?")}, not of ${JSON.stringify(planName)}`, runId, known };
  }
  return { kind: "run", runId, run, read, state: replay(read.records) };
}

/** The current run of the plan named `planName` in the state `paths`. */
export function findCurrentRun(paths: StatePaths, planName: string): CurrentRun {
  const own = readPointer(paths.current);
  if (own.kind === "text") return followPointer(paths, paths.current, own.text, planName, false);
  if (own.kind === "unreadable") return { kind: "damaged", file: paths.current, line: null, reason: own.reason, runId: null, known: null };
  const legacy = readPointer(paths.legacyCurrent);
  if (legacy.kind === "unreadable") return { kind: "damaged", file: paths.legacyCurrent, line: null, reason: legacy.reason, runId: null, known: null };
  const found = legacy.kind === "text" ? followPointer(paths, paths.legacyCurrent, legacy.text, planName, true) : ({ kind: "none" } as const);
  return found.kind === "none" ? (unpointedRun(paths, planName) ?? found) : found;
}

/**
 * With no pointer, a run of this plan that did work and did not finish means the pointer
 * was lost (deleted, or the directory copied without it): damage, not "no run". A run
 * whose journal holds nothing but its start never ran a step (the tool died before naming
 * it); runs a later run abandoned (--start-over) stay abandoned.
 */
function unpointedRun(paths: StatePaths, planName: string): CurrentRun | null {
  let ids: string[];
  try {
    ids = readdirSync(join(paths.root, "runs")).filter(isRunId).sort();
  } catch {
    return null;
  }
  const abandoned = new Set<string>();
  const candidates: { runId: string; state: RunState }[] = [];
  for (const runId of ids) {
    const read = readJournal(paths.run(runId).journal, runId);
    const first = read.records[0];
    if (read.damage !== null || first === undefined) continue;
    if (first.abandoned !== undefined) abandoned.add(first.abandoned);
    if (first.plan !== planName || read.records.length < 2) continue;
    const state = replay(read.records);
    if (state.phase !== "finished" && state.phase !== "rolled-back") candidates.push({ runId, state });
  }
  const lost = candidates.filter((c) => !abandoned.has(c.runId)).at(-1);
  if (lost === undefined) return null;
  return {
    kind: "damaged",
    file: paths.current,
    line: null,
    reason: `it is missing, but run ${lost.runId} of this plan did work and did not finish (${lost.state.phase})`,
    runId: lost.runId,
    known: lost.state,
  };
}

/** The run was started from this plan: the same fingerprint (sources, hosts, compiler) and digest. */
export function sameIdentity(state: RunState, plan: { readonly fingerprint: string; readonly digest: string }): boolean {
  return state.fingerprint === plan.fingerprint && state.digest === plan.digest;
}
