/**
 * The statement structure of a parsed file, read off its tokens: the file and each `{ … }`
 * is a block of statements, a statement is a run of tokens and nested blocks. Where a
 * statement begins comes from the concrete syntax tree (a word such as `window` begins a
 * statement in a service, but not after `reboot` on its line), so the layout follows the
 * one parser and never guesses.
 */
import type { CstElement, CstNode, IToken } from "chevrotain";
import type { FileCstNode } from "../parser/upg.cst.js";
import { LCurly, RCurly } from "../parser/tokens.js";

/** The rules whose nodes are the statements of a block (children of the block's repetition). */
const STATEMENT_RULES: ReadonlySet<string> = new Set([
  "topStatement",
  "planStatement",
  "windowStatement",
  "connectionStatement",
  "checkpointStatement",
  "notifyStatement",
  "methodStatement",
  "serviceStatement",
  "evacuateOption",
  "maintenanceStatement",
  "rollingStatement",
  "actionOption",
  "envEntry",
]);

export type Piece = { readonly kind: "token"; readonly token: IToken } | { readonly kind: "block"; readonly block: Block };

export interface Statement {
  readonly pieces: readonly Piece[];
}

export interface Block {
  /** Null for the file itself. */
  readonly open: IToken | null;
  readonly close: IToken | null;
  readonly statements: readonly Statement[];
}

/** The file as nested blocks of statements. */
export function layoutOf(tokens: readonly IToken[], cst: FileCstNode): Block {
  const starts = statementStarts(cst);
  const reader = new BlockReader(tokens, starts);
  return { open: null, close: null, statements: reader.statements(false) };
}

/** Offsets of the first token of every statement (from the node's location; by its tokens where recovery left none). */
function statementStarts(cst: CstNode): ReadonlySet<number> {
  const starts = new Set<number>();
  const visit = (node: CstNode): void => {
    if (STATEMENT_RULES.has(node.name)) {
      const located = node.location?.startOffset;
      const first = located !== undefined && Number.isFinite(located) ? located : firstOffset(node);
      if (first !== undefined) starts.add(first);
    }
    for (const children of Object.values(node.children)) {
      for (const child of children) if (isNode(child)) visit(child);
    }
  };
  visit(cst);
  return starts;
}

function firstOffset(node: CstNode): number | undefined {
  let first: number | undefined;
  for (const children of Object.values(node.children)) {
    for (const child of children) {
      const offset = isNode(child) ? firstOffset(child) : child.isInsertedInRecovery === true ? undefined : child.startOffset;
      if (offset !== undefined && (first === undefined || offset < first)) first = offset;
    }
  }
  return first;
}

function isNode(element: CstElement): element is CstNode {
  return "children" in element;
}

class BlockReader {
  private at = 0;

  constructor(
    private readonly tokens: readonly IToken[],
    private readonly starts: ReadonlySet<number>,
  ) {}

  /** Statements up to the `}` that closes the block (left unread), or to the end. */
  statements(inBraces: boolean): Statement[] {
    const statements: Statement[] = [];
    for (let token = this.tokens[this.at]; token !== undefined; token = this.tokens[this.at]) {
      if (inBraces && token.tokenType === RCurly) break;
      statements.push(this.statement());
    }
    return statements;
  }

  private statement(): Statement {
    const pieces: Piece[] = [];
    for (let token = this.tokens[this.at]; token !== undefined; token = this.tokens[this.at]) {
      if (pieces.length > 0 && (this.starts.has(token.startOffset) || token.tokenType === RCurly)) break;
      if (token.tokenType === LCurly) {
        pieces.push({ kind: "block", block: this.block() });
      } else {
        pieces.push({ kind: "token", token });
        this.at++;
      }
    }
    return { pieces };
  }

  private block(): Block {
    const open = this.tokens[this.at++] ?? null;
    const statements = this.statements(true);
    const close = this.tokens[this.at] ?? null;
    if (close !== null) this.at++;
    return { open, close, statements };
  }
}
