import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { buildPlan } from "../../src/compiler/build-plan.js";
import { WindowCalendar, occurrencesBetween } from "../../src/windows/window-clock.js";
import type { PlanFile } from "../../src/plan/plan.js";
import { action, model, service, window } from "../compiler/model-builder.js";

const berlin = (iso: string): number => DateTime.fromISO(iso, { zone: "Europe/Berlin" }).toMillis();
const NOW = new Date("2026-03-20T12:00:00Z");

describe("window occurrences across daylight-saving changes (Europe/Berlin)", () => {
  const w = window("night", { days: ["sun"], from: 90, to: 210 }); // 01:30–03:30

  it("lasts one hour on the night clocks go forward", () => {
    const [occ] = occurrencesBetween(w, berlin("2026-03-28T12:00"), berlin("2026-03-30T00:00"));
    expect(occ).toBeDefined();
    expect(DateTime.fromMillis(occ?.openMs ?? 0, { zone: "Europe/Berlin" }).toISO()).toBe("2026-03-29T01:30:00.000+01:00");
    expect(DateTime.fromMillis(occ?.closeMs ?? 0, { zone: "Europe/Berlin" }).toISO()).toBe("2026-03-29T03:30:00.000+02:00");
    expect(((occ?.closeMs ?? 0) - (occ?.openMs ?? 0)) / 60_000).toBe(60);
  });

  it("lasts three hours on the night clocks go back", () => {
    const [occ] = occurrencesBetween(w, berlin("2026-10-24T12:00"), berlin("2026-10-26T00:00"));
    expect(DateTime.fromMillis(occ?.openMs ?? 0, { zone: "Europe/Berlin" }).toISO()).toBe("2026-10-25T01:30:00.000+02:00");
    expect(DateTime.fromMillis(occ?.closeMs ?? 0, { zone: "Europe/Berlin" }).toISO()).toBe("2026-10-25T03:30:00.000+01:00");
    expect(((occ?.closeMs ?? 0) - (occ?.openMs ?? 0)) / 60_000).toBe(180);
  });

  it("fits by real elapsed time: 90 minutes do not fit in March, wait a week; they fit in October", () => {
    const march = new WindowCalendar(w, berlin("2026-03-28T12:00"));
    const fit = march.admit(0, 90 * 60);
    const at = berlin("2026-03-28T12:00") + (fit?.start ?? 0) * 1000;
    expect(DateTime.fromMillis(at, { zone: "Europe/Berlin" }).toISO()).toBe("2026-04-05T01:30:00.000+02:00");
    const october = new WindowCalendar(w, berlin("2026-10-24T12:00"));
    const fit2 = october.admit(0, 170 * 60);
    expect(DateTime.fromMillis(berlin("2026-10-24T12:00") + (fit2?.start ?? 0) * 1000, { zone: "Europe/Berlin" }).toISO()).toBe("2026-10-25T01:30:00.000+02:00");
  });

  it("respects the cutoff and overnight windows", () => {
    const nightly = window("nightly", { days: ["mon", "tue", "wed", "thu", "fri"], from: 22 * 60, to: 6 * 60, cutoff: 30 * 60 });
    // plan starts Friday 23:00; Friday's occurrence runs to Saturday 06:00
    const start = berlin("2026-12-04T23:00");
    const cal = new WindowCalendar(nightly, start);
    expect(cal.admit(0, 6 * 3600)?.start).toBe(0); // 23:00 + 6h = 05:00 ≤ 05:30
    // 7h does not fit before 05:30; next opening is Monday 22:00
    const next = cal.admit(0, 7 * 3600);
    expect(DateTime.fromMillis(start + (next?.start ?? 0) * 1000, { zone: "Europe/Berlin" }).toISO()).toBe("2026-12-07T22:00:00.000+01:00");
    // longer than any occurrence: never
    expect(cal.admit(0, 8 * 3600)).toBeNull();
  });

  it("schedules a windowed rollout into the window, lists the occurrences used, and assumes the next opening as start", () => {
    const w2 = window("night", { days: ["sun"], from: 90, to: 210 });
    const m = model({
      plan: { start: null },
      windows: [w2],
      services: [service("api", { hosts: ["a1", "a2"], window: "night", actions: { upgrade: action(["up"], { takes: 70 * 60 }) } })],
    });
    const result = buildPlan(m, { now: NOW, compilerVersion: "0.1.0" });
    expect(result.diagnostics.filter((d) => d.severity !== "note")).toEqual([]);
    const plan = result.value as PlanFile;
    expect(plan.plan.startSource).toBe("assumed");
    expect(plan.plan.start).toBe("2026-03-22T01:30:00.000+01:00");
    expect(plan.plan.zone).toBe("Europe/Berlin");
    // 70 minutes a host, one at a time: the first on the 22nd; the second no longer fits that
    // night, nor on the 29th (clocks go forward: one hour), so it goes on April 5th
    expect(plan.timing.windowsUsed.map((o) => o.start)).toEqual(["2026-03-22T01:30:00.000+01:00", "2026-04-05T01:30:00.000+02:00"]);
    const ups = plan.steps.filter((s) => s.action === "upgrade");
    expect(ups.map((s) => s.window)).toEqual(["night", "night"]);
    expect(ups[1]?.estimate.start).toBe(14 * 86_400 - 3600);
    // urgent: the window is waived
    const urgent = buildPlan({ ...m, plan: { ...m.plan, urgent: true } }, { now: NOW, compilerVersion: "0.1.0" }).value as PlanFile;
    expect(urgent.steps.filter((s) => s.action === "upgrade").map((s) => [s.estimate.start, s.window])).toEqual([
      [0, null],
      [4200, null],
    ]);
    expect(urgent.plan.start).toBe("2026-03-20T13:00:00.000+01:00");
    expect(urgent.timing.windowsUsed).toEqual([]);
  });

  it("reports a chain that fits no occurrence", () => {
    const m = model({
      windows: [window("short", { from: 60, to: 120 })],
      services: [service("api", { hosts: ["a1"], window: "short", actions: { upgrade: action(["up"], { takes: 3 * 3600 }) } })],
    });
    const result = buildPlan(m, { now: NOW, compilerVersion: "0.1.0" });
    expect(result.value).toBeNull();
    expect(result.diagnostics.filter((d) => d.severity === "error").map((d) => d.code)).toEqual(["UPG0582"]);
  });

  it("warns about a window that opens inside the spring-forward gap, and opens it that same night when the clocks jump", () => {
    const m = model({
      plan: { start: { local: "2026-03-28T12:00", zone: "Europe/Berlin", span: { file: "t", start: 0, end: 1 } } },
      windows: [window("late", { days: ["sun"], from: 150, to: 300 })], // 02:30–05:00
      services: [service("api", { hosts: ["a1"], window: "late", actions: { upgrade: action(["up"], { takes: 3600 }) } })],
    });
    const result = buildPlan(m, { now: NOW, compilerVersion: "0.1.0" });
    const warnings = result.diagnostics.filter((d) => d.code === "UPG0587");
    expect(warnings.map((d) => d.message)).toEqual([
      "window `late` opens at 02:30, which does not exist on Sun 2026-03-29 in Europe/Berlin (clocks go forward): that night it opens at 03:00 +02:00",
    ]);
    const plan = result.value as PlanFile;
    // Not moved a week: the occurrence used is that same night, from the jump to 05:00.
    expect(plan.timing.windowsUsed.map((o) => [o.start, o.end])).toEqual([["2026-03-29T03:00:00.000+02:00", "2026-03-29T05:00:00.000+02:00"]]);
  });
});

