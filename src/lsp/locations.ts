/**
 * Where things are, in the editor's terms: a compiler span (a shown path and UTF-16 offsets)
 * as an LSP location (a file URI and line/character positions), and back. LSP characters
 * are UTF-16 code units, as JavaScript string offsets are, so offsets convert through line
 * starts only.
 */
import { pathToFileURL, fileURLToPath } from "node:url";
import type { Location, Position, Range } from "vscode-languageserver";
import { TextDocument } from "vscode-languageserver-textdocument";
import type { Span } from "../diagnostics/diagnostic.js";
import type { Analysis } from "./analysis.js";

export function uriOfPath(absolute: string): string {
  return pathToFileURL(absolute).href;
}

/** The absolute path of a file: URI; null for any other scheme (an untitled buffer). */
export function pathOfUri(uri: string): string | null {
  if (!uri.startsWith("file:")) return null;
  try {
    return fileURLToPath(uri);
  } catch {
    return null;
  }
}

/** Position conversions for every text one analysis read, each file's line starts computed once. */
export class SourceMap {
  private readonly documents = new Map<string, TextDocument>();

  constructor(private readonly analysis: Analysis) {}

  /** The text of a file as the compiler read it (shown path). */
  text(shown: string): string | undefined {
    return this.analysis.result.texts.get(shown);
  }

  private document(shown: string): TextDocument {
    let doc = this.documents.get(shown);
    if (!doc) {
      doc = TextDocument.create(uriOfPath(this.analysis.absolute(shown)), "upg", 0, this.text(shown) ?? "");
      this.documents.set(shown, doc);
    }
    return doc;
  }

  uri(shown: string): string {
    return uriOfPath(this.analysis.absolute(shown));
  }

  range(span: Span): Range {
    const doc = this.document(span.file);
    return { start: doc.positionAt(span.start), end: doc.positionAt(span.end) };
  }

  location(span: Span): Location {
    return { uri: this.uri(span.file), range: this.range(span) };
  }

  offset(shown: string, position: Position): number {
    return this.document(shown).offsetAt(position);
  }

  /** The shown path of an absolute path, when the analysis read that file. */
  shownPath(absolute: string): string | undefined {
    for (const shown of this.analysis.result.texts.keys()) if (this.analysis.absolute(shown) === absolute) return shown;
    return undefined;
  }
}
