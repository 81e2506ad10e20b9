import { describe, expect, it } from "vitest";
import { upgLexer } from "../../src/parser/tokens.js";

function lex(text: string): string[] {
  const result = upgLexer().tokenize(text);
  expect(result.errors).toEqual([]);
  return result.tokens.map((t) => `${t.tokenType.name}:${t.image}`);
}

describe("the lexer", () => {
  it("prefers the longest keyword and falls back to a name", () => {
    expect(lex("on on-deadline once onward")).toEqual(["KwOn:on", "KwOnDeadline:on-deadline", "KwOnce:once", "Identifier:onward"]);
    expect(lex("file files file.d window-x")).toEqual(["KwFile:file", "Identifier:files", "Identifier:file.d", "Identifier:window-x"]);
  });

  it("reads qualified names, ranges with suffixes and day ranges", () => {
    expect(lex("openstack.nova-compute ctl01.example.com cmp[001-240].example.com mon..fri")).toEqual([
      "Identifier:openstack.nova-compute",
      "Identifier:ctl01.example.com",
      "HostRange:cmp[001-240].example.com",
      "Identifier:mon",
      "DotDot:..",
      "Identifier:fri",
    ]);
  });

  it("tells numbers apart", () => {
    expect(lex("2026-12-05T22:00 22:00 5% 1h30m 5x 42")).toEqual([
      "DateTime:2026-12-05T22:00",
      "TimeOfDay:22:00",
      "Percent:5%",
      "Duration:1h30m",
      "Duration:5x",
      "Integer:42",
    ]);
  });

  it("skips comments and whitespace, but not a # inside a string", () => {
    expect(lex('use "a#b" # a comment\n;')).toEqual(["KwUse:use", 'StringLiteral:"a#b"', "Semicolon:;"]);
  });

  it("reports a character outside the language and goes on", () => {
    const result = upgLexer().tokenize("on x @ y");
    expect(result.errors.map((e) => [e.offset, e.length])).toEqual([[5, 1]]);
    expect(result.tokens.map((t) => t.image)).toEqual(["on", "x", "y"]);
  });
});
