/**
 * Properties of `upgradec fmt` (src/format): over every .upg file of the repository that
 * parses (examples, the standard library, the parser corpus, the golden fixtures) and over
 * random re-layouts of them (fast-check), the formatted file
 * - parses to the same AST, spans aside;
 * - keeps every comment, with the same text, at the same place among the tokens, trailing
 *   or on its own line as it was;
 * - is formatted already (formatting is idempotent);
 * and every example compiles, formatted, to the same plan: the same steps, services, hosts,
 * timing and impact; only the sources' hashes (and so the fingerprint and digest) change.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileFile, type CompileResult } from "../../src/compiler/compile.js";
import { nodeLoadHost } from "../../src/files/node-host.js";
import type { LoadHost } from "../../src/files/load-host.js";
import { hasErrors } from "../../src/diagnostics/diagnostic.js";
import { placedComments } from "../../src/format/comments.js";
import { formatSource, withoutSpans } from "../../src/format/format.js";
import { parseSyntax } from "../../src/parser/parse.js";

const root = join(import.meta.dirname, "..", "..");

function upgFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return upgFiles(path);
      return name.endsWith(".upg") ? [path] : [];
    });
}

const corpus = ["examples", "src/stdlib", "test/parser/corpus", "test/fixtures", "test/e2e"]
  .flatMap((dir) => upgFiles(join(root, dir)))
  .map((path) => ({ path: relative(root, path), text: readFileSync(path, "utf8") }))
  .filter(({ path, text }) => !hasErrors(parseSyntax(text, path).diagnostics));

/** What formatting must keep of a text: its AST without spans, and its comments in place. */
function meaning(text: string) {
  const parsed = parseSyntax(text, "f.upg");
  return { ast: withoutSpans(parsed.value), comments: placedComments(text, parsed.tokens) };
}

/** The three properties for one input that parses. */
function expectFormattedKeepsMeaning(text: string, path = "f.upg"): string {
  const result = formatSource(text, path);
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const formatted = result.text;
  if (formatted === null) throw new Error("no text");
  expect(meaning(formatted)).toEqual(meaning(text));
  expect(formatSource(formatted, path).text).toBe(formatted);
  return formatted;
}

describe("fmt over the repository's .upg files", () => {
  it("has the examples, the standard library and fixtures that parse", () => {
    const paths = corpus.map((c) => c.path);
    expect(paths).toContain("src/stdlib/openstack.upg");
    expect(paths).toContain("examples/upgrade-zed-to-2023.1/cloud.upg");
    expect(paths.filter((p) => p.startsWith("test/fixtures/")).length).toBeGreaterThan(20);
  });

  it.each(corpus.map((c) => [c.path, c.text] as const))("%s: same AST, comments in place, idempotent", (path, text) => {
    const formatted = expectFormattedKeepsMeaning(text, path);
    expect(formatted.endsWith("\n")).toBe(true);
    expect(formatted).not.toMatch(/[ \t]+\n/);
    expect(formatted).not.toMatch(/\n\n\n/);
  });
});

/** A load host that hands the compiler every .upg file formatted. */
function formattingHost(base: LoadHost): LoadHost {
  return {
    cwd: base.cwd,
    readDir: (path) => base.readDir(path),
    readFile: (path, maxBytes) => {
      const text = base.readFile(path, maxBytes);
      if (typeof text !== "string" || !path.endsWith(".upg")) return text;
      return formatSource(text, path).text ?? text;
    },
  };
}

const OPTIONS = { now: new Date("2026-12-01T12:00:00Z"), compilerVersion: "0.0.0-test" } as const;

/** A plan with what hashes its source bytes left out: the fingerprint, the digest and each source's sha256. */
function planMeaning(result: CompileResult): unknown {
  if (result.plan === null) return null;
  const { fingerprint: _fingerprint, digest: _digest, sources, ...rest } = result.plan;
  return { ...rest, sources: sources.map(({ sha256: _sha, ...source }) => source) };
}

/** Diagnostics without their places: code, severity and message. */
function findings(result: CompileResult): string[] {
  return result.diagnostics.map((d) => `${d.severity} ${d.code} ${d.message}`).sort();
}

const entries = corpus.filter(({ path, text }) => /^\s*plan\s/m.test(text) && !path.startsWith("src/stdlib/")).map((c) => c.path);

describe("fmt keeps what a file compiles to", () => {
  it("has the examples among its entries", () => {
    for (const name of ["upgrade-zed-to-2023.1", "failed-upgrade-rollback", "security-update-urgent", "dataplane-rolling-reboot"]) {
      expect(entries).toContain(`examples/${name}/cloud.upg`);
    }
  });

  it.each(entries)("%s: the same plan (or the same findings) from the formatted sources", (path) => {
    const host = nodeLoadHost(root);
    const original = compileFile(path, host, OPTIONS);
    const formatted = compileFile(path, formattingHost(host), OPTIONS);
    if (path.startsWith("examples/") && !path.includes("/lab-")) expect(original.plan).not.toBeNull();
    expect(findings(formatted)).toEqual(findings(original));
    expect(planMeaning(formatted)).toEqual(planMeaning(original));
    if (original.plan !== null && formatted.plan !== null) {
      // The sources did change (some of them), and the plan says so.
      const changed = [...formatted.texts].some(([file, text]) => original.texts.get(file) !== text);
      if (changed) expect(formatted.plan.fingerprint).not.toBe(original.plan.fingerprint);
    }
  });
});

// ---------------------------------------------------------------- random layouts

