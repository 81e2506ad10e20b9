/**
 * Diagnostics for people (text, rustc/HCL style) and for tools (JSON). Line and column are
 * computed here, from offsets, and nowhere else: 1-based, columns counted in UTF-16 code
 * units (what editors speaking LSP count).
 *
 *   examples/x.upg:12:5 - error UPG0102: unknown statement `rollling` in service
 *      |
 *   12 |     rollling {
 *      |     ^^^^^^^^
 *      = help: did you mean `rolling`?
 */
import type { Diagnostic, Label, Severity, Span } from "./diagnostic.js";

export interface RenderOptions {
  readonly color: boolean;
}

/** A position for people: 1-based line and column. */
export interface LineColumn {
  readonly line: number;
  readonly column: number;
}

/** Offsets of line starts in one text, for offset → line/column by binary search. */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) this.starts.push(i + 1);
      else if (c === 13 && text.charCodeAt(i + 1) !== 10) this.starts.push(i + 1);
    }
  }

  /** The line and column of an offset (clamped into the text). */
  at(offset: number): LineColumn {
    const o = Math.min(Math.max(offset, 0), this.text.length);
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: o - (this.starts[lo] ?? 0) + 1 };
  }

  /** The text of a 1-based line, without its line break. */
  lineText(line: number): string {
    const start = this.starts[line - 1] ?? this.text.length;
    const next = this.starts[line];
    const end = next === undefined ? this.text.length : next;
    return this.text.slice(start, end).replace(/\r?\n$|\r$/, "");
  }
}

const ansi = {
  reset: "\u001b[0m",
  bold: "\u001b[1m",
  red: "\u001b[31m",
  yellow: "\u001b[33m",
  green: "\u001b[32m",
  cyan: "\u001b[36m",
  blue: "\u001b[34m",
};

interface Paint {
  severity(severity: Severity, s: string): string;
  gutter(s: string): string;
  bold(s: string): string;
  secondary(s: string): string;
  help(s: string): string;
}

function painter(color: boolean): Paint {
  if (!color) {
    const plain = (s: string): string => s;
    return { severity: (_v, s) => s, gutter: plain, bold: plain, secondary: plain, help: plain };
  }
  const wrap = (codes: string, s: string): string => `${codes}${s}${ansi.reset}`;
  const bySeverity: Record<Severity, string> = { error: ansi.red, warning: ansi.yellow, note: ansi.cyan };
  return {
    severity: (v, s) => wrap(ansi.bold + bySeverity[v], s),
    gutter: (s) => wrap(ansi.bold + ansi.blue, s),
    bold: (s) => wrap(ansi.bold, s),
    secondary: (s) => wrap(ansi.bold + ansi.blue, s),
    help: (s) => wrap(ansi.bold + ansi.green, s),
  };
}

/** Line indexes, built once per text per call. */
class Indexes {
  private readonly cache = new Map<string, LineIndex | null>();
  constructor(private readonly texts: ReadonlyMap<string, string>) {}

  of(file: string): LineIndex | null {
    let index = this.cache.get(file);
    if (index === undefined) {
      const text = this.texts.get(file);
      index = text === undefined ? null : new LineIndex(text);
      this.cache.set(file, index);
    }
    return index;
  }
}

interface Snippet {
  readonly line: number;
  readonly text: string;
  /** 0-based column (UTF-16 units) of the underline's start on that line, and its width (at least 1). */
  readonly from: number;
  readonly width: number;
}

function snippetOf(index: LineIndex, span: Span): Snippet {
  const start = index.at(span.start);
  const end = index.at(Math.max(span.end, span.start));
  const text = index.lineText(start.line);
  const from = Math.min(start.column - 1, text.length);
  // A span over several lines is underlined on its first line, to that line's end.
  const last = end.line === start.line ? end.column - 1 : text.length;
  return { line: start.line, text, from, width: Math.max(1, last - from) };
}

/** Spaces up to a column, keeping the source's tabs so the underline stays aligned. */
function padTo(text: string, column: number): string {
  let pad = "";
  for (let i = 0; i < column; i++) pad += text[i] === "\t" ? "\t" : " ";
  return pad;
}

function location(index: LineIndex | null, span: Span): string {
  if (!index) return span.file;
  const at = index.at(span.start);
  return `${span.file}:${at.line}:${at.column}`;
}

