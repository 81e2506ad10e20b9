/**
 * The TypeScript (and JavaScript) actions, `uses "./actions/lb.ts#drain"`, checked the way
 * the runtime will use them: the module is read from the directory of the entry .upg file
 * (as `moduleDirOf` does), its export is looked up and called with one argument, the action
 * context (src/runtime/process-executor.ts). Without this check a typo in an export name or
 * a type error in the module is found only when the step runs: at 3 a.m., hours into the
 * upgrade.
 *
 * ts-morph (and the TypeScript compiler inside it) takes seconds to load, so it is loaded
 * only when the plan has at least one module action: plans without them pay nothing.
 */
import { createRequire } from "node:module";
import { dirname, extname, isAbsolute, join, relative, resolve as resolvePath } from "node:path";
import { fileURLToPath } from "node:url";
import type * as TsMorph from "ts-morph";
import { type Diagnostic, type Span, diag, internalError } from "../../diagnostics/diagnostic.js";
import { suggest } from "../../diagnostics/did-you-mean.js";
import type { PlanCommandSpec } from "../../plan/plan.js";
import type { Model, ModelAction } from "../model.js";
import { MAX_SOURCE_BYTES } from "../../limits.js";
import { isRefusal, isText, refusalDiagnostic } from "../../files/file-text.js";
import type { Program } from "../program.js";
import type { LoadHost } from "../../files/load-host.js";
import { serviceActions } from "../resolve/placeholders.js";

/**
 * The runtime's `ActionContext` (src/runtime/process-executor.ts), as a module the checker
 * compiles beside the actions. A test keeps the two the same.
 */
export const ACTION_CONTEXT_DECLARATION = `export interface ActionContext {
  readonly host: string | null;
  readonly vars: Readonly<Record<string, string | number | boolean | readonly string[]>>;
  readonly signal: AbortSignal;
  readonly log: (line: string) => void;
  readonly step: { readonly id: string; readonly action: string; readonly phase: string };
  readonly service: string | null;
  readonly purpose: "action" | "undo" | "done" | "health" | "restore";
}
`;

/** What the context holds, for people. */
const CONTEXT_SHAPE = "{ host, vars, signal, log, step: { id, action, phase }, service, purpose }";

/** The extensions the runtime imports (TypeScript through tsx, JavaScript as it is). */
const MODULE_EXTENSIONS = new Set([".ts", ".mts", ".cts", ".tsx", ".js", ".mjs", ".cjs", ".jsx"]);

/** Type errors shown per module; the rest are counted. */
const MAX_TYPE_ERRORS = 5;

/** One `uses` command of the plan. */
interface ModuleUse {
  /** As written, relative to the entry file's directory. */
  readonly module: string;
  readonly exportName: string;
  /** Null for the action's own command, else the option it is in. */
  readonly option: "done" | "undo" | null;
  readonly span: Span;
}

/** One module file, read through the host. */
interface ModuleFile {
  readonly absolute: string;
  /** As diagnostics show paths: relative to the working directory. */
  readonly shown: string;
  readonly text: string;
  /** The first use, where findings about the whole module are reported. */
  readonly firstUse: ModuleUse;
}

/** Check that every TypeScript action's module exists, exports the function, and has the action signature. */
export function checkActions(model: Model, program: Program, host: LoadHost): Diagnostic[] {
  const uses = moduleUses(model);
  if (uses.length === 0) return [];

  const entryDir = dirname(resolvePath(host.cwd, program.entry));
  const diagnostics: Diagnostic[] = [];
  const files = new Map<string, ModuleFile>();
  const readable: { use: ModuleUse; file: ModuleFile }[] = [];
  for (const use of uses) {
    const absolute = isAbsolute(use.module) ? use.module : join(entryDir, use.module);
    let file = files.get(absolute);
    if (!file) {
      const read = readModule(use, absolute, host, program.entry);
      if ("problem" in read) {
        diagnostics.push(read.problem);
        continue;
      }
      file = { absolute, shown: relative(host.cwd, absolute), text: read.text, firstUse: use };
      files.set(absolute, file);
    }
    readable.push({ use, file });
  }
  if (readable.length === 0) return diagnostics;

  try {
    diagnostics.push(...checkModules([...files.values()], readable, entryDir, host));
  } catch (error) {
    diagnostics.push(internalError("in the TypeScript action checks", error));
  }
  return diagnostics;
}