describe("touching occurrences", () => {
  const day = (iso: string): number => DateTime.fromISO(iso, { zone: "UTC" }).toMillis();
  it("merge when a window is open all day every day (00:00–24:00): work may run across midnight", () => {
    const allDay = window("always", { from: 0, to: 1440, zone: "UTC" });
    expect(occurrencesBetween(allDay, day("2026-06-01T00:00"), day("2026-06-04T00:00"))).toEqual([{ openMs: day("2026-06-01T00:00"), closeMs: day("2026-06-04T00:00") }]);
    const cal = new WindowCalendar(allDay, day("2026-06-01T12:00"));
    // 30 hours fit from noon: the occurrence runs on through the next midnight.
    expect(cal.admit(0, 30 * 3600)).toEqual({ start: 0, occurrence: 0 });
  });

  it("do not merge for a weeknight window: Tuesday 06:00 closes one occurrence, 22:00 opens the next", () => {
    const nightly = window("nightly", { days: ["mon", "tue", "wed", "thu", "fri"], from: 22 * 60, to: 6 * 60, zone: "UTC" });
    const occ = occurrencesBetween(nightly, day("2026-06-01T00:00"), day("2026-06-03T00:00"));
    expect(occ.map((o) => [new Date(o.openMs).toISOString(), new Date(o.closeMs).toISOString()])).toEqual([
      ["2026-06-01T22:00:00.000Z", "2026-06-02T06:00:00.000Z"],
      ["2026-06-02T22:00:00.000Z", "2026-06-03T06:00:00.000Z"],
    ]);
  });
});
