/**
 * Durations, offsets and calendar times as the previews print them. Calendar times are
 * shown in the plan's zone with a fixed locale, so a preview does not depend on where it
 * is rendered.
 */
import { DateTime, Duration } from "luxon";


/** A clock for one plan: offsets in seconds to calendar times in the plan's zone. */
export interface PlanClock {
  at(offset: number): DateTime;
  /** `Fri 2026-12-04 22:00`; a wall time in the repeated hour (clocks going back) gets its offset: `Sun 2026-10-25 02:30+01:00`. The same for `short` and `time`. */
  long(offset: number): string;
  /** `Fri 22:00` */
  short(offset: number): string;
  /** `22:00` */
  time(offset: number): string;
  /** `Fri 2026-12-04 22:00 +01:00`: always with the offset, once. */
  stamp(offset: number): string;
  /** The zone's offset at that instant, e.g. `+01:00` (abbreviations depend on the platform's ICU data). */
  abbreviation(offset: number): string;
  /** Whether two offsets fall on the same calendar day in the plan's zone, as luxon's `hasSame(…, "day")` says. */
  sameDay(a: number, b: number): boolean;
  /** Seconds from the plan's start to an ISO time. */
  offsetOf(iso: string): number;
}

/** The last instant a JavaScript Date (and luxon) can hold, in milliseconds either side of 1970. */
const LAST_INSTANT = 8.64e15;

/** A calendar day as instants (epoch milliseconds): its first and its last. */
interface Day {
  readonly first: number;
  readonly last: number;
}

export function planClock(startIso: string, zone: string): PlanClock {
  const parsed = DateTime.fromISO(startIso, { setZone: true });
  const zoned = parsed.setZone(zone);
  const start = (zoned.isValid ? zoned : parsed).setLocale("en-US");
  // A preview asks for the same instants many times (a batch ends when the next starts), and
  // each zone-aware step of luxon's asks Intl for the zone's offset: remember them, and what
  // they print as.
  const instants = new Map<number, DateTime>();
  const zoneOptions = { zone: start.zone, locale: start.locale ?? undefined, numberingSystem: start.numberingSystem ?? undefined, outputCalendar: start.outputCalendar ?? undefined };
  const at = (offset: number): DateTime => {
    let dt = instants.get(offset);
    if (dt === undefined) {
      // `start.plus({ seconds: offset })`, which goes through the start's local time and asks
      // Intl for the zone's offset twice: the same milliseconds added to the instant, and the
      // zone asked once.
      const ms = start.toMillis() + Duration.fromObject({ seconds: offset }).as("milliseconds");
      dt = start.isValid && Math.abs(ms) <= LAST_INSTANT ? DateTime.fromMillis(ms, zoneOptions) : start.plus({ seconds: offset });
      instants.set(offset, dt);
    }
    return dt;
  };
  const repeated = (dt: DateTime): boolean => dt.isValid && dt.getPossibleOffsets().length > 1;
  const formatted = (format: string): ((offset: number) => string) => {
    const wallTime = format.includes("HH:mm") && !format.includes("ZZ");
    const texts = new Map<number, string>();
    return (offset) => {
      let text = texts.get(offset);
      if (text === undefined) {
        const dt = at(offset);
        // In the hour clocks go back, a wall time happens twice: say which, by its offset.
        text = dt.toFormat(format) + (wallTime && repeated(dt) ? dt.toFormat("ZZ") : "");
        texts.set(offset, text);
      }
      return text;
    };
  };
  // A plan spans a few days, and a preview asks whether hundreds of pairs of instants share
  // one: each day's bounds are asked of luxon once (so the zone's DST changes stay luxon's),
  // and an instant is then placed among the days already known.
  const days: Day[] = [];
  const dayOf = (offset: number): Day => {
    const ms = at(offset).toMillis();
    const known = days.find((d) => d.first <= ms && ms <= d.last);
    if (known) return known;
    const first = at(offset).startOf("day");
    const last = at(offset).endOf("day");
    const day = { first: first.toMillis(), last: last.toMillis() };
    // Where DST sets the clocks back across midnight, that midnight comes twice, and luxon picks
    // one by the offset of the instant it starts from: the bounds then depend on the instant, and
    // the day is not shared. Checking the bounds from the day's first and last instants covers
    // both offsets.
    const shared = [first, last].every((dt) => dt.startOf("day").toMillis() === day.first && dt.endOf("day").toMillis() === day.last);
    if (shared) days.push(day);
    return day;
  };
  return {
    at,
    long: formatted("ccc yyyy-MM-dd HH:mm"),
    short: formatted("ccc HH:mm"),
    time: formatted("HH:mm"),
    abbreviation: formatted("ZZ"),
    stamp: formatted("ccc yyyy-MM-dd HH:mm ZZ"),
    sameDay: (a, b) => {
      const day = dayOf(a);
      const ms = at(b).toMillis();
      return day.first <= ms && ms <= day.last;
    },
    offsetOf: (iso) => Math.round(DateTime.fromISO(iso, { setZone: true }).diff(start, "seconds").seconds),
  };
}

/** A share as a whole percentage, rounded down (a 99.9% minimum is not 100%). */
export function formatShare(share: number): string {
  return `${Math.floor(share * 100 + 1e-9)}%`;
}
