/**
 * What lies between two tokens: white space and comments. The lexer skips both; the
 * formatter reads them back from the text between the tokens, where nothing else can be
 * (a `#` inside a string is part of the string token).
 */
import type { IToken } from "chevrotain";
import { Comma, RBracket, Semicolon } from "../parser/tokens.js";

export interface GapComment {
  /** From `#` to the end of its line, trailing blanks removed. */
  readonly text: string;
  /** On the line of the token before it (`batch 1  # canary`), not on a line of its own. */
  readonly trailing: boolean;
  /** A blank line (or more) comes before it. */
  readonly blankBefore: boolean;
}

export interface Gap {
  readonly comments: readonly GapComment[];
  /** A blank line (or more) comes just before the token (after the last comment, if any). */
  readonly blankBefore: boolean;
}

const LINE_BREAK = /\r\n|\r|\n/g;
const COMMENT = /#[^\n\r]*/g;

/** The gap before each token, and the one after the last token (at index `tokens.length`). */
export function gapsOf(text: string, tokens: readonly IToken[]): readonly Gap[] {
  const gaps: Gap[] = [];
  let from = 0;
  for (const token of tokens) {
    gaps.push(readGap(text.slice(from, token.startOffset), gaps.length > 0));
    from = (token.endOffset ?? token.startOffset) + 1;
  }
  gaps.push(readGap(text.slice(from), tokens.length > 0));
  return gaps;
}

function readGap(gap: string, afterToken: boolean): Gap {
  const comments: GapComment[] = [];
  let last = 0;
  for (const match of gap.matchAll(COMMENT)) {
    const breaks = lineBreaks(gap.slice(last, match.index));
    comments.push({ text: match[0].trimEnd(), trailing: afterToken && comments.length === 0 && breaks === 0, blankBefore: breaks >= 2 });
    last = match.index + match[0].length;
  }
  return { comments, blankBefore: lineBreaks(gap.slice(last)) >= 2 };
}

function lineBreaks(text: string): number {
  return text.match(LINE_BREAK)?.length ?? 0;
}

/**
 * Tokens the canonical layout leaves out, as they change nothing: `;` between statements
 * (a line break separates them instead) and a comma just before `]`.
 */
export function isDroppable(token: IToken, next: IToken | undefined): boolean {
  return token.tokenType === Semicolon || (token.tokenType === Comma && next?.tokenType === RBracket);
}

/** A comment and where it stands: after how many tokens (those the layout keeps). */
export interface PlacedComment {
  readonly text: string;
  readonly trailing: boolean;
  readonly tokensBefore: number;
}

/** Every comment of a file with its place among the tokens: formatting must keep this list as it is. */
export function placedComments(text: string, tokens: readonly IToken[]): readonly PlacedComment[] {
  const gaps = gapsOf(text, tokens);
  const placed: PlacedComment[] = [];
  let kept = 0;
  gaps.forEach((gap, i) => {
    for (const comment of gap.comments) placed.push({ text: comment.text, trailing: comment.trailing, tokensBefore: kept });
    const token = tokens[i];
    if (token !== undefined && !isDroppable(token, tokens[i + 1])) kept++;
  });
  return placed;
}
