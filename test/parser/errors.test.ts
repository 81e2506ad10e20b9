/**
 * Syntax diagnostics and recovery: what is reported, where, and that parsing goes on.
 */
import { describe, expect, it } from "vitest";
import { parse } from "../../src/parser/parse.js";
import { expectAt, expectError, FILE, parseWithErrors } from "./helpers.js";

function codes(source: string): string[] {
  return parse(source, FILE).diagnostics.map((d) => d.code);
}

describe("unknown statements", () => {
  it("suggests the nearest keyword and keeps parsing the block", () => {
    const { diagnostics, ranges, file } = parseWithErrors("service nova {\n  ⟦rollling⟧ {\n    batch 1\n  }\n  takes 6m\n}");
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ code: "UPG0102", message: "unknown statement `rollling` in service", help: "did you mean `rolling`?" });
    expectAt(diagnostics[0]?.span, ranges[0]);
    const service = file.declarations[0];
    expect(service?.type === "service" ? service.takes?.seconds : undefined).toBe(360);
  });

  it("names the block it is in, and the top level", () => {
    expect(parse("window w { dayz mon }", FILE).diagnostics[0]).toMatchObject({ message: "unknown statement `dayz` in window", help: "did you mean `days`?" });
    expect(parse("service s { rolling { bacth 1 } }", FILE).diagnostics[0]).toMatchObject({ message: "unknown statement `bacth` in rolling", help: "did you mean `batch`?" });
    expect(parse('service s { upgrade ["x"] { tmeout 5m } }', FILE).diagnostics[0]).toMatchObject({ message: "unknown option `tmeout` in action options", help: "did you mean `timeout`?" });
    expect(parse("servce s { on x }", FILE).diagnostics[0]).toMatchObject({ message: "unknown declaration `servce`", help: "did you mean `service`?" });
  });

  it("says where a keyword of another block belongs", () => {
    const d = parse("service s { batch 1 }", FILE).diagnostics[0];
    expect(d).toMatchObject({ code: "UPG0102", help: "`batch` belongs in a `rolling` block" });
  });

  it("lists the statements when nothing is near", () => {
    const d = parse("service s { frobnicate 3 }", FILE).diagnostics[0];
    expect(d?.help).toBeUndefined();
    expect(d?.notes?.[0]).toMatch(/^statements in service: `on`, `after`/);
  });

  it("reports a token that cannot begin a statement", () => {
    const { diagnostics, ranges } = parseWithErrors("service s { ⟦5m⟧ on x }");
    expect(diagnostics.map((d) => [d.code, d.message])).toEqual([["UPG0103", "expected a statement in service, found `5m`"]]);
    expectAt(diagnostics[0]?.span, ranges[0]);
  });
});

describe("recovery", () => {
  it("reports three independent errors in one run", () => {
    const source = "service nova {\n  rollling { batch 1 }\n  takes 5x\n}\nwindow w { days mon..fir }\nservce keystone { on control }\n";
    expect(codes(source)).toEqual(["UPG0102", "UPG0106", "UPG0110", "UPG0102"]);
  });

  it("places a missing value after the keyword that needs it", () => {
    const { diagnostics, ranges } = parseWithErrors("service a {\n  on⟦⟧\n  after⟦⟧\n  takes⟦⟧\n}");
    expect(diagnostics.map((d) => d.message)).toEqual([
      "expected a host, a host range or a group, found `after`",
      "expected a name, found `takes`",
      "expected a duration such as `30s`, `5m` or `1h30m`, found `}`",
    ]);
    diagnostics.forEach((d, i) => expectAt(d.span, ranges[i]));
  });

  it("points at the open brace of an unclosed block, and reads the next declaration", () => {
    const { diagnostics, ranges, file } = parseWithErrors("service a ⟦{⟧\n  on x⟦⟧\n\nservice b {\n  on y\n}\n");
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ code: "UPG0117", message: "expected `}`, found `service`", labels: [{ message: "this `{` is not closed" }] });
    expectAt(diagnostics[0]?.span, ranges[1]);
    expectAt(diagnostics[0]?.labels?.[0]?.span, ranges[0]);
    expect(file.declarations.map((d) => (d.type === "service" ? d.name.text : d.type))).toEqual(["a", "b"]);
  });

  it("reports the end of the input at the end of the last token", () => {
    const text = "service a {\n  on x\n";
    const d = parse(text, FILE).diagnostics[0];
    expect(d).toMatchObject({ code: "UPG0117", message: "expected `}`, found end of file" });
    expect(d?.span).toEqual({ file: FILE, start: text.indexOf("x") + 1, end: text.indexOf("x") + 1 });
  });

  it("gives a node ending in an inserted token the end of the token before it", () => {
    const { file, diagnostics, ranges } = parseWithErrors('service a { upgrade ⟦["a"⟧ }');
    expect(diagnostics.map((d) => d.message)).toEqual(["expected `]`, found `}`"]);
    const service = file.declarations[0];
    const command = service?.type === "service" ? service.actions[0]?.action.command : undefined;
    expect(command).toMatchObject({ kind: "argv", argv: [{ value: "a" }] });
    expectAt(command, ranges[0]);
  });

  it("keeps the spans of inserted tokens inside the source", () => {
    const text = 'service a { upgrade ["a"';
    const result = parse(text, FILE);
    expect(result.diagnostics.length).toBeGreaterThan(0);
    const service = result.value.declarations[0];
    expect(service?.type).toBe("service");
    for (const d of result.diagnostics) expect(d.span?.end).toBeLessThanOrEqual(text.length);
  });

  it("reports an unexpected character and goes on", () => {
    const { diagnostics, ranges } = parseWithErrors("service a { on x ⟦@⟧ }\nservice b { takes 5q }");
    expect(diagnostics.map((d) => d.code)).toEqual(["UPG0101", "UPG0106"]);
    expectAt(diagnostics[0]?.span, ranges[0]);
    expect(parse("service a { on x & y }", FILE).diagnostics.map((d) => d.code)).toEqual(["UPG0101"]);
  });

  it("reads a single-quoted string as a string, with the fix", () => {
    const { diagnostics, file, ranges } = parseWithErrors("inventory ⟦'inventory/multi\"node'⟧\nsecret a env 'X");
    expect(diagnostics.map((d) => [d.code, d.message, d.help])).toEqual([
      ["UPG0118", "strings are written in double quotes", 'write "inventory/multi\\"node"'],
      ["UPG0118", "strings are written in double quotes", 'write "X"'],
    ]);
    expectAt(diagnostics[0]?.span, ranges[0]);
    expect(file.declarations).toMatchObject([{ type: "inventory", path: { value: 'inventory/multi"node' } }, { type: "secret", source: { value: { value: "X" } } }]);
  });

  it("reports a stray closing brace", () => {
    expect(parse("service a { on x } }", FILE).diagnostics.map((d) => [d.code, d.message])).toEqual([["UPG0103", "unexpected `}`"]]);
  });
});

