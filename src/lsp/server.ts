/**
 * `upgradec lsp`: the language server. It holds the editor's open documents and, for each
 * plan, the compiler's analysis of it with those unsaved texts (analysis.ts); every answer
 * is read from that analysis.
 *
 * Which plan a document belongs to: a document with a `plan` is compiled as an entry, as
 * `upgradec compile` would compile it; a document without one (a site file, a library)
 * belongs to every open plan that `use`s it, and is compiled on its own only when none
 * does (its missing plan is then no finding). Diagnostics are published for every file a
 * plan reads (the files it `use`s and its inventory too), and withdrawn when they are gone.
 */
import { CompletionItem, TextDocuments, TextDocumentSyncKind, type Connection, type Diagnostic as LspDiagnostic, type Location } from "vscode-languageserver";
import { TextDocument } from "vscode-languageserver-textdocument";
import { formatSource } from "../format/format.js";
import { analyze, ParseCache, type Analysis } from "./analysis.js";
import { completionsAt } from "./completion.js";
import { hoverAt } from "./hover.js";
import { fileLinkAt } from "./file-links.js";
import { pathOfUri, SourceMap, uriOfPath } from "./locations.js";
import { outlineOf } from "./outline.js";
import { diagnosticsByUri } from "./publish-diagnostics.js";

/** How long after the last change diagnostics wait, so typing a word compiles once. */
export const DEBOUNCE_MS = 50;

interface Entry {
  readonly analysis: Analysis;
  readonly map: SourceMap;
  /** Absolute paths of the files it read. */
  readonly files: ReadonlySet<string>;
  /** Compiled on its own because no open plan `use`s it. */
  readonly asLibrary: boolean;
  readonly diagnostics: Map<string, LspDiagnostic[]>;
}

