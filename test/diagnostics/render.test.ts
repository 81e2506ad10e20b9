import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../src/diagnostics/diagnostic.js";
import { diagnosticsToJson, LineIndex, renderDiagnostics, summaryLine } from "../../src/diagnostics/render.js";

const file = "examples/x.upg";
const text = "service nova {\n  on compute\n  rollling {\n    batch 1\n  }\n  on cmp[1-3]\n}\n";
const texts = new Map([[file, text]]);
const at = (needle: string, from = 0): { start: number; end: number } => {
  const start = text.indexOf(needle, from);
  if (start < 0) throw new Error(`no ${needle}`);
  return { start, end: start + needle.length };
};

const unknown: Diagnostic = {
  code: "UPG0102",
  severity: "error",
  message: "unknown statement `rollling` in service",
  span: { file, ...at("rollling") },
  help: "did you mean `rolling`?",
  notes: ["statements in service: `on`, `rolling`"],
};

const twice: Diagnostic = {
  code: "UPG0111",
  severity: "error",
  message: "`on` given twice in service `nova`",
  span: { file, ...at("on cmp[1-3]") },
  labels: [{ span: { file, ...at("on compute") }, message: "first given here" }],
};

describe("LineIndex", () => {
  it("computes 1-based lines and columns in UTF-16 units, for \\n, \\r\\n and \\r", () => {
    const index = new LineIndex("ab\ncd\r\nef\rg😀h");
    expect(index.at(0)).toEqual({ line: 1, column: 1 });
    expect(index.at(3)).toEqual({ line: 2, column: 1 });
    expect(index.at(7)).toEqual({ line: 3, column: 1 });
    expect(index.at(10)).toEqual({ line: 4, column: 1 });
    expect(index.at(13)).toEqual({ line: 4, column: 4 });
    expect(index.lineText(2)).toBe("cd");
    expect(index.lineText(4)).toBe("g😀h");
    expect(index.at(999)).toEqual({ line: 4, column: 5 });
  });
});

