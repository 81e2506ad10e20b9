/**
 * The canonical layout of a parsed file (docs/language.md, "Formatting"):
 * - two spaces of indentation per block; `{` ends the line of its statement, `}` stands on
 *   a line of its own at the statement's indentation;
 * - a block written on one line stays on one line (`{ takes 1m  every 5s }`), with two
 *   spaces between its statements; a block with a line break in it has one line per row;
 * - statements the author put on one line (a row) stay on it, two spaces apart (`from … to …`
 *   one space); `;` is dropped and the statements it separated go on lines of their own;
 * - one space between the words of a statement, none inside brackets, before a comma or
 *   around `..`; the comma before `]` is dropped; a list with a comment in it has one item
 *   per line (each with its comma), so every comment stays beside its item;
 * - comments stay where they are among the tokens: whole-line comments on their own line at
 *   the indentation of what follows, trailing comments at the end of their line, aligned
 *   two spaces after the longest code in a run of lines that each end in one;
 * - runs of blank lines become one; none at the start or end of a block or of the file;
 *   the file ends with one newline.
 * Lines are not wrapped: a long command stays on its line.
 */
import type { IToken } from "chevrotain";
import { keywordTokens, LBracket, RBracket, Comma, DotDot, Semicolon } from "../parser/tokens.js";
import { gapsOf, isDroppable, type Gap } from "./comments.js";
import type { Block, Piece, Statement } from "./layout.js";

const INDENT = 2;
/** Where a statement goes on after a comment inside it. */
const CONTINUATION = 4;

interface Line {
  readonly indent: number;
  code: string;
  comment: string | null;
}

/** How a token is placed: after the text on the current line, or at the start of a new line. */
type Placement = { readonly sep: string } | { readonly newLine: true; readonly blankAllowed: boolean };

type Shape = "empty" | "inline" | "lines";

export function printFile(text: string, tokens: readonly IToken[], file: Block): string {
  const printer = new Printer(tokens, gapsOf(text, tokens));
  printer.body(file, 0, false);
  printer.end();
  return printer.text();
}

class Printer {
  private readonly lines: (Line | null)[] = [];
  private current: Line | null = null;
  /** Nothing printed yet in the block just opened: a blank line here is dropped. */
  private atBlockStart = true;
  private readonly index = new Map<IToken, number>();
  private readonly shapes = new Map<Block, Shape>();

  constructor(
    private readonly tokens: readonly IToken[],
    private readonly gaps: readonly Gap[],
  ) {
    tokens.forEach((token, i) => this.index.set(token, i));
  }

  /** The statements of a block (or of the file), each row on its line or all on the current one. */
  body(block: Block, indent: number, inline: boolean): void {
    let previous: Statement | null = null;
    let breakBefore = false;
    for (const statement of block.statements) {
      const first = firstToken(statement);
      if (first === undefined) continue;
      if (statement.pieces.length === 1 && first.tokenType === Semicolon) {
        this.comments(first, indent);
        breakBefore = true;
        continue;
      }
      const newLine = !inline && (previous === null || breakBefore || this.endsInLines(previous) || lastToken(previous)?.endLine !== first.startLine);
      const placement: Placement = newLine ? { newLine: true, blankAllowed: true } : { sep: previous === null ? " " : rowSeparator(previous, statement) };
      this.statement(statement, indent, placement);
      previous = statement;
      breakBefore = false;
    }
  }

  /** The comments after the last token, and the last line. */
  end(): void {
    const gap = this.gaps[this.tokens.length];
    for (const comment of gap?.comments ?? []) this.comment(comment.text, comment.trailing, comment.blankBefore, 0);
    this.endLine();
  }

  text(): string {
    return this.lines.length === 0 ? "" : alignTrailingComments(this.lines).join("\n") + "\n";
  }

  private statement(statement: Statement, indent: number, placement: Placement): void {
    const pieces = statement.pieces;
    let previous: Piece | null = null;
    /** Inside a list with comments in it, laid out one item per line: where the items stand. */
    let itemIndent: number | null = null;
    let itemStarts = false;
    pieces.forEach((piece, i) => {
      if (piece.kind === "block") {
        this.block(piece.block, indent);
      } else if (previous === null) {
        this.token(piece.token, placement, indent, indent);
      } else if (itemIndent !== null) {
        const token = piece.token;
        if (token.tokenType === RBracket) {
          if (previous.kind === "token" && previous.token.tokenType !== Comma && previous.token.tokenType !== LBracket) this.append(",");
          this.token(token, { newLine: true, blankAllowed: false }, indent, itemIndent);
          itemIndent = null;
        } else {
          const sep = previous.kind === "token" ? spacing(previous.token, token) : " ";
          this.token(token, itemStarts ? { newLine: true, blankAllowed: false } : { sep }, itemIndent, itemIndent);
          itemStarts = token.tokenType === Comma;
        }
      } else if (isDroppable(piece.token, nextToken(pieces, i))) {
        this.comments(piece.token, indent + CONTINUATION);
        return;
      } else {
        const sep = previous.kind === "block" ? " " : spacing(previous.token, piece.token);
        this.token(piece.token, { sep }, indent + CONTINUATION, indent + CONTINUATION);
        if (piece.token.tokenType === LBracket && this.commentedList(piece.token)) {
          itemIndent = indent + INDENT;
          itemStarts = true;
        }
      }
      previous = piece;
    });
  }

  /** A `[` whose list holds a comment: its items go one per line, so each comment stays beside its item. */
  private commentedList(open: IToken): boolean {
    const from = (this.index.get(open) ?? 0) + 1;
    for (let i = from; i < this.tokens.length; i++) {
      if ((this.gaps[i]?.comments.length ?? 0) > 0) return true;
      if (this.tokens[i]?.tokenType === RBracket) return false;
    }
    return false;
  }

