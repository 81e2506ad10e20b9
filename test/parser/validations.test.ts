/**
 * The CLI builds its lexer and parser without chevrotain's validations (they cost a tenth
 * of a second at every start); here they run, and fail on a grammar or token set that
 * would be ambiguous, left-recursive or unreachable.
 */
import { Lexer } from "chevrotain";
import { describe, expect, it } from "vitest";
import { AstBuilder } from "../../src/parser/build-ast.js";
import { UpgParser, upgParser } from "../../src/parser/grammar.js";
import { allTokens, LEXER_CONFIG } from "../../src/parser/tokens.js";

describe("chevrotain's validations", () => {
  it("pass for the lexer: every token reachable, and the lexer optimizable", () => {
    const lexer = new Lexer([...allTokens], { ...LEXER_CONFIG, skipValidations: false });
    expect(lexer.lexerDefinitionErrors).toEqual([]);
  });

  it("pass for the grammar: no ambiguous alternatives, no left recursion", () => {
    expect(() => new UpgParser({ validate: true })).not.toThrow();
  });

  it("pass for the AST builder: one method per grammar rule", () => {
    const Visitor = upgParser().getBaseCstVisitorConstructor<unknown, unknown>();
    // chevrotain's own check, over the builder's methods (the builder does not extend its base visitor).
    const check = Object.assign(Object.create(AstBuilder.prototype) as object, { validateVisitor: Visitor.prototype.validateVisitor }) as { validateVisitor(): void };
    expect(() => check.validateVisitor()).not.toThrow();
  });
});