describe("renderDiagnostics", () => {
  it("prints the location, the source line, the underline, help and notes", () => {
    expect(renderDiagnostics([unknown], texts, { color: false })).toBe(
      [
        "examples/x.upg:3:3 - error UPG0102: unknown statement `rollling` in service",
        "  |",
        "3 |   rollling {",
        "  |   ^^^^^^^^",
        "  = help: did you mean `rolling`?",
        "  = note: statements in service: `on`, `rolling`",
        "",
        "Found 1 error.",
        "",
      ].join("\n"),
    );
  });

  it("shows labels in line order, with a gap marker between distant lines", () => {
    expect(renderDiagnostics([twice], texts, { color: false })).toBe(
      [
        "examples/x.upg:6:3 - error UPG0111: `on` given twice in service `nova`",
        "  |",
        "2 |   on compute",
        "  |   ---------- first given here",
        "...",
        "6 |   on cmp[1-3]",
        "  |   ^^^^^^^^^^^",
        "",
        "Found 1 error.",
        "",
      ].join("\n"),
    );
  });

  it("shows a label in another file under its own location", () => {
    const other = "use \"./x.upg\"\n";
    const cycle: Diagnostic = {
      code: "UPG0202",
      severity: "error",
      message: "import cycle",
      span: { file, start: 0, end: 7 },
      labels: [{ span: { file: "site.upg", start: 4, end: 13 }, message: "imported here" }],
    };
    expect(renderDiagnostics([cycle], new Map([...texts, ["site.upg", other]]), { color: false })).toBe(
      [
        "examples/x.upg:1:1 - error UPG0202: import cycle",
        "  |",
        "1 | service nova {",
        "  | ^^^^^^^",
        " ::: site.upg:1:5",
        "  |",
        '1 | use "./x.upg"',
        "  |     --------- imported here",
        "",
        "Found 1 error.",
        "",
      ].join("\n"),
    );
  });

  it("underlines the first line of a multi-line span, and a caret for an empty span", () => {
    const multi: Diagnostic = { code: "UPG0117", severity: "warning", message: "m", span: { file, start: text.indexOf("rollling"), end: text.indexOf("  }") } };
    const empty: Diagnostic = { code: "UPG0117", severity: "note", message: "e", span: { file, start: text.length, end: text.length } };
    const out = renderDiagnostics([multi, empty], texts, { color: false });
    expect(out).toContain("3 |   rollling {\n  |   ^^^^^^^^^^\n");
    expect(out).toContain("examples/x.upg:8:1 - note UPG0117: e\n  |\n8 |\n  | ^\n");
    expect(out).toMatch(/Found 1 warning and 1 note\.\n$/);
  });

  it("prints a diagnostic without a span, or whose text is unknown, by its header", () => {
    const noSpan: Diagnostic = { code: "UPG0002", severity: "error", message: "cannot read `x.upg`", help: "check the path" };
    const elsewhere: Diagnostic = { code: "UPG0002", severity: "warning", message: "w", span: { file: "other.upg", start: 3, end: 4 } };
    expect(renderDiagnostics([noSpan, elsewhere], texts, { color: false })).toBe(
      "upgradec - error UPG0002: cannot read `x.upg`\n  = help: check the path\n\nother.upg - warning UPG0002: w\n\nFound 1 error and 1 warning.\n",
    );
  });

  it("keeps tabs so the underline lines up", () => {
    const tabbed = "service a {\n\t\ton x\n}";
    const out = renderDiagnostics([{ code: "UPG0102", severity: "error", message: "m", span: { file: "t.upg", start: tabbed.indexOf("on"), end: tabbed.indexOf("on") + 2 } }], new Map([["t.upg", tabbed]]), {
      color: false,
    });
    expect(out).toContain("2 | \t\ton x\n  | \t\t^^\n");
  });

  it("colours only when asked", () => {
    expect(renderDiagnostics([unknown], texts, { color: false })).not.toContain("\u001b[");
    const coloured = renderDiagnostics([unknown], texts, { color: true });
    expect(coloured).toContain("\u001b[1m\u001b[31merror UPG0102\u001b[0m");
    const stripped = coloured
      .split("\u001b")
      .map((part, i) => (i === 0 ? part : part.replace(/^\[\d+m/, "")))
      .join("");
    expect(stripped).toBe(renderDiagnostics([unknown], texts, { color: false }));
  });

  it("prints nothing for no diagnostics", () => {
    expect(renderDiagnostics([], texts, { color: false })).toBe("");
    expect(summaryLine([])).toBe("");
  });

  it("counts in the summary", () => {
    const e: Diagnostic = { code: "UPG0001", severity: "error", message: "" };
    const w: Diagnostic = { code: "UPG0001", severity: "warning", message: "" };
    const n: Diagnostic = { code: "UPG0001", severity: "note", message: "" };
    expect(summaryLine([e, e, e, w])).toBe("Found 3 errors and 1 warning.");
    expect(summaryLine([e, w, w, n])).toBe("Found 1 error, 2 warnings and 1 note.");
    expect(summaryLine([w])).toBe("Found 1 warning.");
  });
});

describe("diagnosticsToJson", () => {
  it("gives positions, help, notes and labels", () => {
    const json = diagnosticsToJson([twice, unknown, { code: "UPG0002", severity: "error", message: "no file" }], texts);
    expect(json.summary).toEqual({ errors: 3, warnings: 0, notes: 0 });
    expect(json.diagnostics[0]).toEqual({
      code: "UPG0111",
      severity: "error",
      message: "`on` given twice in service `nova`",
      file,
      line: 6,
      column: 3,
      endLine: 6,
      endColumn: 14,
      start: at("on cmp[1-3]").start,
      end: at("on cmp[1-3]").end,
      help: null,
      notes: [],
      labels: [{ file, line: 2, column: 3, endLine: 2, endColumn: 13, start: at("on compute").start, end: at("on compute").end, message: "first given here" }],
    });
    expect(json.diagnostics[1]).toMatchObject({ help: "did you mean `rolling`?", notes: ["statements in service: `on`, `rolling`"], line: 3, column: 3 });
    expect(json.diagnostics[2]).toEqual({ code: "UPG0002", severity: "error", message: "no file", help: null, notes: [], labels: [] });
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });
});

describe("rendering untrusted sources", () => {
  const anyText = fc.string({ unit: "binary", maxLength: 2000 });
  const diagnosticIn = (text: string) =>
    fc.tuple(fc.nat(text.length), fc.nat(text.length), fc.string({ unit: "binary", maxLength: 60 })).map(([a, b, message]): Diagnostic => ({
      code: "UPG0103",
      severity: "error",
      message,
      span: { file, start: Math.min(a, b), end: Math.max(a, b) },
      labels: [{ span: { file, start: Math.min(a, b), end: Math.min(a, b) }, message }],
      help: message,
    }));

  it("writes no control character but newline, keeps every line bounded, and aligns the caret with the span", () => {
    fc.assert(
      fc.property(
        anyText.chain((text) => fc.tuple(fc.constant(text), fc.array(diagnosticIn(text), { minLength: 1, maxLength: 5 }))),
        ([text, diagnostics]) => {
          const out = renderDiagnostics(diagnostics, new Map([[file, text]]), { color: false });
          // eslint-disable-next-line no-control-regex
          expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
          for (const line of out.split("\n")) expect(line.length).toBeLessThan(1000);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("shows at most 100 diagnostics, errors first, and counts the rest", () => {
    const text = "x\n".repeat(500);
    const many: Diagnostic[] = Array.from({ length: 500 }, (_, i) => ({
      code: "UPG0103",
      severity: i % 2 === 0 ? "warning" : "error",
      message: `problem ${i}`,
      span: { file, start: i * 2, end: i * 2 + 1 },
    }));
    const out = renderDiagnostics(many, new Map([[file, text]]), { color: false });
    expect(out.match(/ - error UPG0103/g)?.length).toBe(100);
    expect(out).not.toContain(" - warning UPG0103");
    expect(out).toContain("… and 400 more diagnostics not shown (150 errors and 250 warnings)");
    expect(out.trimEnd().endsWith("Found 250 errors and 250 warnings.")).toBe(true);
  });

  it("cuts a long line around the span and keeps the caret under it", () => {
    const long = `${"a".repeat(5000)}ERROR${"b".repeat(5000)}`;
    const start = long.indexOf("ERROR");
    const out = renderDiagnostics([{ code: "UPG0103", severity: "error", message: "m", span: { file, start, end: start + 5 } }], new Map([[file, long]]), { color: false });
    const lines = out.split("\n");
    const source = lines.find((l) => l.includes("ERROR")) as string;
    const caret = lines.find((l) => l.includes("^^^^^")) as string;
    expect(source.length).toBeLessThan(200);
    expect(source.indexOf("ERROR")).toBe(caret.indexOf("^"));
    expect(source).toMatch(/…$/);
  });

  it("shows no line of a hidden file, only where", () => {
    const out = renderDiagnostics([{ code: "UPG0305", severity: "error", message: "m", span: { file, start: 0, end: 4 } }], new Map([[file, "root:x:0:0"]]), {
      color: false,
      hidden: new Set([file]),
    });
    expect(out).toContain(`${file}:1:1 - error UPG0305`);
    expect(out).not.toContain("root");
  });
});

