import { describe, expect, it } from "vitest";
import { ansibleIniValue } from "../../src/inventory/python-literal.js";

describe("INI values typed as Ansible types them (ast.literal_eval, else the text)", () => {
  it.each([
    ["12", 12],
    ["-3", -3],
    ["+7", 7],
    ["0", 0],
    ["1_000", 1000],
    ["0x1f", 31],
    ["0o17", 15],
    ["0b101", 5],
    ["1.5", 1.5],
    ["1e3", 1000],
    [".5", 0.5],
    ["True", true],
    ["False", false],
    ["None", null],
    ["'a b'", "a b"],
    ['"x"', "x"],
    ["'03#pa33w0rd'", "03#pa33w0rd"],
    ["'a' 'b'", "ab"],
    ["'tab\\there'", "tab\there"],
    ["r'\\d'", "\\d"],
    ["[1, 2]", [1, 2]],
    ["['a', 'b']", ["a", "b"]],
    ["('a',)", ["a"]],
    ["{'k': 1}", { k: 1 }],
    ["8080 # http", 8080],
  ])("%s is a literal", (text, value) => {
    expect(ansibleIniValue(text)).toEqual(value);
  });

  it.each(["true", "yes", "no", "false", "az1", "10.0.0.1", "012", "01", "ubuntu # admin", "", "1abc", "[1, 2", "'open", "a=b", "1j2", "toString", "constructor", "__proto__", "hasOwnProperty", "[toString]"])(
    "%s stays the text",
    (text) => {
      expect(ansibleIniValue(text)).toBe(text);
    },
  );

  it("keeps more than 200 nested brackets as text, as Python's tokenizer refuses them", () => {
    const nested = (n: number): string => "[".repeat(n) + "]".repeat(n);
    let value: unknown = [];
    for (let i = 1; i < 200; i++) value = [value];
    expect(ansibleIniValue(nested(200))).toEqual(value);
    expect(ansibleIniValue(nested(201))).toBe(nested(201));
    expect(ansibleIniValue("{".repeat(100_000))).toBe("{".repeat(100_000));
  });

  it("keeps a complex number as its text, as Ansible converts it to a string", () => {
    expect(ansibleIniValue("2j")).toBe("2j");
  });
});
