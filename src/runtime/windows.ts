/**
 * Maintenance windows in their own time zone (luxon does the zone arithmetic, daylight
 * saving included). An occurrence opens on one of the window's days at `from` and closes at
 * `to`, the next day when `to` is at or before `from`.
 */
import { DateTime } from "luxon";
import type { PlanWindow } from "../plan/plan.js";

export interface Occurrence {
  /** Epoch milliseconds. */
  readonly start: number;
  readonly end: number;
}

const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(":");
  return Number(h) * 60 + Number(m);
}

/** Occurrences whose opening day lies from the day before `at` to `days` days after it, in order. */
function occurrencesAround(window: PlanWindow, at: number, days: number): Occurrence[] {
  const from = minutes(window.from);
  const to = minutes(window.to);
  const base = DateTime.fromMillis(at, { zone: window.zone }).startOf("day");
  const out: Occurrence[] = [];
  for (let d = -1; d <= days; d++) {
    const day = base.plus({ days: d });
    if (!window.days.includes(WEEKDAYS[day.weekday - 1] ?? "")) continue;
    const start = day.set({ hour: Math.floor(from / 60), minute: from % 60 });
    const endDay = to <= from ? day.plus({ days: 1 }) : day;
    const end = endDay.set({ hour: Math.floor(to / 60), minute: to % 60 });
    out.push({ start: start.toMillis(), end: end.toMillis() });
  }
  return out;
}

/** The occurrence open at `at`, or null. */
export function openOccurrence(window: PlanWindow, at: number): Occurrence | null {
  return occurrencesAround(window, at, 1).find((o) => o.start <= at && at < o.end) ?? null;
}

/**
 * The first moment at or after `at` when work needing `needMs` may start in this window: in
 * an open occurrence if it fits before its end minus the cutoff, else at the opening of the
 * first later occurrence where it fits. null when it fits in none (a window shorter than
 * the work): the caller reports that rather than waiting for ever.
 */
export function nextStart(window: PlanWindow, at: number, needMs: number): { start: number; occurrence: Occurrence } | null {
  const cutoff = window.cutoff * 1000;
  for (const o of occurrencesAround(window, at, 15)) {
    if (o.end <= at) continue;
    const start = Math.max(o.start, at);
    if (start + needMs <= o.end - cutoff) return { start, occurrence: o };
  }
  return null;
}
