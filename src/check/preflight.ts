/**
 * The checks as `upgradec run` calls them before it starts (unless --skip-checks), and the
 * effects both `check` and the run's preflight use: the runtime's process executor, the
 * system clock, the plan's secrets.
 */
import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import { ExitCode } from "../cli/exit-codes.js";
import type { PlanFile } from "../plan/plan.js";
import { versionProbesFromSources, type VersionProbes } from "../probe/version-probes.js";
import { type Clock, type Executor, systemClock } from "../runtime/effects.js";
import { loadPlan } from "../runtime/plan-load.js";
import { processExecutor } from "../runtime/process-executor.js";
import { resolveSecrets } from "../runtime/secrets.js";
import { moduleDirOf } from "../runtime/step-exec.js";
import { checkPassed, runChecks, type CheckOptions, type CheckReport, type CheckRow } from "./check.js";
import { renderCheckTable } from "./render-check.js";

export const DEFAULT_PARALLEL = 8;
export const DEFAULT_TIMEOUT = 30;

export interface ProbeSettings {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly parallel?: number;
  /** Seconds per probe. */
  readonly timeout?: number;
  readonly executor?: Executor;
  readonly clock?: Clock;
}

/** The effects a check or verify runs with: the runtime's executor unless one is given. */
export function probeOptions(plan: PlanFile, planDir: string, settings: ProbeSettings): CheckOptions {
  const clock = settings.clock ?? systemClock;
  const secrets = resolveSecrets(plan.secrets, settings.env, readText, planDir);
  return {
    executor: settings.executor ?? processExecutor({ baseDir: planDir, moduleDir: moduleDirOf(plan, planDir), env: settings.env, clock }),
    clock,
    secrets: secrets.values,
    secretProblems: secrets.problems,
    parallel: settings.parallel ?? DEFAULT_PARALLEL,
    timeout: settings.timeout ?? DEFAULT_TIMEOUT,
  };
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

export interface PreflightOptions extends ProbeSettings {
  /** Absolute path of the plan file (its sources give the version queries). */
  readonly planPath: string;
  /** Warnings fail too. */
  readonly strict?: boolean;
  /** Given, instead of compiling the plan's sources again. */
  readonly versionProbes?: VersionProbes | null;
}

export interface PreflightResult {
  readonly passed: boolean;
  readonly report: CheckReport;
  /** The table and summary line, for the terminal. */
  readonly text: string;
  /** For the journal's run-started record: what the checks found. */
  readonly outcome: "passed" | "passed-with-warnings" | "failed";
}

/** Every pre-upgrade check of a loaded plan; `passed` is what `upgradec check` would exit 0 on. */
export async function runPreflight(plan: PlanFile, options: PreflightOptions): Promise<PreflightResult> {
  const planDir = dirname(options.planPath);
  const versionProbes = options.versionProbes !== undefined ? options.versionProbes : versionProbesFromSources(options.planPath, plan.entry);
  const before: CheckRow[] = [{ check: "plan", host: null, service: null, step: null, result: "ok", detail: "loads: not stale, not edited" }];
  const report = await runChecks({ plan, planDir, versionProbes, before }, probeOptions(plan, planDir, options));
  const strict = options.strict === true;
  const passed = checkPassed(report, strict);
  return { passed, report, text: renderCheckTable(report, strict), outcome: !passed ? "failed" : report.warnings > 0 ? "passed-with-warnings" : "passed" };
}

export interface RunGate {
  /** false: the checks failed; the run must not start, and exits with `exitCode`. */
  readonly proceed: boolean;
  readonly exitCode: number;
  /** For the journal's run-started record. */
  readonly checks: "skipped" | PreflightResult["outcome"];
}

/**
 * What `upgradec run` calls before it starts: the checks (unless skipped), their table on
 * stderr, and whether to go on. A plan that does not load is let through: the run's own load
 * reports it with the run's exit code.
 */
export async function preflightForRun(
  planArg: string,
  options: { readonly skip: boolean; readonly strict?: boolean; readonly cwd: string; readonly env: Readonly<Record<string, string | undefined>>; readonly write: (text: string) => void },
): Promise<RunGate> {
  if (options.skip) {
    options.write("upgradec run: pre-upgrade checks skipped (--skip-checks); the journal records it\n");
    return { proceed: true, exitCode: 0, checks: "skipped" };
  }
  const loaded = await loadPlan(planArg, { cwd: options.cwd });
  if (loaded.value === null) return { proceed: true, exitCode: 0, checks: "skipped" };
  const result = await runPreflight(loaded.value.plan, { planPath: loaded.value.path, env: options.env, ...(options.strict !== undefined ? { strict: options.strict } : {}) });
  options.write(result.text);
  if (!result.passed) {
    options.write(`upgradec run: the pre-upgrade checks failed; nothing was started. Fix them (upgradec check ${planArg}), or start anyway with --skip-checks\n`);
    return { proceed: false, exitCode: ExitCode.CompileErrors, checks: "failed" };
  }
  return { proceed: true, exitCode: 0, checks: result.outcome };
}
