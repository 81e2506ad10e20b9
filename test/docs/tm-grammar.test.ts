/**
 * grammar/upg.tmLanguage.json, run by the engine editors use (vscode-textmate with the
 * Oniguruma regex library): sample lines get the scopes an editor colours by, every keyword
 * of the parser is highlighted as one, and the guide's examples tokenize with nothing
 * marked invalid.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import oniguruma from "vscode-oniguruma";
import vsctm from "vscode-textmate";
import { beforeAll, describe, expect, it } from "vitest";
import { keywords } from "../../src/parser/tokens.js";
import { docText, upgBlocks } from "./doc-blocks.js";

const require = createRequire(import.meta.url);
const GRAMMAR_PATH = join(import.meta.dirname, "..", "..", "grammar", "upg.tmLanguage.json");
const grammarText = readFileSync(GRAMMAR_PATH, "utf8");

interface Token {
  readonly text: string;
  readonly scopes: readonly string[];
}

let grammar: vsctm.IGrammar;

beforeAll(async () => {
  const wasm = readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm"));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scope: string) => (scope === "source.upg" ? vsctm.parseRawGrammar(grammarText, GRAMMAR_PATH) : null),
  });
  const loaded = await registry.loadGrammar("source.upg");
  if (!loaded) throw new Error("grammar source.upg did not load");
  grammar = loaded;
});

function tokenize(source: string): Token[][] {
  let state = vsctm.INITIAL;
  return source.split("\n").map((line) => {
    const r = grammar.tokenizeLine(line, state);
    state = r.ruleStack;
    return r.tokens.map((t) => ({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes }));
  });
}

/** The innermost scope of the (first) token whose text is exactly `text`. */
function scopeOf(line: string, text: string): string {
  const token = tokenize(line)[0]?.find((t) => t.text === text);
  if (!token) throw new Error(`no token \`${text}\` in: ${JSON.stringify(tokenize(line)[0]?.map((t) => t.text))}`);
  return token.scopes.at(-1) ?? "";
}