/** Every `uses` command: each service's actions (with their `done` and `undo`), each checkpoint's `run` and `restore`. */
function moduleUses(model: Model): ModuleUse[] {
  const out: ModuleUse[] = [];
  const add = (spec: PlanCommandSpec | null, option: ModuleUse["option"], span: Span): void => {
    const command = spec?.command;
    if (command?.kind === "module") out.push({ module: command.module, exportName: command.export, option, span });
  };
  const addAction = (action: ModelAction): void => {
    add(action.spec, null, action.span);
    add(action.done, "done", action.span);
    add(action.undo === "irreversible" ? null : action.undo, "undo", action.span);
  };
  for (const service of model.services) for (const action of serviceActions(service)) addAction(action);
  for (const checkpoint of model.checkpoints) for (const action of [checkpoint.run, checkpoint.restore]) if (action) addAction(action);
  return out;
}

/** The module's text, or UPG0600 when it cannot be what the runtime imports. */
function readModule(use: ModuleUse, absolute: string, host: LoadHost, entry: string): { text: string } | { problem: Diagnostic } {
  if (!MODULE_EXTENSIONS.has(extname(absolute))) {
    return {
      problem: diag("UPG0600", {
        message: `action module '${use.module}' is not a TypeScript or JavaScript file`,
        span: use.span,
        ...optionNote(use),
        help: `\`uses\` names a TypeScript or JavaScript module (.ts, .mts, .js, .mjs, …), then the function after '#': uses "./actions/lb.ts#drain"`,
      }),
    };
  }
  const text = host.readFile(absolute, MAX_SOURCE_BYTES);
  if (isText(text)) return { text };
  if (isRefusal(text)) return { problem: { ...refusalDiagnostic({ refused: text.refused }, relative(host.cwd, absolute), use.span), code: "UPG0600" } };
  return {
    problem: diag("UPG0600", {
      message: `cannot read action module '${use.module}'`,
      span: use.span,
      ...optionNote(use),
      help: `there is no readable file at ${relative(host.cwd, absolute)}; module paths are relative to the directory of ${entry}`,
    }),
  };
}

function optionNote(use: ModuleUse): { notes?: string[] } {
  return use.option ? { notes: [`in the action's \`${use.option}\``] } : {};
}

function checkModules(
  files: readonly ModuleFile[],
  readable: readonly { use: ModuleUse; file: ModuleFile }[],
  entryDir: string,
  host: LoadHost,
): Diagnostic[] {
  const morph = loadTsMorph();
  const nodeTypes = typesDirWithNode(entryDir, host) ?? typesDirWithNode(dirname(fileURLToPath(import.meta.url)), host);
  const project = new morph.Project({
    skipAddingFilesFromTsConfig: true,
    compilerOptions: compilerOptions(morph.ts, nodeTypes),
  });
  // Each module from the text the host read (the text the plan's fingerprint covers).
  const sources = new Map(files.map((f) => [f.absolute, project.createSourceFile(f.absolute, f.text, { overwrite: true })]));
  const contextFile = project.createSourceFile(join(entryDir, "__upgradec__", "action-context.ts"), ACTION_CONTEXT_DECLARATION, {
    overwrite: true,
  });
  const context = contextFile.getInterfaceOrThrow("ActionContext").getType();
  const checker = project.getTypeChecker();

  const diagnostics: Diagnostic[] = [];
  for (const file of files) {
    const source = sources.get(file.absolute);
    if (source) diagnostics.push(...typeErrors(morph, file, source, nodeTypes !== null));
  }
  for (const { use, file } of readable) {
    const source = sources.get(file.absolute);
    if (source) diagnostics.push(...checkExport(morph, checker, context, use, source));
  }
  return diagnostics;
}

/**
 * Options for code that tsx runs in Node: imports with or without `.ts`, JSON, no emit.
 * Only Node's own types are ambient (the action runs in upgradec's process): the project's
 * `@types/node` when it has one, else upgradec's, else none.
 */
