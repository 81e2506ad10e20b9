import { describe, expect, it } from "vitest";
import type { ServiceDecl, WindowDecl } from "../../src/parser/ast.js";
import { expectAt, only, parseOk, parseWithErrors } from "./helpers.js";

function takes(source: string): ServiceDecl["takes"] {
  return only(parseOk(`service s { takes ${source} }`).file, "service").takes;
}

describe("durations", () => {
  it.each([
    ["30s", 30],
    ["5m", 300],
    ["2h", 7200],
    ["1d", 86400],
    ["1h30m", 5400],
    ["1d2h3m4s", 93784],
    ["0s", 0],
  ])("%s is %i seconds", (text, seconds) => {
    expect(takes(text)).toMatchObject({ kind: "duration", seconds, text });
  });

  it("has the span of its token", () => {
    const { file, ranges } = parseOk("service s { takes ⟦1h30m⟧ }");
    expectAt(only(file, "service").takes, ranges[0]);
  });

  it("rejects an unknown unit, pointing at the unit", () => {
    const { diagnostics, ranges } = parseWithErrors("service s { takes 5⟦x⟧ }");
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ code: "UPG0106", message: "unknown duration unit `x` in `5x`" });
    expect(diagnostics[0]?.help).toContain("`30s`");
    expectAt(diagnostics[0]?.span, ranges[0]);
  });

  it("rejects units out of order and a bare number", () => {
    expect(parseWithErrors("service s { takes 30m1h }").diagnostics.map((d) => d.code)).toEqual(["UPG0106"]);
    const bare = parseWithErrors("service s { takes ⟦30⟧ }");
    expect(bare.diagnostics[0]).toMatchObject({ code: "UPG0106", message: "duration `30` has no unit" });
    expect(bare.diagnostics[0]?.help).toContain("`30m`");
    expectAt(bare.diagnostics[0]?.span, bare.ranges[0]);
  });
});

describe("amounts", () => {
  it("reads integers and percentages with their spans", () => {
    const { file, ranges } = parseOk("service s { rolling { batch ⟦1⟧, ⟦5%⟧, ⟦100%⟧ } }");
    const batch = only(file, "service").rolling?.batch ?? [];
    expect(batch.map((a) => (a.kind === "int" ? a.value : `${a.percent}%`))).toEqual([1, "5%", "100%"]);
    batch.forEach((a, i) => expectAt(a, ranges[i]));
  });

  it("rejects a percentage over 100 and an integer too large", () => {
    expect(parseWithErrors("service s { rolling { batch 101% } }").diagnostics.map((d) => d.code)).toEqual(["UPG0112"]);
    expect(parseWithErrors("plan \"p\" { parallelism 99999999999999999999 }").diagnostics.map((d) => d.code)).toEqual(["UPG0113"]);
  });
});

describe("times of day and days", () => {
  function window(body: string): WindowDecl {
    return only(parseOk(`window w { ${body} }`).file, "window");
  }

  it("reads from/to, with 24:00 as the end of the day", () => {
    const w = window("from 22:00 to 06:30");
    expect(w.from).toMatchObject({ hour: 22, minute: 0 });
    expect(w.to).toMatchObject({ hour: 6, minute: 30 });
    expect(window("from 00:00 to 24:00").to).toMatchObject({ hour: 24, minute: 0 });
  });

  it.each(["24:01", "25:00", "12:60", "7:5"])("rejects %s", (time) => {
    const { diagnostics } = parseWithErrors(`window w { from ${time} }`);
    expect(diagnostics.map((d) => d.code)).toEqual(["UPG0107"]);
  });

  it("reads day lists and ranges, wrapping ranges too", () => {
    const { file, ranges } = parseOk("window w { days ⟦mon..fri⟧, ⟦sun⟧, ⟦fri..mon⟧ }");
    const days = only(file, "window").days;
    expect(days.map((d) => [d.from, d.to])).toEqual([
      ["mon", "fri"],
      ["sun", "sun"],
      ["fri", "mon"],
    ]);
    days.forEach((d, i) => expectAt(d, ranges[i]));
  });

  it("suggests the day meant", () => {
    const { diagnostics, ranges } = parseWithErrors("window w { days mon..⟦frii⟧, ⟦monday⟧ }");
    expect(diagnostics.map((d) => [d.code, d.message, d.help])).toEqual([
      ["UPG0110", "unknown day `frii`", "did you mean `fri`?"],
      ["UPG0110", "unknown day `monday`", "did you mean `mon`?"],
    ]);
    expectAt(diagnostics[0]?.span, ranges[0]);
    expectAt(diagnostics[1]?.span, ranges[1]);
  });
});