  /** Text at the end of the current line (the comma after the last item of a list laid out one per line). */
  private append(text: string): void {
    if (this.current !== null) this.current.code += text;
  }

  private block(block: Block, indent: number): void {
    const { open, close } = block;
    if (open === null) return;
    this.token(open, { sep: " " }, indent + CONTINUATION, indent + CONTINUATION);
    const shape = this.shape(block);
    if (shape === "lines") {
      this.atBlockStart = true;
      this.body(block, indent + INDENT, false);
      if (close !== null) this.token(close, { newLine: true, blankAllowed: false }, indent, indent + INDENT);
      return;
    }
    this.body(block, indent, true);
    if (close !== null) this.token(close, { sep: shape === "empty" ? "" : " " }, indent + CONTINUATION, indent + CONTINUATION);
  }

  /** Empty (`{}`), on one line as the author wrote it, or one line per row. */
  private shape(block: Block): Shape {
    let shape = this.shapes.get(block);
    if (shape === undefined) {
      shape = this.shapeOf(block);
      this.shapes.set(block, shape);
    }
    return shape;
  }

  private shapeOf(block: Block): Shape {
    const { open, close } = block;
    if (open === null || close === null) return "lines";
    const from = (this.index.get(open) ?? 0) + 1;
    const to = this.index.get(close) ?? from;
    const inside = this.tokens.slice(from, to);
    const commented = this.gaps.slice(from, to + 1).some((gap) => gap.comments.length > 0);
    if (!commented && inside.every((t) => t.tokenType === Semicolon)) return "empty";
    if (!commented && open.startLine === close.startLine && !inside.some((t) => t.tokenType === Semicolon)) return "inline";
    return "lines";
  }

  private endsInLines(statement: Statement): boolean {
    const last = statement.pieces[statement.pieces.length - 1];
    return last?.kind === "block" && this.shape(last.block) === "lines";
  }

  /**
   * A token, after the comments before it. After a comment the line has ended, so the token
   * begins a new one: at `indent` (a statement's or a `}`'s, or a continuation).
   */
  private token(token: IToken, placement: Placement, indent: number, commentIndent: number): void {
    const broke = this.comments(token, commentIndent);
    const blankBefore = this.gapBefore(token)?.blankBefore === true;
    if (broke || "newLine" in placement) {
      this.endLine();
      if ("newLine" in placement && placement.blankAllowed && blankBefore) this.blank();
      this.current = { indent, code: token.image, comment: null };
    } else if (this.current === null) {
      this.current = { indent, code: token.image, comment: null };
    } else {
      this.current.code += placement.sep + token.image;
    }
    this.atBlockStart = false;
  }

  /** The comments before a token; whether any was printed (the current line has then ended). */
  private comments(token: IToken, indent: number): boolean {
    const gap = this.gapBefore(token);
    for (const comment of gap?.comments ?? []) this.comment(comment.text, comment.trailing, comment.blankBefore, indent);
    return (gap?.comments.length ?? 0) > 0;
  }

  private comment(text: string, trailing: boolean, blankBefore: boolean, indent: number): void {
    if (trailing && this.current !== null) {
      this.current.comment = text;
      this.endLine();
      return;
    }
    this.endLine();
    if (blankBefore) this.blank();
    this.lines.push({ indent, code: text, comment: null });
    this.atBlockStart = false;
  }

  private gapBefore(token: IToken): Gap | undefined {
    const i = this.index.get(token);
    return i === undefined ? undefined : this.gaps[i];
  }

  private endLine(): void {
    if (this.current !== null) this.lines.push(this.current);
    this.current = null;
  }

  private blank(): void {
    this.endLine();
    if (!this.atBlockStart && this.lines.length > 0 && this.lines[this.lines.length - 1] !== null) this.lines.push(null);
  }
}

function firstToken(statement: Statement): IToken | undefined {
  const first = statement.pieces[0];
  return first?.kind === "token" ? first.token : first?.block.open ?? undefined;
}

function lastToken(statement: Statement): IToken | undefined {
  const last = statement.pieces[statement.pieces.length - 1];
  return last?.kind === "token" ? last.token : last?.block.close ?? undefined;
}

function nextToken(pieces: readonly Piece[], i: number): IToken | undefined {
  const next = pieces[i + 1];
  return next?.kind === "token" ? next.token : undefined;
}

/** Between two statements on one line: two spaces, but `from 22:00 to 06:00` reads as one. */
function rowSeparator(previous: Statement, next: Statement): string {
  const a = firstToken(previous)?.tokenType;
  const b = firstToken(next)?.tokenType;
  return a === keywordTokens.from && b === keywordTokens.to ? " " : "  ";
}

/** Between two tokens of a statement. */
function spacing(previous: IToken, next: IToken): string {
  if (previous.tokenType === LBracket || previous.tokenType === DotDot) return "";
  if (next.tokenType === RBracket || next.tokenType === Comma || next.tokenType === DotDot) return "";
  return " ";
}

/** The lines as text; trailing comments of consecutive lines line up. */
function alignTrailingComments(lines: readonly (Line | null)[]): string[] {
  const out: string[] = [];
  let run: Line[] = [];
  const flush = (): void => {
    const column = Math.max(...run.map((l) => l.indent + l.code.length)) + 2;
    for (const l of run) out.push(" ".repeat(l.indent) + l.code + " ".repeat(column - l.indent - l.code.length) + (l.comment ?? ""));
    run = [];
  };
  for (const line of lines) {
    if (line !== null && line.comment !== null) {
      run.push(line);
      continue;
    }
    if (run.length > 0) flush();
    out.push(line === null ? "" : " ".repeat(line.indent) + line.code);
  }
  if (run.length > 0) flush();
  return out;
}