describe("the TextMate grammar", () => {
  it("is JSON with the scope name source.upg, and names no outside address", () => {
    const raw = JSON.parse(grammarText) as { scopeName: string; fileTypes: string[] };
    expect(raw.scopeName).toBe("source.upg");
    expect(raw.fileTypes).toEqual(["upg"]);
    expect(grammarText).not.toMatch(/https?:/);
  });

  it("has only regexes Oniguruma compiles", () => {
    const regexes: string[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === "object") {
        for (const [k, x] of Object.entries(v)) {
          if ((k === "match" || k === "begin" || k === "end") && typeof x === "string") regexes.push(x);
          else walk(x);
        }
      }
    };
    walk(JSON.parse(grammarText));
    expect(regexes.length).toBeGreaterThan(20);
    for (const re of regexes) expect(() => new oniguruma.OnigScanner([re]), re).not.toThrow();
  });

  it("scopes comments, strings, escapes and placeholders", () => {
    const line = 'stop ["logger", "a \\"b\\" {host} {secret.os-password}\\u{2713} \\q"]   # why';
    expect(scopeOf(line, "# why")).toBe("comment.line.number-sign.upg");
    expect(scopeOf(line, "logger")).toBe("string.quoted.double.upg");
    expect(scopeOf(line, '\\"')).toBe("constant.character.escape.upg");
    expect(scopeOf(line, "\\u{2713}")).toBe("constant.character.escape.upg");
    expect(scopeOf(line, "{host}")).toBe("variable.other.placeholder.upg");
    expect(scopeOf(line, "{secret.os-password}")).toBe("variable.other.placeholder.secret.upg");
    expect(scopeOf(line, "\\q")).toBe("invalid.illegal.escape.upg");
    // A `#` inside a string is not a comment.
    expect(scopeOf('note "issue #42"', "issue #42")).toBe("string.quoted.double.upg");
  });

  it("scopes durations, percentages, times, date-times, days and host ranges", () => {
    expect(scopeOf("takes 1h30m", "1h30m")).toBe("constant.numeric.duration.upg");
    expect(scopeOf("batch 1, 5%, 10%", "5%")).toBe("constant.numeric.percentage.upg");
    expect(scopeOf("batch 1, 5%, 10%", "1")).toBe("constant.numeric.integer.upg");
    expect(scopeOf("from 22:00 to 06:00", "06:00")).toBe("constant.other.time.upg");
    expect(scopeOf('start 2026-12-05T22:00 "Europe/Berlin"', "2026-12-05T22:00")).toBe("constant.other.date-time.upg");
    expect(scopeOf("days mon..fri, sun", "mon")).toBe("constant.language.weekday.upg");
    expect(scopeOf("days mon..fri, sun", "..")).toBe("keyword.operator.range.upg");
    expect(scopeOf("days mon..fri, sun", "fri")).toBe("constant.language.weekday.upg");
    expect(scopeOf("on compute, cmp[001-240], edge[1:4].example.com", "cmp[001-240]")).toBe("constant.other.host-range.upg");
    expect(scopeOf("on compute, cmp[001-240], edge[1:4].example.com", "edge[1:4].example.com")).toBe("constant.other.host-range.upg");
  });

  it("scopes declarations and the names they declare", () => {
    const line = "service nova-compute extends openstack.nova-compute {";
    expect(scopeOf(line, "service")).toBe("storage.type.service.upg");
    expect(scopeOf(line, "nova-compute")).toBe("entity.name.type.service.upg");
    expect(scopeOf(line, "extends")).toBe("keyword.other.extends.upg");
    expect(scopeOf(line, "openstack.nova-compute")).toBe("entity.other.inherited-class.upg");
    expect(scopeOf("window nightly {", "nightly")).toBe("entity.name.type.upg");
    expect(scopeOf("checkpoint db-backup before expand {", "db-backup")).toBe("entity.name.type.checkpoint.upg");
    expect(scopeOf("checkpoint db-backup before expand {", "expand")).toBe("constant.language.phase.upg");
    expect(scopeOf("hosts edge = edge[01-04], gw1", "edge")).toBe("entity.name.type.hosts.upg");
    expect(scopeOf('secret db file "/etc/db.pw"', "db")).toBe("entity.name.type.secret.upg");
    expect(scopeOf('var kolla-tag = "nova"', "kolla-tag")).toBe("variable.other.declaration.upg");
    // A reference is not a declaration.
    expect(scopeOf("  window nightly", "nightly")).toBe("variable.other.name.upg");
    expect(scopeOf("  evacuate live-migrate concurrency 4", "live-migrate")).toBe("constant.language.evacuation.upg");
    expect(scopeOf("  kind upgrade", "upgrade")).toBe("constant.language.kind.upg");
    expect(scopeOf("  undo irreversible", "irreversible")).toBe("keyword.control.irreversible.upg");
  });

  it("does not see keywords inside names", () => {
    expect(scopeOf("after nova-start-helper, stop.example", "nova-start-helper")).toBe("variable.other.name.upg");
    expect(scopeOf("after nova-start-helper, stop.example", "stop.example")).toBe("variable.other.name.upg");
  });

  it("highlights every keyword the parser knows", () => {
    expect(keywords.length).toBeGreaterThan(50);
    const unscoped = keywords.filter((k) => !/^(keyword|storage\.type)\./.test(scopeOf(`${k} x`, k)));
    expect(unscoped).toEqual([]);
  });

  it("tokenizes every example of the guide with nothing invalid", () => {
    const blocks = upgBlocks(docText());
    expect(blocks.length).toBeGreaterThan(40);
    for (const block of blocks) {
      const invalid = tokenize(block.code).flat().filter((t) => t.scopes.some((s) => s.startsWith("invalid")));
      expect(invalid, `docs/language.md:${block.line}`).toEqual([]);
    }
  });
});
