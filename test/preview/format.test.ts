import fc from "fast-check";
import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { compareHostNames, hostRuns, numbered, summariseHosts } from "../../src/preview/host-list.js";
import { formatDuration, formatOffset } from "../../src/base/duration.js";
import { formatShare, planClock } from "../../src/preview/time-format.js";
import { commandText } from "../../src/preview/command-text.js";

describe("host lists", () => {
  it("splits a name around its last run of digits as /^(.*?)(\\d+)(\\D*)$/ does", () => {
    const reference = (name: string) => {
      const m = /^(.*?)(\d+)(\D*)$/.exec(name);
      if (!m || (m[2] ?? "").length > 15) return null;
      return { prefix: m[1], digits: m[2], suffix: m[3], value: Number(m[2]) };
    };
    const name = fc.array(fc.constantFrom("a", "z", "-", ".", "0", "1", "9", "٣", "é", "\n"), { maxLength: 24 }).map((c) => c.join(""));
    fc.assert(
      fc.property(fc.oneof(name, fc.string()), (n) => {
        expect(numbered(n)).toEqual(reference(n));
      }),
      { numRuns: 1000 },
    );
    expect(numbered("cmp0042-b")).toEqual({ prefix: "cmp", digits: "0042", suffix: "-b", value: 42 });
    expect(numbered("x1234567890123456")).toBeNull();
  });
  it("folds consecutive numbered names into ranges, keeping zero padding", () => {
    expect(hostRuns(["cmp003", "cmp001", "cmp002", "cmp010", "ctl01"])).toEqual(["cmp001..cmp003", "cmp010", "ctl01"]);
  });
  it("does not fold names of different widths or stems", () => {
    expect(hostRuns(["cmp9", "cmp10", "cmp11", "cmp010", "cmp011", "cmp012"])).toEqual(["cmp9..cmp11", "cmp010..cmp012"]);
    expect(hostRuns(["stor02", "stor01"])).toEqual(["stor01", "stor02"]);
    expect(hostRuns(["a1.x", "a2.y"])).toEqual(["a1.x", "a2.y"]);
  });
  it("orders naturally", () => {
    expect(["cmp10", "cmp2", "cmp1"].sort(compareHostNames)).toEqual(["cmp1", "cmp2", "cmp10"]);
  });
  it("summarises with a count and stays short for huge lists", () => {
    expect(summariseHosts(["ctl01"])).toBe("ctl01");
    expect(summariseHosts(Array.from({ length: 12 }, (_, i) => `cmp${String(i + 1).padStart(3, "0")}`))).toBe("cmp001..cmp012 (12 hosts)");
    const scattered = Array.from({ length: 5000 }, (_, i) => `cmp${String(i * 2 + 1).padStart(5, "0")}`);
    const text = summariseHosts(scattered);
    expect(text).toMatch(/^cmp00001, cmp00003, cmp00005, cmp00007, … 4996 more ranges \(5000 hosts\)$/);
    expect(summariseHosts([])).toBe("no hosts");
  });
});

describe("times", () => {
  it("formats durations compactly", () => {
    expect([0, 30, 60, 284, 3600, 3660, 93_420, 400_000].map(formatDuration)).toEqual(["0s", "30s", "1m", "4m44s", "1h", "1h1m", "25h57m", "4d15h6m"]);
    expect(formatOffset(4800)).toBe("+1h20m");
  });
  it("shows calendar times in the plan's zone across a daylight-saving change", () => {
    const clock = planClock("2026-03-28T22:00:00.000+01:00", "Europe/Berlin");
    expect(clock.long(0)).toBe("Sat 2026-03-28 22:00");
    expect(clock.abbreviation(0)).toBe("+01:00");
    // 12 hours later the clocks have gone forward: 11:00 local, not 10:00.
    expect(clock.long(12 * 3600)).toBe("Sun 2026-03-29 11:00");
    expect(clock.abbreviation(12 * 3600)).toBe("+02:00");
    expect(clock.offsetOf("2026-03-29T11:00:00+02:00")).toBe(12 * 3600);
  });
  it("remembers instants and days as luxon computes them, across DST changes, midnight ones included", () => {
    // Days around DST changes: Berlin's at 02:00 and 03:00; Havana's at midnight, forward
    // (00:00 → 01:00) and back (01:00 → 00:00, so that midnight comes twice); Santiago and
    // Cairo going back from 24:00 to 23:00.
    const changes = [
      ["Europe/Berlin", "2026-03-29"],
      ["Europe/Berlin", "2026-10-25"],
      ["America/Havana", "2024-03-10"],
      ["America/Havana", "2024-11-03"],
      ["America/Santiago", "2024-04-07"],
      ["America/Santiago", "2024-09-08"],
      ["Africa/Cairo", "2024-10-31"],
    ] as const;
    const offsets = fc.array(fc.oneof(fc.integer({ min: 0, max: 4 * 1440 }).map((m) => m * 60), fc.integer({ min: 0, max: 4 * 86_400 })), { minLength: 1, maxLength: 30 });
    fc.assert(
      fc.property(fc.constantFrom(...changes), fc.integer({ min: 0, max: 3 * 1440 }), offsets, ([zone, date], before, seconds) => {
        const start = DateTime.fromISO(date, { zone }).minus({ minutes: before }).setLocale("en-US");
        const clock = planClock(start.toISO() ?? "", zone);
        seconds.forEach((a, i) => {
          const at = start.plus({ seconds: a });
          expect(clock.at(a).toMillis()).toBe(at.toMillis());
          // A wall time of the repeated hour (clocks going back) carries its offset.
          const repeated = at.getPossibleOffsets().length > 1;
          expect(clock.long(a)).toBe(at.toFormat("ccc yyyy-MM-dd HH:mm") + (repeated ? at.toFormat("ZZ") : ""));
          for (const b of [seconds[(i * 7 + 3) % seconds.length] ?? 0, seconds[(i + 1) % seconds.length] ?? 0]) {
            expect(clock.sameDay(a, b)).toBe(at.hasSame(start.plus({ seconds: b }), "day"));
          }
        });
      }),
      { numRuns: 300 },
    );
  });
  it("rounds shares down", () => {
    expect(formatShare(2 / 3)).toBe("66%");
    expect(formatShare(0.999)).toBe("99%");
    expect(formatShare(1)).toBe("100%");
  });
});

describe("commands", () => {
  it("quotes arguments a shell would split", () => {
    expect(commandText({ kind: "argv", argv: ["sh", "-c", "mysql < /b.sql"] })).toBe('sh -c "mysql < /b.sql"');
    expect(commandText({ kind: "shell", script: "a && b" })).toBe('shell "a && b"');
    expect(commandText({ kind: "module", module: "./lb.ts", export: "drain" })).toBe("uses ./lb.ts#drain");
  });
});
