/**
 * The pre-upgrade checks as `upgradec run` calls them before it starts: their table on
 * stderr, and whether the run may begin (and with which exit code when it may not).
 */
import type { LoadedPlan } from "../../runtime/plan-load.js";
import { runPreflight, type PreflightResult } from "../../preflight/preflight.js";
import { ExitCode } from "../exit-codes.js";

export interface RunGate {
  /** false: the checks failed; the run must not start, and exits with `exitCode`. */
  readonly proceed: boolean;
  readonly exitCode: number;
  /** For the journal's run-started record. */
  readonly checks: "skipped" | PreflightResult["outcome"];
}

/**
 * What `upgradec run` calls before it starts, on the plan it loaded: the checks (unless
 * skipped), their table on stderr, and whether to go on.
 */
export async function preflightForRun(
  loaded: LoadedPlan,
  planArg: string,
  options: { readonly skip: boolean; readonly strict?: boolean; readonly env: Readonly<Record<string, string | undefined>>; readonly write: (text: string) => void },
): Promise<RunGate> {
  if (options.skip) {
    options.write("upgradec run: pre-upgrade checks skipped (--skip-checks); the journal records it\n");
    return { proceed: true, exitCode: 0, checks: "skipped" };
  }
  const result = await runPreflight(loaded.plan, { planPath: loaded.path, env: options.env, ...(options.strict !== undefined ? { strict: options.strict } : {}) });
  options.write(result.text);
  if (!result.passed) {
    options.write(`upgradec run: the pre-upgrade checks failed; nothing was started. Fix them (upgradec check ${planArg}), or start anyway with --skip-checks\n`);
    return { proceed: false, exitCode: ExitCode.CompileErrors, checks: "failed" };
  }
  return { proceed: true, exitCode: 0, checks: result.outcome };
}