function compilerOptions(ts: typeof TsMorph.ts, nodeTypes: string | null): TsMorph.CompilerOptions {
  return {
    strict: true,
    allowJs: true,
    noEmit: true,
    allowImportingTsExtensions: true,
    resolveJsonModule: true,
    esModuleInterop: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.Preserve,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ["lib.es2023.d.ts"],
    ...(nodeTypes ? { typeRoots: [nodeTypes], types: ["node"] } : { types: [] }),
  };
}

/** The nearest `node_modules/@types` at or above `dir` that holds `node`. */
function typesDirWithNode(dir: string, host: LoadHost): string | null {
  for (let at = dir; ; at = dirname(at)) {
    const types = join(at, "node_modules", "@types");
    if (host.readDir(join(types, "node")) !== null) return types;
    if (dirname(at) === at) return null;
  }
}

/**
 * TypeScript's codes for a name or module it cannot find. Without Node's types they are
 * mostly about Node's (`process`, `console`, `node:fs`), so they are left out then.
 */
const UNKNOWN_NAME_CODES = new Set([2304, 2307, 2503, 2552, 2580, 2584, 2591, 2592]);

/** UPG0604: the module's own type errors (TypeScript's pre-emit diagnostics of that file), the first few. */
function typeErrors(morph: typeof TsMorph, file: ModuleFile, source: TsMorph.SourceFile, hasNodeTypes: boolean): Diagnostic[] {
  const errors = source
    .getPreEmitDiagnostics()
    .filter((d) => d.getCategory() === morph.DiagnosticCategory.Error && d.getSourceFile()?.getFilePath() === source.getFilePath())
    .filter((d) => hasNodeTypes || !UNKNOWN_NAME_CODES.has(d.getCode()));
  const use = file.firstUse;
  return errors.slice(0, MAX_TYPE_ERRORS).map((d, i): Diagnostic => {
    const messageText = d.getMessageText();
    const flat = morph.ts.flattenDiagnosticMessageText(typeof messageText === "string" ? messageText : messageText.compilerObject, "\n");
    const [first = "", ...rest] = flat.split("\n").map((line) => line.trim());
    const start = d.getStart();
    const position = start === undefined ? null : source.getLineAndColumnAtPos(start);
    const at = position ? `${file.shown}:${position.line}:${position.column}` : file.shown;
    const more = i === MAX_TYPE_ERRORS - 1 && errors.length > MAX_TYPE_ERRORS ? [`and ${errors.length - MAX_TYPE_ERRORS} more type errors in this module`] : [];
    return diag("UPG0604", {
      message: `type error in action module ${at}: ${lowerFirst(first.replace(/\.$/, ""))}`,
      span: use.span,
      notes: [...rest.filter((line) => line !== "").map((line) => lowerFirst(line.replace(/\.$/, ""))), `TypeScript error TS${d.getCode()}`, ...more],
      help: "fix the module: the runtime strips its types without checking them, so this mistake would show only when the step runs",
    });
  });
}

