/**
 * Completion by context. The keywords valid at the cursor are the parser's own answer
 * (chevrotain's computeContentAssist on the tokens before it), so a keyword the grammar
 * gains is offered where the grammar accepts it. Where the grammar expects a name, the
 * keyword before it says which kind: services and templates (the library's too), windows,
 * methods, connections, inventory groups and host sets, host vars. Inside a command's
 * string after `{`, the placeholders: built-ins, vars, host vars and secrets.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { tokenMatcher, type IToken, type TokenType } from "chevrotain";
import { CompletionItemKind, type CompletionItem } from "vscode-languageserver";
import { BUILTIN_PLACEHOLDERS } from "../compiler/resolve/placeholders.js";
import { statementKeywords, upgParser } from "../parser/grammar.js";
import { keywordDocs, keywordMarkdown } from "../parser/keyword-docs.js";
import { Comma, Equals, keywordTokens as K, keywords, LCurly, Name, RCurly, StringLiteral, upgLexer, type Keyword } from "../parser/tokens.js";
import { PACKAGE_ROOT } from "../version.js";
import type { Analysis } from "./analysis.js";

const keywordOfType = new Map<TokenType, Keyword>(keywords.map((k) => [K[k], k]));
const topLevel = new Set<TokenType>(statementKeywords.file.map((k) => K[k]));

/** Completions at `offset` of `text` (the file shown as `file` in the analysis). */
export function completionsAt(analysis: Analysis | null, text: string, offset: number): CompletionItem[] {
  const tokens = upgLexer().tokenize(text).tokens;
  const inString = tokens.find((t) => tokenMatcher(t, StringLiteral) && t.startOffset < offset && offset <= t.startOffset + t.image.length);
  if (inString) return placeholderCompletions(analysis, text.slice(inString.startOffset + 1, offset));
  // The word being typed is not part of the context: its completions replace it.
  const before = tokens.filter((t) => t.startOffset + t.image.length < offset || (t.startOffset + t.image.length === offset && !isWord(t)));
  const statement = currentDeclaration(before);
  const names = nameKind(statement, depthAt(before));
  const expected = upgParser().computeContentAssist("file", statement).map((s) => s.nextTokenType);
  const wantsName = expected.some((t) => t === Name);
  if (names !== null && (wantsName || expected.length === 0)) return nameCompletions(analysis, names);
  const offered = expected.length > 0 ? [...new Set(expected.flatMap((t) => keywordOfType.get(t) ?? []))] : [...keywords];
  return offered.map(keywordItem);
}

function isWord(token: IToken): boolean {
  return tokenMatcher(token, Name);
}

/** The tokens of the top-level declaration the cursor is in (the parser's answer depends only on them). */
function currentDeclaration(tokens: readonly IToken[]): IToken[] {
  let depth = 0;
  let start = 0;
  tokens.forEach((t, i) => {
    if (t.tokenType === LCurly) depth++;
    else if (t.tokenType === RCurly) depth = Math.max(0, depth - 1);
    else if (depth === 0 && topLevel.has(t.tokenType)) start = i;
  });
  return tokens.slice(start);
}

function depthAt(tokens: readonly IToken[]): number {
  let depth = 0;
  for (const t of tokens) {
    if (t.tokenType === LCurly) depth++;
    else if (t.tokenType === RCurly) depth = Math.max(0, depth - 1);
  }
  return depth;
}

type NameKind = "services" | "templates" | "windows" | "methods" | "connections" | "hosts" | "host-vars" | "modules";

/** What kind of name the keyword before the cursor (across a list's `a, b,`) asks for. */
function nameKind(tokens: readonly IToken[], depth: number): NameKind | null {
  let i = tokens.length - 1;
  // A list: `after a, b, ` or `on compute, cmp[1-3], `.
  while (i >= 1 && tokens[i]?.tokenType === Comma) i -= 2;
  const last = tokens[i];
  if (!last) return null;
  if (last.tokenType === Equals && tokens[i - 2]?.tokenType === K.hosts) return "hosts";
  const keyword = keywordOfType.get(last.tokenType);
  switch (keyword) {
    case "extends":
      return "templates";
    case "after":
    case "needs-new":
    case "never-newer-than":
      return "services";
    case "on":
      return "hosts";
    case "deploy":
      return "methods";
    case "window":
      return depth > 0 ? "windows" : null;
    case "connection":
      return depth > 0 ? "connections" : null;
    case "per":
    case "by":
    case "count-var":
    case "capacity-var":
      return "host-vars";
    case "use":
      return "modules";
    default:
      return null;
  }
}

