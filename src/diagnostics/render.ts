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
 *
 * The source is untrusted, so what is shown of it is bounded: at most MAX_DIAGNOSTICS_SHOWN
 * diagnostics (then "and N more"), a long line cut around its span, and control characters
 * (ESC, BEL, bidirectional overrides, ...) shown as visible symbols, never sent to the terminal.
 */
import { MAX_DIAGNOSTICS_SHOWN, MAX_LABELS_SHOWN, MAX_SHOWN_LINE } from "../limits.js";
import type { Diagnostic, Label, Severity, Span } from "./diagnostic.js";

export interface RenderOptions {
  readonly color: boolean;
  /** Files whose lines are never shown (not the project's: compile.ts says which), only where. */
  readonly hidden?: ReadonlySet<string>;
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
  constructor(
    private readonly texts: ReadonlyMap<string, string>,
    private readonly hidden: ReadonlySet<string> = new Set(),
  ) {}

  /** Whether a file's lines may be shown. */
  shows(file: string): boolean {
    return !this.hidden.has(file);
  }

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

/** The part of a line that is shown: all of it, or MAX_SHOWN_LINE characters around a column. */
interface Clip {
  readonly begin: number;
  readonly end: number;
}

function clipAround(text: string, from: number): Clip {
  if (text.length <= MAX_SHOWN_LINE) return { begin: 0, end: text.length };
  const begin = Math.max(0, Math.min(from - Math.floor(MAX_SHOWN_LINE / 3), text.length - MAX_SHOWN_LINE));
  return { begin, end: begin + MAX_SHOWN_LINE };
}

/** A snippet as shown through a clip: cut text marked with `…`, the underline moved with it, control characters made visible. */
function clipped(s: Snippet, clip: Clip): Snippet {
  if (clip.begin === 0 && clip.end >= s.text.length) return { ...s, text: printable(s.text) };
  const lead = clip.begin > 0 ? "…" : "";
  const text = lead + printable(s.text.slice(clip.begin, clip.end)) + (clip.end < s.text.length ? "…" : "");
  const from = Math.min(Math.max(s.from - clip.begin, 0), clip.end - clip.begin) + lead.length;
  return { line: s.line, text, from, width: Math.max(1, Math.min(s.width, clip.end - clip.begin + lead.length - from)) };
}

/**
 * Text from a source made safe for a terminal, one character for one (so underlines stay
 * aligned): C0 controls but tab, and DEL, become their Control Pictures symbol (ESC is `␛`);
 * C1 controls and the bidirectional overrides that can make code read other than it runs
 * become U+FFFD.
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(text)) return text;
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.charCodeAt(0);
    if (code < 0x20) return String.fromCharCode(0x2400 + code);
    if (code === 0x7f) return "\u2421";
    return "\ufffd";
  });
}

/** A message, help or note line: printable, and cut when a source put a huge value in it. */
function shownText(text: string): string {
  const limit = MAX_SHOWN_LINE * 4;
  return printable(text.length > limit ? `${text.slice(0, limit)}…` : text);
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
  out.push(`${paint.bold(shownText(where))} - ${paint.severity(d.severity, `${d.severity} ${d.code}`)}: ${paint.bold(shownText(d.message))}`);

  // Underlines in the diagnostic's own file, in line order: `^` for the span, `-` for labels.
  interface Mark extends Snippet {
    readonly primary: boolean;
    readonly message: string;
  }
  const raw: Mark[] = [];
  if (d.span && index && indexes.shows(d.span.file)) raw.push({ ...snippetOf(index, d.span), primary: true, message: "" });
  const elsewhere: { label: Label; index: LineIndex | null }[] = [];
  const allLabels = d.labels ?? [];
  for (const label of allLabels.slice(0, MAX_LABELS_SHOWN)) {
    const labelIndex = indexes.of(label.span.file);
    if (labelIndex && index && label.span.file === d.span?.file && indexes.shows(label.span.file)) raw.push({ ...snippetOf(labelIndex, label.span), primary: false, message: shownText(label.message) });
    else elsewhere.push({ label, index: labelIndex });
  }
  raw.sort((a, b) => a.line - b.line || Number(b.primary) - Number(a.primary));
  // Marks on one line share the clip of the line's first (the primary, when it is there).
  const clips = new Map<number, Clip>();
  const marks = raw.map((m) => {
    let clip = clips.get(m.line);
    if (!clip) clips.set(m.line, (clip = clipAround(m.text, m.from)));
    return { ...clipped(m, clip), primary: m.primary, message: m.message };
  });
  const others = elsewhere.flatMap((e) => {
    if (!e.index || !indexes.shows(e.label.span.file)) return [];
    const snippet = snippetOf(e.index, e.label.span);
    return [{ ...e, snippet: clipped(snippet, clipAround(snippet.text, snippet.from)) }];
  });
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
    out.push(`${blank}${paint.gutter("::: ")}${shownText(location(o.index, o.label.span))}`);
    out.push(bar(blank));
    out.push(`${bar(String(o.snippet.line).padStart(width))} ${o.snippet.text}`.trimEnd());
    out.push(`${bar(blank)} ${padTo(o.snippet.text, o.snippet.from)}${paint.secondary("-".repeat(o.snippet.width) + " " + shownText(o.label.message))}`);
  }
  for (const e of elsewhere) {
    if (!e.index) out.push(`${blank} ${paint.gutter("=")} note: ${shownText(e.label.message)} (${shownText(e.label.span.file)})`);
    else if (!indexes.shows(e.label.span.file)) out.push(`${blank} ${paint.gutter("=")} note: ${shownText(e.label.message)} (${shownText(location(e.index, e.label.span))})`);
  }
  if (d.span && !indexes.shows(d.span.file)) out.push(`${blank} ${paint.gutter("=")} note: the line is not shown: '${shownText(d.span.file)}' is not a .upg file or an inventory of this project`);
  if (allLabels.length > MAX_LABELS_SHOWN) out.push(`${blank} ${paint.gutter("=")} note: and ${allLabels.length - MAX_LABELS_SHOWN} more places not shown`);
  if (d.help) out.push(`${blank} ${paint.gutter("=")} ${paint.help("help")}: ${shownText(d.help)}`);
  for (const note of (d.notes ?? []).slice(0, MAX_LABELS_SHOWN)) {
    const [first = "", ...rest] = note.split("\n");
    out.push(`${blank} ${paint.gutter("=")} ${paint.bold("note")}: ${shownText(first)}`);
    for (const more of rest) out.push(`${blank}         ${shownText(more)}`);
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

/**
 * Diagnostics as text for a person: `file:line:col - error UPG0102: message`, the source
 * line, an underline, help; then `Found N errors.` At most MAX_DIAGNOSTICS_SHOWN are shown
 * (errors first, then warnings, then notes, each in the order given); the rest are counted.
 */
export function renderDiagnostics(diagnostics: readonly Diagnostic[], texts: ReadonlyMap<string, string>, options: RenderOptions): string {
  if (diagnostics.length === 0) return "";
  const paint = painter(options.color);
  const indexes = new Indexes(texts, options.hidden);
  const shown = firstShown(diagnostics);
  const blocks = shown.map((d) => renderOne(d, indexes, paint));
  const hidden = diagnostics.length - shown.length;
  const more = hidden > 0 ? `… and ${counted(hidden, "more diagnostic")} not shown (${summaryLine(diagnostics.filter((d) => !shown.includes(d))).replace(/^Found |\.$/g, "")})\n` : "";
  return `${blocks.join("\n")}\n${more}${paint.bold(summaryLine(diagnostics))}\n`;
}

/** The diagnostics shown, in their order: every one, or the first MAX_DIAGNOSTICS_SHOWN by severity. */
function firstShown(diagnostics: readonly Diagnostic[]): readonly Diagnostic[] {
  if (diagnostics.length <= MAX_DIAGNOSTICS_SHOWN) return diagnostics;
  const rank: Record<Severity, number> = { error: 0, warning: 1, note: 2 };
  const chosen = new Set(
    diagnostics
      .map((d, i) => ({ d, i }))
      .sort((a, b) => rank[a.d.severity] - rank[b.d.severity] || a.i - b.i)
      .slice(0, MAX_DIAGNOSTICS_SHOWN)
      .map((x) => x.d),
  );
  return diagnostics.filter((d) => chosen.has(d));
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
