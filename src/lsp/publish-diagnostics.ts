/**
 * The compiler's diagnostics as the editor shows them: the same code, message, span and
 * help as `upgradec compile` prints, grouped by the file they are in (the entry, the files
 * it `use`s, the standard library, the inventory), labels as related locations.
 */
import { DiagnosticSeverity, type Diagnostic as LspDiagnostic } from "vscode-languageserver";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { Analysis } from "./analysis.js";
import type { SourceMap } from "./locations.js";

const SEVERITY: Readonly<Record<Diagnostic["severity"], DiagnosticSeverity>> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  note: DiagnosticSeverity.Information,
};

/** "no plan" in a file that is only ever `use`d: not a mistake of that file on its own. */
const NO_PLAN = "UPG0231";

/**
 * The diagnostics of one analysis, by file URI. `asLibrary`: the entry was compiled on its
 * own because no open plan `use`s it; a missing plan is then no finding.
 */
export function diagnosticsByUri(analysis: Analysis, map: SourceMap, asLibrary: boolean): Map<string, LspDiagnostic[]> {
  const byUri = new Map<string, LspDiagnostic[]>();
  // Every file read gets its list, empty ones too: that is how an editor learns a file is clean.
  for (const shown of analysis.result.texts.keys()) byUri.set(map.uri(shown), []);
  byUri.set(map.uri(analysis.result.program?.files[0]?.path ?? analysis.entry), []);
  const entryShown = analysis.result.program?.files[0]?.path ?? analysis.entry;
  for (const d of analysis.result.diagnostics) {
    if (asLibrary && d.code === NO_PLAN) continue;
    const span = d.span ?? { file: entryShown, start: 0, end: 0 };
    const uri = map.uri(span.file);
    const list = byUri.get(uri) ?? [];
    list.push(toLsp(d, span, map));
    byUri.set(uri, list);
  }
  return byUri;
}

function toLsp(d: Diagnostic, span: NonNullable<Diagnostic["span"]>, map: SourceMap): LspDiagnostic {
  const notes = (d.notes ?? []).map((n) => `\nnote: ${n}`).join("");
  const help = d.help ? `\nhelp: ${d.help}` : "";
  return {
    range: map.range(span),
    severity: SEVERITY[d.severity],
    code: d.code,
    source: "upgradec",
    message: `${d.message}${notes}${help}`,
    ...(d.labels && d.labels.length > 0 ? { relatedInformation: d.labels.map((l) => ({ location: map.location(l.span), message: l.message })) } : {}),
  };
}
