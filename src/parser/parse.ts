/**
 * The entry of the parser: text → AST and diagnostics. Lexing, parsing (chevrotain, with
 * error recovery) and the AST builder each report what they find; the AST keeps whatever
 * could be parsed. Never throws for any input.
 */
import { tokenMatcher, type IRecognitionException, type IToken } from "chevrotain";
import { sortDiagnostics, type Diagnostic, type Result, type Span, diag } from "../diagnostics/diagnostic.js";
import { pushAll } from "../base/push-all.js";
import type { SourceFile } from "./ast.js";
import { AstBuilder } from "./build-ast.js";
import { upgParser } from "./grammar.js";
import { LCurly, RCurly, StringLiteral, upgLexer } from "./tokens.js";
import type { FileCstNode } from "./upg.cst.js";
import { MAX_NAME_LENGTH, MAX_NESTING, MAX_STRING_LENGTH } from "../limits.js";

/** Parse one .upg file. Never throws: syntax errors are diagnostics, and the AST keeps what could be parsed. */
export function parse(text: string, file: string): Result<SourceFile> {
  const { value, diagnostics } = parseSyntax(text, file);
  return { value, diagnostics };
}

/** What the parser saw besides the AST, for tools that lay out the source itself (`upgradec fmt`). */
export interface SyntaxResult extends Result<SourceFile> {
  /** The tokens the parser read, in order (comments and white space are not among them). */
  readonly tokens: readonly IToken[];
  readonly cst: FileCstNode;
}

/** `parse`, keeping the tokens and the concrete syntax tree. */
export function parseSyntax(text: string, file: string): SyntaxResult {
  const diagnostics: Diagnostic[] = [];
  const clamp = (start: number, end: number): Span => {
    const s = Math.min(Math.max(Number.isFinite(start) ? start : text.length, 0), text.length);
    const e = Math.min(Math.max(Number.isFinite(end) ? end : s, s), text.length);
    return { file, start: s, end: e };
  };

  const lexed = upgLexer().tokenize(text);
  for (const error of lexed.errors) {
    const bad = text.slice(error.offset, error.offset + error.length);
    diagnostics.push(diag("UPG0101", {
      message: `unexpected ${bad.length === 1 ? "character" : "characters"} \`${bad}\``,
      span: clamp(error.offset, error.offset + error.length),
    }));
  }

  reportTooLong(lexed.tokens, diagnostics, clamp);
  const tokens = withinNesting(lexed.tokens, diagnostics, clamp);
  const parser = upgParser();
  parser.input = tokens;
  const cst = parser.file() as FileCstNode;
  const parseErrors = parser.errors;
  // The parser is shared: let go of this file's tokens (this also clears its errors, kept above).
  parser.input = [];
  const errorOffsets = new Set<number>();
  // The token after dropped characters would often be reported again as an unknown statement.
  let t = 0;
  for (const error of lexed.errors) {
    while (t < lexed.tokens.length && (lexed.tokens[t]?.startOffset ?? Infinity) < error.offset + error.length) t++;
    const next = lexed.tokens[t];
    if (next) errorOffsets.add(next.startOffset);
  }
  const reportedAt = new Set<number>();
  for (const error of parseErrors) {
    const span = errorSpan(error, text, clamp);
    if (reportedAt.has(span.start)) continue;
    reportedAt.add(span.start);
    if (Number.isFinite(error.token.startOffset)) errorOffsets.add(error.token.startOffset);
    const unclosed = error.message.startsWith("expected `}`") ? openBraceBefore(tokens, error.token.startOffset) : undefined;
    diagnostics.push(diag(unclosed ? "UPG0117" : "UPG0103", {
      message: error.message,
      span,
      ...(unclosed
        ? { labels: [{ span: clamp(unclosed.startOffset, unclosed.startOffset + 1), message: "this `{` is not closed" }], help: "add the missing `}`" }
        : {}),
    }));
  }

  const builder = new AstBuilder(file, text, errorOffsets);
  const value = builder.file(cst);
  pushAll(diagnostics, builder.diagnostics);
  return { value, diagnostics: sortDiagnostics(diagnostics), tokens: lexed.tokens, cst };
}

