/**
 * The outline of a file (document symbols): its plan, services and templates (with their
 * actions and rolling policy), windows, checkpoints, methods, host sets, connections and
 * secrets, from the AST the compiler parsed.
 */
import { SymbolKind, type DocumentSymbol } from "vscode-languageserver";
import type { Span } from "../diagnostics/diagnostic.js";
import type { Declaration, SourceFile } from "../parser/ast.js";
import type { SourceMap } from "./locations.js";

export function outlineOf(ast: SourceFile, map: SourceMap): DocumentSymbol[] {
  return ast.declarations.flatMap((d) => symbolOf(d, map) ?? []);
}

function symbolOf(decl: Declaration, map: SourceMap): DocumentSymbol | null {
  const symbol = (name: string, kind: SymbolKind, span: Span, nameSpan: Span, detail?: string, children?: DocumentSymbol[]): DocumentSymbol => ({
    name: name || "?",
    kind,
    range: map.range(span),
    selectionRange: map.range(nameSpan),
    ...(detail !== undefined ? { detail } : {}),
    ...(children && children.length > 0 ? { children } : {}),
  });
  switch (decl.type) {
    case "plan":
      return symbol(decl.name.value, SymbolKind.Namespace, decl.span, decl.name.span, "plan");
    case "service": {
      const children = [
        ...(decl.rolling ? [symbol("rolling", SymbolKind.Struct, decl.rolling.span, decl.rolling.span)] : []),
        ...decl.actions.map((a) => symbol(a.kind, SymbolKind.Function, a.span, a.keywordSpan)),
      ];
      const detail = decl.extends ? `extends ${decl.extends.text}` : decl.isTemplate ? "template" : "service";
      return symbol(decl.name.text, decl.isTemplate ? SymbolKind.Interface : SymbolKind.Class, decl.span, decl.name.span, detail, children);
    }
    case "window":
      return symbol(decl.name.text, SymbolKind.Event, decl.span, decl.name.span, "window");
    case "checkpoint":
      return symbol(decl.name.text, SymbolKind.Constant, decl.span, decl.name.span, `checkpoint before ${decl.before.phase}`);
    case "notify":
      return symbol(decl.name.text, SymbolKind.Event, decl.span, decl.name.span, decl.events ? `notify on ${decl.events.names.map((n) => n.value).join(", ")}` : "notify (template)");
    case "method":
      return symbol(decl.name.text, SymbolKind.Module, decl.span, decl.name.span, "method", decl.actions.map((a) => symbol(a.kind, SymbolKind.Function, a.span, a.keywordSpan)));
    case "hosts":
      return symbol(decl.name.text, SymbolKind.Array, decl.span, decl.name.span, "host set");
    case "connection":
      return symbol(decl.name.text, SymbolKind.Interface, decl.span, decl.name.span, "connection");
    case "secret":
      return symbol(decl.name.text, SymbolKind.Key, decl.span, decl.name.span, "secret");
    case "use":
    case "inventory":
    case "facts":
      return null;
  }
}