describe("date-times and zones", () => {
  it("reads a start with its zone", () => {
    const { file, ranges } = parseOk('plan "p" { ⟦start ⟦2026-12-05T22:00⟧ ⟦"Europe/Berlin"⟧⟧ }');
    const start = only(file, "plan").start;
    expect(start?.at).toMatchObject({ year: 2026, month: 12, day: 5, hour: 22, minute: 0 });
    expect(start?.zone.value).toBe("Europe/Berlin");
    expectAt(start, ranges[0]);
    expectAt(start?.at, ranges[1]);
    expectAt(start?.zone, ranges[2]);
  });

  it("rejects a date that is not in the calendar", () => {
    const { diagnostics } = parseWithErrors('plan "p" { start 2026-02-30T22:00 "UTC" }');
    expect(diagnostics.map((d) => [d.code, d.message])).toEqual([["UPG0108", "`2026-02-30` is not a calendar date"]]);
    expect(parseWithErrors('plan "p" { start 2028-02-29T23:59 "UTC" }').diagnostics).toEqual([]);
    expect(parseWithErrors('plan "p" { start 2026-12-05T24:00 "UTC" }').diagnostics.map((d) => d.code)).toEqual(["UPG0108"]);
  });

  it("validates IANA zones, suggesting the nearest", () => {
    const { diagnostics } = parseWithErrors('window w { zone "Europe/Berln" }');
    expect(diagnostics.map((d) => [d.code, d.message, d.help])).toEqual([["UPG0114", "unknown time zone `Europe/Berln`", "did you mean `Europe/Berlin`?"]]);
    expect(parseWithErrors('window w { zone "America/Argentina/Buenos_Aires" }').diagnostics).toEqual([]);
  });
});

describe("strings", () => {
  function note(literal: string): string | undefined {
    return only(parseOk(`checkpoint c before expand { note ${literal} }`).file, "checkpoint").note?.value;
  }

  it("decodes escapes", () => {
    expect(note(String.raw`"a \"b\" \\ c\nd\te"`)).toBe('a "b" \\ c\nd\te');
    expect(note(String.raw`"smile \u{1F600} \u{e9}"`)).toBe("smile 😀 é");
    expect(note('""')).toBe("");
    expect(note('"# not a comment"')).toBe("# not a comment");
  });

  it("reports a bad escape at the escape, keeping the rest", () => {
    const { diagnostics, ranges, file } = parseWithErrors(String.raw`checkpoint c before expand { note "a ⟦\q⟧ b" }`);
    expect(diagnostics.map((d) => [d.code, d.message])).toEqual([["UPG0105", "unknown escape `\\q` in string"]]);
    expectAt(diagnostics[0]?.span, ranges[0]);
    expect(only(file, "checkpoint").note?.value).toBe("a q b");
  });

  it("reports a bad unicode escape", () => {
    const { diagnostics } = parseWithErrors(String.raw`checkpoint c before expand { note "\u{110000} \u12" }`);
    expect(diagnostics.map((d) => d.code)).toEqual(["UPG0105", "UPG0105"]);
  });

  it("reports an unterminated string once, and goes on with the next line", () => {
    const { diagnostics } = parseWithErrors('checkpoint c before expand {\n  note "abc\n  run ["true"]\n}\nservice s { takes 5x }');
    expect(diagnostics.map((d) => d.code)).toEqual(["UPG0104", "UPG0106"]);
  });
});

describe("host items", () => {
  function on(text: string) {
    return only(parseOk(`service s { on ${text} }`).file, "service").on?.items ?? [];
  }

  it("keeps zero padding from the lower bound", () => {
    expect(on("cmp[001-240]")).toMatchObject([{ kind: "range", prefix: "cmp", suffix: "", from: 1, to: 240, width: 3 }]);
    expect(on("cmp[001:240]")).toMatchObject([{ kind: "range", from: 1, to: 240, width: 3 }]);
    expect(on("cmp[1-3]")).toMatchObject([{ kind: "range", from: 1, to: 3, width: 0 }]);
    expect(on("cmp[0-9]")).toMatchObject([{ kind: "range", from: 0, to: 9, width: 0 }]);
    expect(on("cmp[08-10]")).toMatchObject([{ kind: "range", from: 8, to: 10, width: 2 }]);
  });

  it("keeps a suffix and reads names with dots", () => {
    expect(on("cmp[1-3].example.com, ctl01.example.com, compute")).toMatchObject([
      { kind: "range", prefix: "cmp", suffix: ".example.com", from: 1, to: 3 },
      { kind: "name", name: "ctl01.example.com" },
      { kind: "name", name: "compute" },
    ]);
  });

  it("gives each item its span", () => {
    const { file, ranges } = parseOk("service s { on ⟦⟦a[1-2].x⟧, ⟦b⟧⟧ }");
    const on = only(file, "service").on;
    expectAt(on, ranges[0]);
    expectAt(on?.items[0], ranges[1]);
    expectAt(on?.items[1], ranges[2]);
  });

  it.each([
    ["cmp[3-1]", "host range `[3-1]` runs backwards"],
    ["cmp[1-]", "invalid host range `[1-]`"],
    ["cmp[a-b]", "invalid host range `[a-b]`"],
  ])("rejects %s", (text, message) => {
    const { diagnostics } = parseWithErrors(`service s { on ${text} }`);
    expect(diagnostics.map((d) => [d.code, d.message])).toEqual([["UPG0109", message]]);
  });
});
