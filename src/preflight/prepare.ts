/**
 * What `check` starts from: a .upg file compiled now, or a plan file loaded with the
 * runtime's own stale and tamper checks. Either way the result is a plan and rows saying how
 * getting it went; the plan carries all the checks need (version queries included).
 */
import { dirname, resolve as resolvePath } from "node:path";
import { compileFile } from "../compiler/compile.js";
import { nodeLoadHost } from "../files/node-host.js";
import { hasErrors, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { PlanFile } from "../plan/plan.js";
import { loadPlan } from "../runtime/plan-load.js";
import { VERSION } from "../version.js";
import type { CheckRow } from "./check.js";

export interface Prepared {
  /** null when there is no plan to check further. */
  readonly plan: PlanFile | null;
  /** Absolute path of the plan file, or null for a plan compiled in memory. */
  readonly planPath: string | null;
  readonly planDir: string;
  readonly rows: readonly CheckRow[];
  /** To show beside the rows (compile errors with their source lines). */
  readonly diagnostics: readonly Diagnostic[];
  readonly texts: ReadonlyMap<string, string>;
  /** Files of `texts` whose lines are not shown (CompileResult.hidden). */
  readonly hidden: ReadonlySet<string>;
}

const row = (check: CheckRow["check"], result: CheckRow["result"], detail: string): CheckRow => ({ check, host: null, service: null, step: null, result, detail });

export async function prepare(fileArg: string, options: { readonly cwd: string; readonly now: Date }): Promise<Prepared> {
  if (fileArg.endsWith(".upg")) {
    const result = compileFile(fileArg, nodeLoadHost(options.cwd), { now: options.now, compilerVersion: VERSION });
    const errors = result.diagnostics.filter((d) => d.severity === "error");
    const warnings = result.diagnostics.filter((d) => d.severity === "warning");
    const base = { planPath: null, planDir: options.cwd, diagnostics: result.diagnostics, texts: result.texts, hidden: result.hidden };
    if (hasErrors(result.diagnostics)) {
      return { ...base, plan: null, rows: [row("compile", "failed", `${errors.length} error(s): ${errors[0]?.message ?? ""}`)] };
    }
    if (result.plan === null) return { ...base, plan: null, rows: [row("compile", "error", "the compiler made no plan of it (and said nothing): a bug in upgradec")] };
    const compiled = row("compile", warnings.length > 0 ? "warning" : "ok", warnings.length > 0 ? `compiles, with ${warnings.length} warning(s): ${warnings[0]?.message ?? ""}` : "compiles with no errors");
    return { ...base, plan: result.plan, rows: [compiled] };
  }
  const loaded = await loadPlan(fileArg, { cwd: options.cwd });
  const path = resolvePath(options.cwd, fileArg);
  const base = { planPath: path, planDir: dirname(path), diagnostics: loaded.diagnostics, texts: new Map<string, string>(), hidden: new Set<string>() };
  if (loaded.value === null) {
    const first = loaded.diagnostics[0];
    return { ...base, plan: null, rows: [row("plan", "failed", first ? `${first.message}${first.help ? ` (${first.help})` : ""}` : "cannot load the plan")] };
  }
  return {
    ...base,
    plan: loaded.value.plan,
    rows: [row("plan", "ok", "loads: not stale, not edited")],
  };
}