/** Names longer than MAX_NAME_LENGTH and strings longer than MAX_STRING_LENGTH: each is a mistake, or hostile. */
function reportTooLong(tokens: readonly IToken[], diagnostics: Diagnostic[], clamp: (start: number, end: number) => Span): void {
  for (const token of tokens) {
    const length = token.image.length;
    if (length <= MAX_NAME_LENGTH) continue;
    const isString = tokenMatcher(token, StringLiteral);
    if (isString && length <= MAX_STRING_LENGTH + 2) continue;
    diagnostics.push(diag("UPG0120", {
      message: isString ? `a string of ${length - 2} characters, more than ${MAX_STRING_LENGTH}` : `a name of ${length} characters, more than ${MAX_NAME_LENGTH}`,
      span: clamp(token.startOffset, token.startOffset + length),
      help: isString ? "keep long scripts in a file and run it: shell \"/usr/local/bin/step.sh\"" : `names (of services, hosts, groups, windows) have at most ${MAX_NAME_LENGTH} characters, as DNS names do`,
    }));
  }
}

/**
 * The tokens with every block nested deeper than MAX_NESTING left out (from its `{` to the
 * matching `}`), each reported once: the parser and the AST builder recurse once per level,
 * and no statement of the language nests more than a few levels, so a deeper block is a
 * mistake that would otherwise exhaust the stack.
 */
function withinNesting(tokens: IToken[], diagnostics: Diagnostic[], clamp: (start: number, end: number) => Span): IToken[] {
  let depth = 0;
  let deepest = 0;
  for (const token of tokens) {
    if (token.tokenType === LCurly) deepest = Math.max(deepest, ++depth);
    else if (token.tokenType === RCurly) depth = Math.max(0, depth - 1);
  }
  if (deepest <= MAX_NESTING) return tokens;
  const kept: IToken[] = [];
  depth = 0;
  let skipFrom = -1;
  for (const token of tokens) {
    if (token.tokenType === LCurly) {
      depth++;
      if (depth === MAX_NESTING + 1 && skipFrom < 0) {
        skipFrom = depth;
        diagnostics.push(diag("UPG0119", {
          message: `blocks nested more than ${MAX_NESTING} deep`,
          span: clamp(token.startOffset, token.startOffset + 1),
          help: "no statement nests blocks this deep: a `}` is missing, or a `{` is one too many; what this block holds is skipped",
        }));
      }
    } else if (token.tokenType === RCurly && depth > 0) {
      depth--;
      if (skipFrom >= 0 && depth < skipFrom) {
        skipFrom = -1;
        continue;
      }
    }
    if (skipFrom < 0) kept.push(token);
  }
  return kept;
}

/**
 * Where a syntax error is shown: at the offending token; but when that token is on a later
 * line (a value missing at the end of a line) or is the end of the input, just after the
 * last good token, where the missing piece belongs.
 */
function errorSpan(error: IRecognitionException, text: string, clamp: (start: number, end: number) => Span): Span {
  const token = error.token;
  const previous = "previousToken" in error ? (error.previousToken as IToken | undefined) : undefined;
  const previousEnd = previous && previous.endOffset !== undefined && Number.isFinite(previous.endOffset) && previous.image !== "" ? previous.endOffset + 1 : undefined;
  const present = Number.isFinite(token.startOffset) && token.image !== "";
  if (present && (previousEnd === undefined || !/[\n\r]/.test(text.slice(previousEnd, token.startOffset)))) {
    return clamp(token.startOffset, (token.endOffset ?? token.startOffset) + 1);
  }
  const at = previousEnd ?? (present ? token.startOffset : text.length);
  return clamp(at, at);
}

/** The innermost `{` still open at an offset, for "unclosed block" labels. */
function openBraceBefore(tokens: readonly IToken[], offset: number): IToken | undefined {
  const open: IToken[] = [];
  const limit = Number.isFinite(offset) ? offset : Infinity;
  for (const token of tokens) {
    if (token.startOffset >= limit) break;
    if (token.tokenType === LCurly) open.push(token);
    else if (token.tokenType === RCurly) open.pop();
  }
  return open[open.length - 1];
}