/** Serve one client over a connection until it exits. */
export function serve(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  const entries = new Map<string, Entry>();
  const timers = new Map<string, NodeJS.Timeout>();
  const published = new Set<string>();
  const parses = new ParseCache();

  const overlay = (absolute: string): string | undefined => {
    for (const doc of documents.all()) if (pathOfUri(doc.uri) === absolute) return doc.getText();
    return undefined;
  };

  const compileEntry = (path: string, asLibrary: boolean): Entry => {
    const analysis = analyze(path, overlay, new Date(), parses);
    const map = new SourceMap(analysis);
    const files = new Set([...analysis.result.texts.keys()].map(analysis.absolute));
    files.add(path);
    const entry: Entry = { analysis, map, files, asLibrary, diagnostics: diagnosticsByUri(analysis, map, asLibrary) };
    entries.set(path, entry);
    return entry;
  };

  const hasPlan = (entry: Entry): boolean => entry.analysis.result.program?.files[0]?.ast.declarations.some((d) => d.type === "plan") ?? false;

  /** Compile what a change to `path` affects: the plans that read it, and itself when it is a plan or no plan reads it. */
  const refresh = (path: string): void => {
    try {
      recompile(path);
    } catch (error) {
      // A bug of the compiler or the server: said in the editor's log, and the server goes on.
      connection.console.error(`upgradec lsp: internal error on ${path}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  };

  const recompile = (path: string): void => {
    const readers = [...entries.entries()].filter(([entry, e]) => entry !== path && e.files.has(path) && !e.asLibrary).map(([entry]) => entry);
    for (const reader of readers) compileEntry(reader, false);
    const own = compileEntry(path, false);
    if (!hasPlan(own)) {
      const usedByAPlan = [...entries.values()].some((e) => e !== own && !e.asLibrary && e.files.has(path) && hasPlan(e));
      if (usedByAPlan) entries.delete(path);
      else compileEntry(path, true);
    }
    publish();
  };

  const publish = (): void => {
    const all = new Map<string, LspDiagnostic[]>();
    for (const entry of entries.values()) {
      entry.diagnostics.forEach((list, uri) => {
        const seen = new Set((all.get(uri) ?? []).map((d) => JSON.stringify(d)));
        all.set(uri, [...(all.get(uri) ?? []), ...list.filter((d) => !seen.has(JSON.stringify(d)))]);
      });
    }
    for (const uri of published) if (!all.has(uri)) void connection.sendDiagnostics({ uri, diagnostics: [] });
    published.clear();
    all.forEach((diagnostics, uri) => {
      published.add(uri);
      void connection.sendDiagnostics({ uri, diagnostics });
    });
  };

  const schedule = (uri: string): void => {
    const path = pathOfUri(uri);
    if (path === null) return;
    clearTimeout(timers.get(uri));
    timers.set(
      uri,
      setTimeout(() => {
        timers.delete(uri);
        refresh(path);
      }, DEBOUNCE_MS),
    );
  };

  /** The analysis a request about a document reads: pending changes compiled first. */
  const entryOf = (uri: string): { entry: Entry; shown: string } | null => {
    const path = pathOfUri(uri);
    if (path === null) return null;
    const pending = timers.get(uri);
    if (pending !== undefined || ![...entries.values()].some((e) => e.files.has(path))) {
      clearTimeout(pending);
      timers.delete(uri);
      refresh(path);
    }
    const entry = entries.get(path) ?? [...entries.values()].find((e) => e.files.has(path));
    const shown = entry?.map.shownPath(path);
    return entry && shown !== undefined ? { entry, shown } : null;
  };

  connection.onInitialize(() => ({
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      hoverProvider: true,
      definitionProvider: true,
      referencesProvider: true,
      documentFormattingProvider: true,
      documentSymbolProvider: true,
      completionProvider: { triggerCharacters: ["{", " ", ","] },
    },
    serverInfo: { name: "upgradec" },
  }));

  documents.onDidChangeContent((change) => schedule(change.document.uri));
  documents.onDidClose((event) => {
    const path = pathOfUri(event.document.uri);
    clearTimeout(timers.get(event.document.uri));
    timers.delete(event.document.uri);
    if (path === null) return;
    entries.delete(path);
    // The plans that read it read the file on disk again.
    for (const [entry, e] of [...entries.entries()]) if (e.files.has(path)) compileEntry(entry, e.asLibrary);
    publish();
  });

  connection.onHover(({ textDocument, position }) => {
    const found = entryOf(textDocument.uri);
    if (!found) return null;
    const offset = found.entry.map.offset(found.shown, position);
    const answer = hoverAt(found.entry.analysis, found.shown, offset, new Date());
    return answer ? { contents: { kind: "markdown", value: answer.markdown }, range: found.entry.map.range(answer.span) } : null;
  });

  connection.onDefinition(({ textDocument, position }) => {
    const found = entryOf(textDocument.uri);
    if (!found) return null;
    const { analysis, map } = found.entry;
    const offset = map.offset(found.shown, position);
    const occurrence = analysis.index.at(found.shown, offset);
    if (!occurrence) {
      const file = fileLinkAt(analysis, found.shown, offset);
      return file === null ? null : { uri: uriOfPath(file), range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } };
    }
    const declaration = analysis.index.declaration(occurrence.kind, occurrence.name);
    return declaration ? map.location(declaration.span) : null;
  });

  connection.onReferences(({ textDocument, position, context }): Location[] => {
    const found = entryOf(textDocument.uri);
    if (!found) return [];
    const { analysis, map } = found.entry;
    const occurrence = analysis.index.at(found.shown, map.offset(found.shown, position));
    if (!occurrence) return [];
    return analysis.index
      .uses(occurrence.kind, occurrence.name)
      .filter((o) => context.includeDeclaration || !o.declaration)
      .map((o) => map.location(o.span));
  });

  connection.onCompletion(({ textDocument, position }): CompletionItem[] => {
    const doc = documents.get(textDocument.uri);
    if (!doc) return [];
    const found = entryOf(textDocument.uri);
    return completionsAt(found?.entry.analysis ?? null, doc.getText(), doc.offsetAt(position));
  });

  connection.onDocumentFormatting(({ textDocument }) => {
    const doc = documents.get(textDocument.uri);
    if (!doc) return [];
    const text = doc.getText();
    const formatted = formatSource(text, pathOfUri(textDocument.uri) ?? textDocument.uri).text;
    if (formatted === null || formatted === text) return [];
    return [{ range: { start: doc.positionAt(0), end: doc.positionAt(text.length) }, newText: formatted }];
  });

  connection.onDocumentSymbol(({ textDocument }) => {
    const found = entryOf(textDocument.uri);
    const file = found?.entry.analysis.result.program?.files.find((f) => f.path === found.shown);
    return found && file ? outlineOf(file.ast, found.entry.map) : [];
  });

  documents.listen(connection);
  connection.listen();
}
