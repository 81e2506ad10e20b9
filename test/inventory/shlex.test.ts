import { describe, expect, it } from "vitest";
import { shlexSplit } from "../../src/inventory/shlex.js";

const values = (line: string): string[] => {
  const split = shlexSplit(line);
  if (!split.ok) throw new Error(split.message);
  return split.tokens.map((t) => t.value);
};

describe("shlexSplit", () => {
  it("splits on whitespace and keeps where each token lies", () => {
    expect(shlexSplit("\tcmp01 az=az1  instances=12 ")).toEqual({
      ok: true,
      tokens: [
        { value: "cmp01", start: 1, end: 6 },
        { value: "az=az1", start: 7, end: 13 },
        { value: "instances=12", start: 15, end: 27 },
      ],
    });
  });

  it("splits on Unicode whitespace too", () => {
    expect(values("h\u00a0a=1\u3000b=2")).toEqual(["h", "a=1", "b=2"]);
  });

  it("joins quoted parts and escapes into one token", () => {
    expect(values(`h a='x y' b="q \\" \\\\ \\n" c=d\\ e f="x"'y'z`)).toEqual(["h", "a=x y", 'b=q " \\ \\n', "c=d e", "f=xyz"]);
  });

  it("ends the line at a `#`, even in the middle of a word", () => {
    expect(values("h pw=ab#cd rest")).toEqual(["h", "pw=ab"]);
    expect(values("h x=1 # comment")).toEqual(["h", "x=1"]);
    expect(values("h pw='ab#cd'")).toEqual(["h", "pw=ab#cd"]);
  });

  it("reports an unclosed quote and a trailing backslash where they start", () => {
    expect(shlexSplit("h a='open")).toEqual({ ok: false, message: "no closing quotation", at: 4 });
    expect(shlexSplit("h a=\\")).toEqual({ ok: false, message: "no escaped character", at: 4 });
  });
});
