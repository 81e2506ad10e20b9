/**
 * `compile --history DIR`: what earlier runs measured. Each DIR is a state directory
 * (`.upgradec/`), a directory of runs (`runs/`), or one run's directory; every journal found
 * there is read with the journal's own checks (checksums, sequence, hash chain, mark), and a
 * damaged one is left out with a warning: a journal is untrusted input, and a half-read one
 * would bias the estimates without anyone knowing.
 *
 * A sample is one successful attempt of a step: from its (last) `step-started` to its
 * `step-succeeded`, in one session (a resume or stop in between leaves
 * the attempt out: the time includes the tool's own outage). A step found done by its
 * done-check measured nothing and is left out too. Steps are named by their ids
 * (`<service>/b<n>/<host>/<action>` in a rollout, `<service>/<action>` otherwise); the plan
 * that ran them need not be the one compiled now: what is learned is per service and action.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve as resolvePath } from "node:path";
import { type Diagnostic, type Result, diag } from "../diagnostics/diagnostic.js";
import type { History, HistorySample } from "../plan/history.js";
import { STEP_ACTIONS, type PlanHistoryRun, type StepAction } from "../plan/plan.js";
import { sha256 } from "../plan/digest.js";
import { checkJournal, type JournalRead, type JournalRecord, markPathOf } from "./journal.js";

/** Actions a run measures that an estimate stands for (markers and checkpoints are not). */
const MEASURED: ReadonlySet<string> = new Set<StepAction>(STEP_ACTIONS.filter((a) => a !== "checkpoint" && a !== "batch-pause"));

/** A step that took longer than this was not one attempt of a step but a record in error. */
const MOST_SECONDS = 7 * 24 * 3600;

/** The service and action a step id names, or null for a marker, a checkpoint or an id that is not a step's. */
export function stepKey(id: string): { readonly service: string; readonly action: StepAction } | null {
  const parts = id.split("/");
  if (parts.length !== 2 && parts.length !== 4) return null;
  const service = parts[0] ?? "";
  const action = parts[parts.length - 1] ?? "";
  if (service === "" || service === "checkpoint" || !MEASURED.has(action)) return null;
  if (parts.length === 4 && !/^b[1-9][0-9]*$/.test(parts[1] ?? "")) return null;
  return { service, action: action as StepAction };
}

/** The samples of one journal's records. */
export function samplesOf(records: readonly JournalRecord[]): HistorySample[] {
  const out: HistorySample[] = [];
  const open = new Map<string, { readonly ms: number; readonly attempt: unknown }>();
  for (const r of records) {
    switch (r.type) {
      case "run-resumed":
      case "run-stopped":
      case "rollback-started":
        // What was in flight may have gone on without the tool watching: not a measure.
        open.clear();
        break;
      case "step-started": {
        const ms = Date.parse(String(r.time));
        if (typeof r.step === "string" && Number.isFinite(ms)) open.set(r.step, { ms, attempt: r.attempt });
        break;
      }
      case "step-failed":
      case "step-skipped":
        if (typeof r.step === "string") open.delete(r.step);
        break;
      case "step-succeeded": {
        if (typeof r.step !== "string") break;
        const started = open.get(r.step);
        open.delete(r.step);
        if (started === undefined || r.byDoneCheck === true || (r.attempt !== undefined && started.attempt !== r.attempt)) break;
        const key = stepKey(r.step);
        const seconds = (Date.parse(String(r.time)) - started.ms) / 1000;
        if (key === null || !Number.isFinite(seconds) || seconds < 0 || seconds > MOST_SECONDS) break;
        out.push({ ...key, host: typeof r.host === "string" ? r.host : null, seconds, run: String(r.run) });
        break;
      }
      default:
        break;
    }
  }
  return out;
}

/** The journals under `dir`: itself a run, a directory of runs, or a state directory (both layouts). */
export function journalsUnder(dir: string): string[] {
  const own = join(dir, "journal.jsonl");
  if (isFile(own)) return [own];
  const runDirs = (runs: string): string[] => subdirs(runs).map((d) => join(runs, d, "journal.jsonl")).filter(isFile);
  const found = [...runDirs(join(dir, "runs")), ...runDirs(dir)];
  // Per-plan state: plans/<plan>/runs/<run>/ (plans/<plan> is a file, a pointer, in the older layout).
  for (const plan of subdirs(join(dir, "plans"))) found.push(...runDirs(join(dir, "plans", plan, "runs")));
  return [...new Set(found)].sort();
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function subdirs(path: string): string[] {
  try {
    return readdirSync(path, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

/** The journal as read, with damage when its records belong to more than one run (a journal is one run's). */
function oneRun(read: JournalRead): JournalRead {
  if (read.damage !== null) return read;
  const run = read.records[0]?.run;
  const other = read.records.findIndex((r) => r.run !== run);
  return other < 0 ? read : { ...read, damage: { file: "journal", line: other + 1, reason: `the record belongs to run ${JSON.stringify(read.records[other]?.run)}, not ${JSON.stringify(run)}` } };
}

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

/**
 * The history of the runs under `dirs` (paths relative to `cwd`). `recordBase` is the
 * directory the plan file records journal paths relative to (the plan file's). A directory
 * that is missing or holds no journal is an error (a mistyped path must not quietly give
 * written estimates); a damaged journal is a warning and left out.
 */
export function readHistory(dirs: readonly string[], cwd: string, recordBase: string): Result<History> {
  const diagnostics: Diagnostic[] = [];
  const runs = new Map<string, PlanHistoryRun>();
  const samples = new Map<string, HistorySample[]>();
  for (const given of dirs) {
    const dir = resolvePath(cwd, given);
    if (!existsSync(dir)) {
      diagnostics.push(diag("UPG0010", { message: `--history ${given}: no such directory`, help: "give a state directory (.upgradec), its runs/ directory, or one run's directory" }));
      continue;
    }
    const journals = journalsUnder(dir);
    if (journals.length === 0) {
      diagnostics.push(diag("UPG0010", {
        message: `--history ${given}: no journal.jsonl in it, in its runs/*/ or in its plans/*/runs/*/`,
        help: "give a state directory (.upgradec), its runs/ directory, or one run's directory",
      }));
      continue;
    }
    for (const path of journals) {
      const text = readOrNull(path);
      const read = text === null ? null : oneRun(checkJournal(text, readOrNull(markPathOf(path))));
      const shown = relative(cwd, path) || path;
      if (text === null || read === null || read.damage !== null) {
        const why = read?.damage ? `${read.damage.file}${read.damage.line !== null ? ` line ${read.damage.line}` : ""}: ${read.damage.reason}` : "it cannot be read";
        diagnostics.push(diag("UPG0011", { message: `--history: ${shown} is not used: ${why}`, help: "its estimates come from the other journals, or from the plan's own `takes`" }));
        continue;
      }
      const first = read.records[0];
      const run = String(first?.run ?? "");
      // The same run reached twice (two --history paths to one directory) counts once.
      if (runs.has(run)) continue;
      const measured = samplesOf(read.records);
      samples.set(run, measured);
      runs.set(run, {
        run,
        plan: typeof first?.plan === "string" ? first.plan : null,
        journal: relative(recordBase, path) || path,
        sha256: sha256(text),
        samples: measured.length,
      });
    }
  }
  const ids = [...runs.keys()].sort();
  return {
    value: { runs: ids.map((id) => runs.get(id) as PlanHistoryRun), samples: ids.flatMap((id) => samples.get(id) ?? []) },
    diagnostics,
  };
}