function nameCompletions(analysis: Analysis | null, kind: NameKind): CompletionItem[] {
  if (!analysis) return [];
  const tables = analysis.tables;
  const inventory = analysis.result.program?.inventory ?? null;
  const items = (names: Iterable<string>, itemKind: CompletionItemKind, detail: string): CompletionItem[] => [...names].map((label) => ({ label, kind: itemKind, detail }));
  switch (kind) {
    case "templates":
      return items([...(tables?.services.values() ?? [])].filter((s) => s.decl.isTemplate).map((s) => s.qualified), CompletionItemKind.Class, "template");
    case "services":
      return items([...(tables?.services.values() ?? [])].map((s) => s.qualified), CompletionItemKind.Class, "service");
    case "windows":
      return items(tables?.windows.keys() ?? [], CompletionItemKind.Event, "window");
    case "methods":
      return items(tables?.methods.keys() ?? [], CompletionItemKind.Module, "deployment method");
    case "connections":
      return items(["local", ...(tables?.connections.keys() ?? [])], CompletionItemKind.Interface, "connection");
    case "hosts":
      return [
        ...items(inventory?.groups.keys() ?? [], CompletionItemKind.Folder, "inventory group"),
        ...items(tables?.hosts.keys() ?? [], CompletionItemKind.Folder, "host set"),
      ];
    case "host-vars":
      return items(hostVarNames(analysis), CompletionItemKind.Variable, "host var");
    case "modules":
      return items(stdlibModules(), CompletionItemKind.Module, "standard library module");
  }
}

/** The modules `use NAME` finds: the .upg files of the package's src/stdlib. */
function stdlibModules(): string[] {
  try {
    return readdirSync(join(PACKAGE_ROOT, "src", "stdlib"))
      .filter((n) => n.endsWith(".upg"))
      .map((n) => n.slice(0, -4));
  } catch {
    return [];
  }
}

function hostVarNames(analysis: Analysis): Set<string> {
  const names = new Set<string>();
  for (const host of analysis.result.program?.inventory?.hosts.values() ?? []) for (const name of Object.keys(host.vars)) names.add(name);
  return names;
}

/** After an unclosed `{` in a string: the placeholders a command may use. */
function placeholderCompletions(analysis: Analysis | null, stringBefore: string): CompletionItem[] {
  const open = stringBefore.lastIndexOf("{");
  if (open < 0 || stringBefore.indexOf("}", open) >= 0) return [];
  const item = (label: string, detail: string, kind: CompletionItemKind): CompletionItem => ({ label, kind, detail, insertText: label });
  const out: CompletionItem[] = BUILTIN_PLACEHOLDERS.map((b) => item(b, "built-in placeholder", CompletionItemKind.Constant));
  if (!analysis) return out;
  const vars = new Set<string>();
  for (const file of analysis.result.program?.files ?? []) {
    for (const decl of file.ast.declarations) {
      if (decl.type === "service" || decl.type === "method") for (const v of decl.vars) vars.add(v.name.text);
    }
  }
  for (const v of vars) out.push(item(v, "var", CompletionItemKind.Variable));
  for (const v of hostVarNames(analysis)) if (!vars.has(v)) out.push(item(v, "host var", CompletionItemKind.Variable));
  for (const s of analysis.tables?.secrets.keys() ?? []) out.push(item(`secret.${s}`, "secret (never printed)", CompletionItemKind.Reference));
  return out;
}

function keywordItem(keyword: Keyword): CompletionItem {
  const markdown = keywordMarkdown(keyword);
  return {
    label: keyword,
    kind: CompletionItemKind.Keyword,
    ...(keywordDocs[keyword] ? { detail: keywordDocs[keyword]?.summary } : {}),
    ...(markdown ? { documentation: { kind: "markdown", value: markdown } } : {}),
  };
}