/** Token-like slices of a source; white space and comments are slices of their own. */
function slices(text: string): string[] {
  return text.match(/"(?:[^"\\\n]|\\.)*"?|#[^\n]*|[A-Za-z_][\w.-]*(?:\[[^\]\n]*\])?|\d[\w:%-]*|[ \t]*\n[ \t\n]*|[ \t]+|\.\.|./g) ?? [];
}

const WHITE = [" ", "  ", "\t", "\n", "\n\n", "\n\n\n  ", " \n\t ", "\r\n"];

type Edit =
  | { readonly op: "space"; readonly at: number; readonly white: number }
  | { readonly op: "comment"; readonly at: number; readonly own: boolean; readonly n: number }
  | { readonly op: "semicolon"; readonly at: number };

/** Re-lays a source out: white space changed, comments and `;` put between tokens. */
function relayout(text: string, edits: readonly Edit[]): string {
  const parts = slices(text);
  const gaps = parts.flatMap((p, i) => (/^\s+$/.test(p) ? [i] : []));
  for (const edit of edits) {
    if (gaps.length === 0) break;
    const i = gaps[edit.at % gaps.length] ?? 0;
    const old = parts[i] ?? " ";
    if (edit.op === "space") parts[i] = WHITE[edit.white % WHITE.length] ?? " ";
    else if (edit.op === "comment") parts[i] = `${edit.own ? "\n" : " "}# note ${edit.n}\n`;
    else parts[i] = `;${old}`;
  }
  return parts.join("");
}

const edit: fc.Arbitrary<Edit> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant("space" as const), at: fc.nat(), white: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("comment" as const), at: fc.nat(), own: fc.boolean(), n: fc.nat(99) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("semicolon" as const), at: fc.nat() }) },
);

const small = corpus.filter((c) => c.text.length < 6000).map((c) => c.text);

describe("fmt over random layouts of real sources (fast-check)", () => {
  it("keeps the AST and every comment in place, and is idempotent", () => {
    let parsed = 0;
    fc.assert(
      fc.property(fc.nat(), fc.array(edit, { minLength: 1, maxLength: 25 }), (which, edits) => {
        const text = relayout(small[which % small.length] ?? "", edits);
        if (hasErrors(parseSyntax(text, "f.upg").diagnostics)) return;
        parsed++;
        expectFormattedKeepsMeaning(text);
      }),
      { numRuns: 400 },
    );
    // Most layouts parse: the property was exercised, not skipped.
    expect(parsed).toBeGreaterThan(200);
  });

  it("formats every layout of one file the same way, as far as line breaks inside statements allow", () => {
    // Only white space between tokens on one line changes: the canonical text is the same.
    const source = small.find((t) => t.includes("rolling {")) ?? "";
    const canonical = formatSource(source, "f.upg").text;
    fc.assert(
      fc.property(fc.array(fc.record({ at: fc.nat(), spaces: fc.integer({ min: 1, max: 6 }) }), { maxLength: 30 }), (changes) => {
        const parts = slices(source);
        const gaps = parts.flatMap((p, i) => (/^[ \t]+$/.test(p) ? [i] : []));
        for (const c of changes) {
          const i = gaps[c.at % gaps.length];
          if (i !== undefined) parts[i] = " ".repeat(c.spaces);
        }
        expect(formatSource(parts.join(""), "f.upg").text).toBe(canonical);
      }),
      { numRuns: 100 },
    );
  });
});

describe("fmt leaves what it cannot format", () => {
  it("returns no text for a file with syntax errors, and the parser's diagnostics", () => {
    const text = "service a {\n  on\n";
    const result = formatSource(text, "bad.upg");
    expect(result.text).toBeNull();
    expect(result.diagnostics.map((d) => d.code)).toEqual(parseSyntax(text, "bad.upg").diagnostics.map((d) => d.code));
    expect(result.diagnostics.length).toBeGreaterThan(0);
  });
});

describe("the canonical layout", () => {
  const cases: readonly (readonly [string, string, string])[] = [
    ["a list with comments in it: one item per line, each comment beside its item", 'service a { on x\n  var p = ["a",  # first\n "b" ]\n}', 'service a {\n  on x\n  var p = [\n    "a",  # first\n    "b",\n  ]\n}\n'],
    ["a list without comments: on one line, no comma before ]", 'service a {\n  var p = [\n "a",\n "b",\n ]\n}\n', 'service a {\n  var p = ["a", "b"]\n}\n'],
    ["; splits a row into lines", 'window w { days mon; from 01:00 to 02:00 }\n', 'window w {\n  days mon\n  from 01:00 to 02:00\n}\n'],
    ["trailing comments of consecutive lines line up", "use a # one\ninventory \"long/path\" # two\n\nuse b # three\n", 'use a                  # one\ninventory "long/path"  # two\n\nuse b  # three\n'],
    ["blank lines: runs become one, none at the ends of a block or file", "\n\n# c\n\n\nservice a {\n\n  on x\n\n\n  after y\n\n}\n\n\n", "# c\n\nservice a {\n  on x\n\n  after y\n}\n"],
    ["an empty block", "service a {\n}\n", "service a {}\n"],
    ["reboot's window stays on its line, the service's own on the next", "service a {\n  reboot window w takes 5m\n  window v\n}\n", "service a {\n  reboot window w takes 5m\n  window v\n}\n"],
    ["an empty file", "\n\n", ""],
  ];
  it.each(cases)("%s", (_what, input, expected) => {
    expect(formatSource(input, "f.upg").text).toBe(expected);
    expectFormattedKeepsMeaning(input);
  });
});
