/**
 * The CLI builds its lexer and parser without chevrotain's validations (they cost a tenth
 * of a second at every start); here they run, and fail on a grammar or token set that
 * would be ambiguous, left-recursive or unreachable.
 */
import { Lexer } from "chevrotain";
import { describe, expect, it } from "vitest";
import { UpgParser } from "../../src/parser/grammar.js";
import { allTokens, LEXER_CONFIG } from "../../src/parser/tokens.js";

describe("chevrotain's validations", () => {
  it("pass for the lexer: every token reachable, and the lexer optimizable", () => {
    const lexer = new Lexer([...allTokens], { ...LEXER_CONFIG, skipValidations: false });
    expect(lexer.lexerDefinitionErrors).toEqual([]);
  });

  it("pass for the grammar: no ambiguous alternatives, no left recursion", () => {
    expect(() => new UpgParser({ validate: true })).not.toThrow();
  });
});
