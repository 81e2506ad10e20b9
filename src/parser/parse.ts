// STUB (owned by the parser work): replaced by the chevrotain parser.
import type { Result } from "../diagnostics/diagnostic.js";
import type { SourceFile } from "./ast.js";

/** Parse one .upg file. Never throws: syntax errors are diagnostics, and the AST keeps what could be parsed. */
export function parse(text: string, file: string): Result<SourceFile> {
  return { value: { path: file, declarations: [], span: { file, start: 0, end: text.length } }, diagnostics: [] };
}
