/**
 * No placeholder of a shell script is left literal in silence: each `{name}` is either
 * substituted by the runtime (outside single quotes) or reported by the compiler as
 * single-quoted (UPG0251), or escaped by its author (`\\{name}`). A property over generated
 * scripts of quotes, escapes and braces.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { rewriteScript } from "../../../src/runtime/command-line.js";
import { singleQuotedPlaceholders } from "../../../src/base/placeholder-syntax.js";

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_.-]*)\}/g;

const fragment = fc.constantFrom("'", '"', "\\", " ", "{host}", "{az}", "{print}", "echo ", "$x", "{", "}", "a", ";");

describe("placeholders in shell scripts", () => {
  it("finds the single-quoted ones", () => {
    expect(singleQuotedPlaceholders("logger 'on {host}' {az} \"{rack}\" 'x{az}'")).toEqual(["host", "az"]);
    expect(singleQuotedPlaceholders("echo {host} \\'{az}")).toEqual([]);
  });

  it("substitutes every placeholder but the single-quoted ones, which it reports", () => {
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 30 }), (parts) => {
        const script = parts.join("");
        const names = [...script.matchAll(PLACEHOLDER)].map((m) => m[1] as string);
        const vars = Object.fromEntries(names.map((n) => [n, "V"]));
        const rewritten = rewriteScript(script, { vars, secrets: {} });
        expect(rewritten.ok).toBe(true);
        if (!rewritten.ok) return;
        const reported = new Set(singleQuotedPlaceholders(script));
        // What the runtime wrote is a reference to an environment variable, `${UPG_NAME}`; a
        // brace escaped with a backslash is the author's own literal.
        const left = [...rewritten.script.matchAll(PLACEHOLDER)]
          .filter((m) => rewritten.script[(m.index ?? 0) - 1] !== "\\")
          .map((m) => m[1] as string)
          .filter((n) => !n.startsWith("UPG_"));
        for (const name of left) expect(reported, `{${name}} left in ${JSON.stringify(script)}`).toContain(name);
      }),
      { numRuns: 500 },
    );
  });
});
