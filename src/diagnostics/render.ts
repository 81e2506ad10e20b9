// STUB (owned by the parser work): replaced by the full renderer (source line, underline, help, colour).
import type { Diagnostic } from "./diagnostic.js";

export interface RenderOptions {
  readonly color: boolean;
}

/** Diagnostics as text for a person: `file:line:col - error UPG0102: message`, the source line, an underline, help; then `Found N errors.` */
export function renderDiagnostics(diagnostics: readonly Diagnostic[], _texts: ReadonlyMap<string, string>, _options: RenderOptions): string {
  return diagnostics.map((d) => `${d.span?.file ?? "upgradec"} - ${d.severity} ${d.code}: ${d.message}\n`).join("");
}

/** Diagnostics as JSON for editors and CI, with line and column computed. */
export function diagnosticsToJson(diagnostics: readonly Diagnostic[], _texts: ReadonlyMap<string, string>): unknown {
  return { diagnostics };
}
