/**
 * The compiler pipeline: load (parse + imports + inventory) → resolve (names, checks) →
 * build (expand, schedule, impact, emit). Each phase is a function returning its result and
 * diagnostics; a phase that throws is a compiler bug, turned here into an internal-error
 * diagnostic so one bug does not hide every other finding.
 */
import { hasErrors, pushAll, sortDiagnostics, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { PlanFile } from "../plan/plan.js";
import { buildPlan, type BuildOptions } from "./build-plan.js";
import { loadProgram } from "./load.js";
import type { Model } from "./model.js";
import type { LoadHost, Program } from "./program.js";
import { resolve } from "./resolve.js";
import type { SourceTexts } from "./source-texts.js";

export interface CompileResult {
  readonly diagnostics: readonly Diagnostic[];
  /** Every text read, by the path diagnostics show, for the renderer. */
  readonly texts: SourceTexts;
  readonly program: Program | null;
  readonly model: Model | null;
  /** Null when there were errors (or the caller asked only to check). */
  readonly plan: PlanFile | null;
}

export interface CompileOptions extends BuildOptions {
  /** Stop after resolve and the checks (for `fmt --check`-like uses and the error fixtures). */
  readonly checkOnly?: boolean;
}

export function compileFile(entry: string, host: LoadHost, options: CompileOptions): CompileResult {
  const diagnostics: Diagnostic[] = [];
  const texts = new Map<string, string>();
  const finish = (program: Program | null, model: Model | null, plan: PlanFile | null): CompileResult => ({
    diagnostics: sortDiagnostics(diagnostics),
    texts,
    program,
    model,
    plan,
  });

  const loaded = guard("load", diagnostics, () => loadProgram(entry, host));
  const program = loaded?.value ?? null;
  if (program) {
    for (const file of program.files) texts.set(file.path, file.text);
    for (const file of program.inventory?.files ?? []) texts.set(file.path, file.text);
  }
  if (!program || program.incomplete === true) return finish(program, null, null);

  // Resolve runs on what loaded, syntax errors or not (STYLE.md rule 2): names a file gets
  // wrong are found in the same run as its syntax errors. Where syntax failed, the parser
  // left the statement out, so resolve sees nothing to report about it. A failed import or
  // inventory stops here: the names it would have declared would all be reported unknown.
  const resolved = guard("resolve", diagnostics, () => resolve(program, host));
  const model = resolved?.value ?? null;
  if (!model || hasErrors(diagnostics) || options.checkOnly) return finish(program, model, null);

  const built = guard("build", diagnostics, () => buildPlan(model, options));
  const plan = built?.value ?? null;
  return finish(program, model, hasErrors(diagnostics) ? null : plan);
}

/** Run a phase; its diagnostics join the list; an exception becomes UPG0001. */
function guard<T>(phase: string, into: Diagnostic[], run: () => { value: T; diagnostics: readonly Diagnostic[] }): { value: T } | null {
  try {
    const result = run();
    pushAll(into, result.diagnostics);
    return result;
  } catch (error) {
    into.push({
      code: "UPG0001",
      severity: "error",
      message: `internal compiler error in ${phase}: ${error instanceof Error ? error.message : String(error)}`,
      notes: error instanceof Error && error.stack ? [error.stack.split("\n").slice(1, 4).join("\n").trim()] : [],
      help: "this is a bug in upgradec; please report it with the input that caused it",
    });
    return null;
  }
}