/** UPG0601-0603: the export is there, is a function, and can be called with the context alone. */
function checkExport(
  morph: typeof TsMorph,
  checker: TsMorph.TypeChecker,
  context: TsMorph.Type,
  use: ModuleUse,
  source: TsMorph.SourceFile,
): Diagnostic[] {
  const moduleSymbol = source.getSymbol();
  const exports = moduleSymbol ? checker.getExportsOfModule(moduleSymbol) : [];
  const target = (symbol: TsMorph.Symbol): TsMorph.Symbol => (symbol.isAlias() ? (symbol.getAliasedSymbol() ?? symbol) : symbol);
  const typeOf = (symbol: TsMorph.Symbol): TsMorph.Type => checker.getTypeOfSymbolAtLocation(target(symbol), source);
  const isFunction = (symbol: TsMorph.Symbol): boolean =>
    target(symbol).getValueDeclaration() !== undefined && typeOf(symbol).getCallSignatures().length > 0;
  const name = `export '${use.exportName}' of '${use.module}'`;
  const fix = use.exportName === "default" ? "export default async function (ctx) { … }" : `export async function ${use.exportName}(ctx) { … }`;

  const found = exports.find((s) => s.getName() === use.exportName);
  if (!found) {
    const functions = exports
      .filter(isFunction)
      .sort((a, b) => firstDeclaredAt(a) - firstDeclaredAt(b))
      .map((s) => s.getName());
    const suggestion = suggest(use.exportName, functions);
    return [
      diag("UPG0601", {
        message: `action module '${use.module}' has no export '${use.exportName}'`,
        span: use.span,
        notes: [
          ...(optionNote(use).notes ?? []),
          functions.length > 0 ? `it exports these functions: ${functions.join(", ")}` : "it exports no functions",
        ],
        help:
          suggestion !== undefined
            ? `did you mean \`${suggestion}\`? (uses "${use.module}${suggestion === "default" ? "" : `#${suggestion}`}")`
            : `export the function from the module: ${fix}`,
      }),
    ];
  }

  const notFunction = (why: string): Diagnostic[] => [
    diag("UPG0602", {
      message: `${name} is not a function`,
      span: use.span,
      notes: [...(optionNote(use).notes ?? []), why],
      help: `export a function the runtime can call with the action context: ${fix}`,
    }),
  ];
  if (target(found).getValueDeclaration() === undefined) return notFunction("it is only a type");
  const type = typeOf(found);
  // An untyped value (a JavaScript module's `require`) could be anything: the runtime will tell.
  if (type.isAny()) return [];
  const signatures = type.getCallSignatures();
  if (signatures.length === 0) return notFunction(`its type is \`${type.getText(source)}\``);

  const problems = signatures.map((signature) => signatureProblem(morph, checker, context, signature, source));
  const problem = problems.find((p) => p !== null);
  if (problems.some((p) => p === null) || !problem) return [];
  return [
    diag("UPG0603", {
      message: `${name} ${problem}`,
      span: use.span,
      notes: [...(optionNote(use).notes ?? []), `the runtime calls it with one argument, the action context ${CONTEXT_SHAPE}, and awaits what it returns (\`false\` or a throw fails the step)`],
      help: "take one parameter, the context or a part of it: async (ctx: { host: string | null; log: (line: string) => void }) => { … }",
    }),
  ];
}

/** Why the runtime's call `fn(ctx)` does not fit one signature, or null when it does. */
function signatureProblem(
  morph: typeof TsMorph,
  checker: TsMorph.TypeChecker,
  context: TsMorph.Type,
  signature: TsMorph.Signature,
  source: TsMorph.SourceFile,
): string | null {
  const parameters = signature.getParameters();
  // Declared parameters, not TypeScript's view: in a JavaScript file every parameter counts as optional.
  const required = parameters.filter((p) => {
    const declaration = p.getValueDeclaration();
    return declaration !== undefined && morph.Node.isParameterDeclaration(declaration) && !declaration.isOptional();
  });
  if (required.length > 1) return `needs ${required.length} arguments, but the runtime passes one`;

  const first = parameters[0];
  if (!first) return null;
  const declaration = first.getValueDeclaration();
  let accepts = checker.getTypeOfSymbolAtLocation(first, source);
  if (declaration && morph.Node.isParameterDeclaration(declaration) && declaration.isRestParameter()) {
    accepts = accepts.getArrayElementType() ?? accepts.getTupleElements()[0] ?? accepts;
  }
  if (accepts.isTypeParameter()) accepts = accepts.getConstraint() ?? context;
  if (accepts.isAny() || accepts.isUnknown() || context.isAssignableTo(accepts)) return null;
  return `cannot take the action context: its parameter is \`${accepts.getText(source)}\``;
}

/** Where a symbol is first declared, for listing exports in the order the module has them. */
function firstDeclaredAt(symbol: TsMorph.Symbol): number {
  return Math.min(...symbol.getDeclarations().map((d) => d.getStart()), Number.MAX_SAFE_INTEGER);
}

function lowerFirst(s: string): string {
  // TypeScript's messages start with a capital ("Type 'number' is not …"); ours do not, but a quoted name keeps its case.
  return /^[A-Z][a-z]/.test(s) ? s[0]?.toLowerCase() + s.slice(1) : s;
}

/** ts-morph, loaded on first use: importing it costs seconds that plans without module actions should not pay. */
function loadTsMorph(): typeof TsMorph {
  return requireLazily("ts-morph") as typeof TsMorph;
}

const requireLazily = createRequire(import.meta.url);
