/**
 * The compiler pipeline: load (parse + imports + inventory) → resolve (names, checks) →
 * build (expand, schedule, impact, emit). Each phase is a function returning its result and
 * diagnostics; a phase that throws is a compiler bug, turned here into an internal-error
 * diagnostic so one bug does not hide every other finding.
 */
import { hasErrors, sortDiagnostics, type Diagnostic, type Result, type Span, internalError } from "../diagnostics/diagnostic.js";
import { pushAll } from "../base/push-all.js";
import { dirname, isAbsolute, relative, resolve as resolvePath } from "node:path";
import type { PlanFile } from "../plan/plan.js";
import { buildPlan, type BuildOptions } from "./build-plan.js";
import type { History } from "../plan/history.js";
import { loadProgram, type LoadOptions } from "./load.js";
import type { Model } from "./model.js";
import type { Program } from "./program.js";
import type { LoadHost } from "../files/load-host.js";
import { resolve } from "./resolve.js";
import type { SourceTexts } from "./source-texts.js";

export interface CompileResult {
  readonly diagnostics: readonly Diagnostic[];
  /** Every text read, by the path diagnostics show, for the renderer. */
  readonly texts: SourceTexts;
  /** The files of `texts` whose lines are never shown (see shownFiles), only their line and column. */
  readonly hidden: ReadonlySet<string>;
  readonly program: Program | null;
  readonly model: Model | null;
  /** Null when there were errors (or the caller asked only to check). */
  readonly plan: PlanFile | null;
}

export interface CompileOptions extends Omit<BuildOptions, "history"> {
  /** How files are found and parsed (loadProgram's options). */
  readonly load?: LoadOptions;
  /** Stop after resolve and the checks (for `fmt --check`-like uses and the error fixtures). */
  readonly checkOnly?: boolean;
  /** The journals `--history` read (readHistory), with what reading them found. */
  readonly history?: Result<History>;
}

export function compileFile(entry: string, host: LoadHost, options: CompileOptions): CompileResult {
  const diagnostics: Diagnostic[] = [];
  const texts = new Map<string, string>();
  const hidden = new Set<string>();
  const finish = (program: Program | null, model: Model | null, plan: PlanFile | null): CompileResult => ({
    diagnostics: sortDiagnostics(withoutContentOf(hidden, diagnostics)),
    texts,
    hidden,
    program,
    model,
    plan,
  });

  if (options.history) pushAll(diagnostics, options.history.diagnostics);
  const loaded = guard("load", diagnostics, () => loadProgram(entry, host, options.load));
  const program = loaded?.value ?? null;
  if (program) {
    for (const file of program.files) texts.set(file.path, file.text);
    for (const file of program.inventory?.files ?? []) texts.set(file.path, file.text);
    if (program.facts) texts.set(program.facts.path, program.facts.text);
    for (const file of hiddenFiles(program, entry, host)) hidden.add(file);
  }
  if (!program || program.incomplete === true) return finish(program, null, null);

  // Resolve runs on what loaded, syntax errors or not (STYLE.md rule 2): names a file gets
  // wrong are found in the same run as its syntax errors. Where syntax failed, the parser
  // left the statement out, so resolve sees nothing to report about it. A failed import or
  // inventory stops here: the names it would have declared would all be reported unknown.
  const resolved = guard("resolve", diagnostics, () => resolve(program, host));
  const model = resolved?.value ?? null;
  if (!model || hasErrors(diagnostics) || options.checkOnly) return finish(program, model, null);

  const { history, ...build } = options;
  const built = guard("build", diagnostics, () => buildPlan(model, history ? { ...build, history: history.value } : build));
  const plan = built?.value ?? null;
  return finish(program, model, hasErrors(diagnostics) ? null : plan);
}

/**
 * The files whose lines diagnostics never show, because nothing says they are the
 * project's: a `use`d file that is not named .upg (`use "/etc/passwd"`), and an inventory
 * or vars file outside the directory tree of the entry file (`inventory "/etc/shadow"`).
 * Their diagnostics keep the file, line and column.
 */
function hiddenFiles(program: Program, entry: string, host: LoadHost): string[] {
  const project = dirname(resolvePath(host.cwd, entry));
  const inProject = (shown: string): boolean => {
    const rel = relative(project, resolvePath(host.cwd, shown));
    return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
  };
  return [
    ...program.files.filter((f) => !f.stdlib && !f.path.endsWith(".upg")).map((f) => f.path),
    ...(program.inventory?.files ?? []).filter((f) => !inProject(f.path)).map((f) => f.path),
  ];
}

/**
 * Diagnostics in hidden files quote what they found (`unknown declaration \`root\``):
 * each such file's are replaced by one that counts them, at the first one's place.
 */
function withoutContentOf(hidden: ReadonlySet<string>, diagnostics: readonly Diagnostic[]): Diagnostic[] {
  if (hidden.size === 0) return [...diagnostics];
  const kept: Diagnostic[] = [];
  const counted = new Map<string, { first: Span; errors: number; others: number }>();
  for (const d of diagnostics) {
    const file = d.span?.file;
    if (file === undefined || !hidden.has(file) || !d.span) {
      kept.push(d);
      continue;
    }
    const count = counted.get(file) ?? { first: d.span, errors: 0, others: 0 };
    if (d.severity === "error") count.errors++;
    else count.others++;
    counted.set(file, count);
  }
  counted.forEach((count, file) => {
    kept.push({
      code: "UPG0004",
      severity: count.errors > 0 ? "error" : "warning",
      message: `'${file}' has ${count.errors} errors and ${count.others} warnings, not shown: it is not an inventory of this project`,
      span: count.first,
      help: "an inventory outside the directory of the .upg file is read, but nothing of it is shown; copy it into the project to see its diagnostics",
    });
  });
  return kept;
}

/** Run a phase; its diagnostics join the list; an exception becomes UPG0001. */
function guard<T>(phase: string, into: Diagnostic[], run: () => { value: T; diagnostics: readonly Diagnostic[] }): { value: T } | null {
  try {
    const result = run();
    pushAll(into, result.diagnostics);
    return result;
  } catch (error) {
    into.push(internalError(`in ${phase}`, error));
    return null;
  }
}
