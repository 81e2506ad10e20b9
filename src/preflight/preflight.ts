/**
 * The checks as `upgradec run` calls them before it starts (unless --skip-checks), and the
 * effects both `check` and the run's preflight use: the runtime's process executor, the
 * system clock, the plan's secrets.
 */
import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import type { PlanFile } from "../plan/plan.js";
import { type Clock, type Executor, systemClock } from "../runtime/effects.js";
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

/**
 * Runs `use` with the effects a check or verify runs with: the runtime's executor unless one
 * is given, closed (its commands' output files) once `use` has ended.
 */
export async function withProbes<T>(plan: PlanFile, planDir: string, settings: ProbeSettings, use: (options: CheckOptions) => Promise<T>): Promise<T> {
  const clock = settings.clock ?? systemClock;
  if (settings.executor !== undefined) return use(probeOptions(plan, planDir, settings, settings.executor, clock));
  const made = processExecutor({ baseDir: planDir, moduleDir: moduleDirOf(plan, planDir), env: settings.env, clock });
  try {
    return await use(probeOptions(plan, planDir, settings, made, clock));
  } finally {
    made.close();
  }
}

function probeOptions(plan: PlanFile, planDir: string, settings: ProbeSettings, executor: Executor, clock: Clock): CheckOptions {
  const secrets = resolveSecrets(plan.secrets, settings.env, readText, planDir);
  return {
    executor,
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
  /** Absolute path of the plan file. */
  readonly planPath: string;
  /** Warnings fail too. */
  readonly strict?: boolean;
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
  const before: CheckRow[] = [{ check: "plan", host: null, service: null, step: null, result: "ok", detail: "loads: not stale, not edited" }];
  const report = await withProbes(plan, planDir, options, (probes) => runChecks({ plan, planDir, before }, probes));
  const strict = options.strict === true;
  const passed = checkPassed(report, strict);
  return { passed, report, text: renderCheckTable(report, strict), outcome: !passed ? "failed" : report.warnings > 0 ? "passed-with-warnings" : "passed" };
}
