/**
 * Diagnostics are values. Every phase returns them beside its (possibly partial) result;
 * the compiler never throws for a user's mistake.
 */
import { codes, type Code } from "./codes.js";

/** A half-open range of UTF-16 offsets [start, end) into one source file. */
export interface Span {
  /** The path as shown to the user (relative to the working directory where possible). */
  readonly file: string;
  readonly start: number;
  readonly end: number;
}

export type Severity = "error" | "warning" | "note";

/** A secondary location shown with the main one ("first defined here"). */
export interface Label {
  readonly span: Span;
  readonly message: string;
}

export interface Diagnostic {
  /** A code from the registry in codes.ts, e.g. "UPG0102". */
  readonly code: Code;
  readonly severity: Severity;
  /** One line, lowercase, no final period (rustc's style): what is wrong. */
  readonly message: string;
  /** Where; absent only for problems with no place in a source (a missing file given on the CLI). */
  readonly span?: Span;
  readonly labels?: readonly Label[];
  /** Further facts, one line each. */
  readonly notes?: readonly string[];
  /** How to fix it. */
  readonly help?: string;
}

/** A diagnostic's fields besides its code and the severity the registry gives that code. */
export type DiagnosticFields = Omit<Diagnostic, "code" | "severity">;

/** A diagnostic of `code`, with the severity the registry gives it. */
export function diag(code: Code, fields: DiagnosticFields): Diagnostic {
  return { code, severity: codes[code].severity, ...fields };
}

/**
 * A compiler bug caught at a phase or check boundary (UPG0001), `where` as "in build":
 * reported as a finding, so one bug does not hide every other one.
 */
export function internalError(where: string, error: unknown, span?: Span): Diagnostic {
  const why = error instanceof Error ? error.message : String(error);
  const stack = error instanceof Error && error.stack ? error.stack.split("\n").slice(1, 4).join("\n").trim() : "";
  return diag("UPG0001", {
    message: `internal compiler error ${where}: ${why}`,
    ...(span ? { span } : {}),
    ...(stack !== "" ? { notes: [stack] } : {}),
    help: "this is a bug in upgradec; please report it with the input that caused it",
  });
}

/** What every phase returns: its result, kept even when partial, and what it found. */
export interface Result<T> {
  readonly value: T;
  readonly diagnostics: readonly Diagnostic[];
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/** Stable order: by file, then position, then code. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort((a, b) => {
    const fa = a.span?.file ?? "";
    const fb = b.span?.file ?? "";
    if (fa !== fb) return fa < fb ? -1 : 1;
    const sa = a.span?.start ?? -1;
    const sb = b.span?.start ?? -1;
    if (sa !== sb) return sa - sb;
    return a.code < b.code ? -1 : a.code > b.code ? 1 : 0;
  });
}