describe("one error, where it belongs", () => {
  it.each([
    ["service s { ⟦rollling⟧ { batch 1 } }", "UPG0102"],
    ["service s { takes 5⟦x⟧ }", "UPG0106"],
    ["window w { from ⟦25:00⟧ }", "UPG0107"],
    ['plan "p" { start ⟦2026-13-01⟧T10:00 "UTC" }', "UPG0108"],
    ["hosts h = cmp⟦[9-1]⟧", "UPG0109"],
    ["window w { days ⟦mun⟧ }", "UPG0110"],
    ["service s { rolling { batch ⟦101%⟧ } }", "UPG0112"],
    ['window w { zone ⟦"Mars/Olympus"⟧ }', "UPG0114"],
    ["service s { upgrade ⟦[]⟧ }", "UPG0116"],
    ["secret s env ⟦'X'⟧", "UPG0118"],
    ['⟦note⟧ "abc', "UPG0102"],
  ])("%s gives %s", (source, code) => {
    expectError(source, code);
  });
});

describe("values checked in the AST builder", () => {
  it("reports a statement given twice with a label at the first", () => {
    const { diagnostics, ranges } = parseWithErrors("service s {\n  ⟦on a⟧\n  ⟦on b⟧\n}");
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ code: "UPG0111", message: "`on` given twice in service `s`", labels: [{ message: "first given here" }] });
    expectAt(diagnostics[0]?.span, ranges[1]);
    expectAt(diagnostics[0]?.labels?.[0]?.span, ranges[0]);
  });

  it("allows repeatable statements", () => {
    expect(codes("service s { after a after b tags x tags y skew needs-new a skew never-newer-than b rolling { max-unavailable 1 max-unavailable 1 per az } }")).toEqual([]);
    expect(codes("service s { rolling { max-unavailable 1 max-unavailable 2 } }")).toEqual(["UPG0111"]);
  });

  it("rejects unknown enumerated values with a suggestion", () => {
    const d = (source: string) => parse(source, FILE).diagnostics.map((x) => [x.code, x.message, x.help]);
    expect(d("service s { evacuate live-migrat }")).toEqual([["UPG0110", "unknown evacuation strategy `live-migrat`", "did you mean `live-migrate`?"]]);
    expect(d("service s { plane date }")).toEqual([["UPG0110", "unknown plane `date`", "did you mean `data`?"]]);
    expect(d("service s { rolling { order empty-frist } }")).toEqual([["UPG0110", "unknown order `empty-frist`", "did you mean `empty-first`?"]]);
    expect(d("service s { rolling { max-failures 1 per bach } }")).toEqual([["UPG0110", "unknown failure scope `bach`", "did you mean `batch`?"]]);
    expect(d("service s { rolling { deadline 1h on-deadline stopp } }")).toEqual([["UPG0110", "unknown deadline action `stopp`", "did you mean `stop`?"]]);
  });

  it("keeps health options to health checks", () => {
    const { diagnostics } = parseWithErrors('service s { upgrade ["x"] { every 5s } health ["y"] { every 5s } }');
    expect(diagnostics.map((d) => [d.code, d.message])).toEqual([["UPG0115", "`every` is an option of a health check only"]]);
  });

  it("rejects an empty command", () => {
    expect(codes("service s { upgrade [] }")).toEqual(["UPG0116"]);
    expect(codes('service s { upgrade shell "  " }')).toEqual(["UPG0116"]);
    expect(codes("service s { var empty = [] }")).toEqual([]);
  });

  it("asks for a command when a reboot has options besides takes", () => {
    expect(codes("service s { reboot { takes 5m } }")).toEqual([]);
    expect(codes("service s { reboot { timeout 5m } }")).toEqual(["UPG0115"]);
  });
});
