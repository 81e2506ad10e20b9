/**
 * `upgradec fmt`: a .upg text in the canonical layout (print.ts says what it is). The one
 * parser reads the file; a file with syntax errors is not formatted, and its diagnostics
 * are those `compile` gives. The result is checked before it is handed out: it must parse
 * to the same AST (spans aside) with every comment at the same place among the tokens, or
 * the file is left as it is and the mismatch is reported as a bug.
 */
import { hasErrors, type Diagnostic, diag } from "../diagnostics/diagnostic.js";
import { parseSyntax, type SyntaxResult } from "../parser/parse.js";
import { placedComments } from "./comments.js";
import { layoutOf } from "./layout.js";
import { printFile } from "./print.js";

export interface FormatResult {
  /** The formatted text; null when the file has errors (they are in `diagnostics`). */
  readonly text: string | null;
  readonly diagnostics: readonly Diagnostic[];
}

export function formatSource(text: string, file: string): FormatResult {
  const parsed = parseSyntax(text, file);
  if (hasErrors(parsed.diagnostics)) return { text: null, diagnostics: parsed.diagnostics };
  const formatted = printFile(text, parsed.tokens, layoutOf(parsed.tokens, parsed.cst));
  const mismatch = differenceAfterFormatting(text, parsed, formatted, file);
  if (mismatch !== null) {
    return {
      text: null,
      diagnostics: [
        diag("UPG0001", {
          message: `internal error in fmt: the formatted file would ${mismatch}; the file is left as it is`,
          span: { file, start: 0, end: 0 },
          help: "this is a bug in upgradec; please report it with the file that caused it",
        }),
      ],
    };
  }
  return { text: formatted, diagnostics: parsed.diagnostics };
}

/** How the formatted text differs from the original in what it means, or null. */
export function differenceAfterFormatting(original: string, parsed: SyntaxResult, formatted: string, file: string): string | null {
  const again = parseSyntax(formatted, file);
  if (hasErrors(again.diagnostics)) return "not parse";
  if (JSON.stringify(withoutSpans(again.value)) !== JSON.stringify(withoutSpans(parsed.value))) return "parse to a different AST";
  const before = placedComments(original, parsed.tokens).map((c) => [c.text, c.tokensBefore]);
  const after = placedComments(formatted, again.tokens).map((c) => [c.text, c.tokensBefore]);
  if (JSON.stringify(before) !== JSON.stringify(after)) return "move or lose a comment";
  return null;
}

/** An AST with every span left out: what a file means, not where its text stands. */
export function withoutSpans(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSpans);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (key === "span" || key.endsWith("Span") || key.endsWith("Spans")) continue;
    out[key] = withoutSpans(field);
  }
  return out;
}