function renderOne(d: Diagnostic, indexes: Indexes, paint: Paint): string {
  const out: string[] = [];
  const index = d.span ? indexes.of(d.span.file) : null;
  const where = d.span ? location(index, d.span) : "upgradec";
  out.push(`${paint.bold(where)} - ${paint.severity(d.severity, `${d.severity} ${d.code}`)}: ${paint.bold(d.message)}`);

  // Underlines in the diagnostic's own file, in line order: `^` for the span, `-` for labels.
  interface Mark extends Snippet {
    readonly primary: boolean;
    readonly message: string;
  }
  const marks: Mark[] = [];
  if (d.span && index) marks.push({ ...snippetOf(index, d.span), primary: true, message: "" });
  const elsewhere: { label: Label; index: LineIndex | null }[] = [];
  for (const label of d.labels ?? []) {
    const labelIndex = indexes.of(label.span.file);
    if (labelIndex && index && label.span.file === d.span?.file) marks.push({ ...snippetOf(labelIndex, label.span), primary: false, message: label.message });
    else elsewhere.push({ label, index: labelIndex });
  }
  marks.sort((a, b) => a.line - b.line || Number(b.primary) - Number(a.primary));
  const others = elsewhere.flatMap((e) => (e.index ? [{ ...e, snippet: snippetOf(e.index, e.label.span) }] : []));
  const width = String(Math.max(0, ...marks.map((m) => m.line), ...others.map((o) => o.snippet.line))).length;
  const blank = " ".repeat(width);
  const bar = (n: string): string => paint.gutter(`${n} |`);
  const underline = (m: Mark): string =>
    `${bar(blank)} ${padTo(m.text, m.from)}${m.primary ? paint.severity(d.severity, "^".repeat(m.width)) : paint.secondary("-".repeat(m.width) + " " + m.message)}`;

  if (marks.length > 0) out.push(bar(blank));
  let lastLine = -1;
  for (const m of marks) {
    if (m.line !== lastLine) {
      if (lastLine !== -1 && m.line > lastLine + 1) out.push(paint.gutter("..."));
      out.push(`${bar(String(m.line).padStart(width))} ${m.text}`.trimEnd());
      lastLine = m.line;
    }
    out.push(underline(m));
  }
  for (const o of others) {
    out.push(`${blank}${paint.gutter("::: ")}${location(o.index, o.label.span)}`);
    out.push(bar(blank));
    out.push(`${bar(String(o.snippet.line).padStart(width))} ${o.snippet.text}`.trimEnd());
    out.push(`${bar(blank)} ${padTo(o.snippet.text, o.snippet.from)}${paint.secondary("-".repeat(o.snippet.width) + " " + o.label.message)}`);
  }
  for (const e of elsewhere) {
    if (!e.index) out.push(`${blank} ${paint.gutter("=")} note: ${e.label.message} (${e.label.span.file})`);
  }
  if (d.help) out.push(`${blank} ${paint.gutter("=")} ${paint.help("help")}: ${d.help}`);
  for (const note of d.notes ?? []) {
    const [first = "", ...rest] = note.split("\n");
    out.push(`${blank} ${paint.gutter("=")} ${paint.bold("note")}: ${first}`);
    for (const more of rest) out.push(`${blank}         ${more}`);
  }
  return out.join("\n") + "\n";
}

function counted(n: number, one: string): string {
  return `${n} ${one}${n === 1 ? "" : "s"}`;
}

/** `Found 3 errors and 1 warning.`; empty when there is nothing. */
export function summaryLine(diagnostics: readonly Diagnostic[]): string {
  const totals = summarize(diagnostics);
  const parts = [
    totals.errors > 0 ? counted(totals.errors, "error") : "",
    totals.warnings > 0 ? counted(totals.warnings, "warning") : "",
    totals.notes > 0 ? counted(totals.notes, "note") : "",
  ].filter((p) => p !== "");
  if (parts.length === 0) return "";
  const last = parts.pop() ?? "";
  return `Found ${parts.length > 0 ? `${parts.join(", ")} and ${last}` : last}.`;
}

function summarize(diagnostics: readonly Diagnostic[]): { errors: number; warnings: number; notes: number } {
  let errors = 0;
  let warnings = 0;
  let notes = 0;
  for (const d of diagnostics) {
    if (d.severity === "error") errors++;
    else if (d.severity === "warning") warnings++;
    else notes++;
  }
  return { errors, warnings, notes };
}

/** Diagnostics as text for a person: `file:line:col - error UPG0102: message`, the source line, an underline, help; then `Found N errors.` */
export function renderDiagnostics(diagnostics: readonly Diagnostic[], texts: ReadonlyMap<string, string>, options: RenderOptions): string {
  if (diagnostics.length === 0) return "";
  const paint = painter(options.color);
  const indexes = new Indexes(texts);
  const blocks = diagnostics.map((d) => renderOne(d, indexes, paint));
  return `${blocks.join("\n")}\n${paint.bold(summaryLine(diagnostics))}\n`;
}

export interface JsonPosition {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  /** UTF-16 offsets, end exclusive. */
  readonly start: number;
  readonly end: number;
}

export interface JsonLabel extends JsonPosition {
  readonly message: string;
}

export interface JsonDiagnostic extends Partial<JsonPosition> {
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  readonly help: string | null;
  readonly notes: readonly string[];
  readonly labels: readonly JsonLabel[];
}

export interface JsonDiagnostics {
  readonly diagnostics: readonly JsonDiagnostic[];
  readonly summary: { readonly errors: number; readonly warnings: number; readonly notes: number };
}

function position(indexes: Indexes, span: Span): JsonPosition {
  const index = indexes.of(span.file);
  const start = index?.at(span.start) ?? { line: 0, column: 0 };
  const end = index?.at(span.end) ?? { line: 0, column: 0 };
  return { file: span.file, line: start.line, column: start.column, endLine: end.line, endColumn: end.column, start: span.start, end: span.end };
}

/** Diagnostics as JSON for editors and CI, with line and column computed (0 when the text is unknown). */
export function diagnosticsToJson(diagnostics: readonly Diagnostic[], texts: ReadonlyMap<string, string>): JsonDiagnostics {
  const indexes = new Indexes(texts);
  return {
    diagnostics: diagnostics.map((d) => ({
      code: d.code,
      severity: d.severity,
      message: d.message,
      ...(d.span ? position(indexes, d.span) : {}),
      help: d.help ?? null,
      notes: d.notes ?? [],
      labels: (d.labels ?? []).map((l) => ({ ...position(indexes, l.span), message: l.message })),
    })),
    summary: summarize(diagnostics),
  };
}
