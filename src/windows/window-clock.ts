/**
 * The one clock of maintenance windows: where their occurrences lie in time and whether a
 * host's work may start in one. The compiler's scheduler, `run`, `resume` and `simulate`
 * all ask this module, so a plan's timeline and the runtime's decisions cannot drift apart
 * (a leaf: it imports neither the compiler nor the runtime).
 *
 * Occurrences are computed with luxon in the window's IANA zone, so daylight-saving changes
 * come out right: on the night clocks go forward a 22:00–06:00 window lasts seven hours, on
 * the night they go back nine. A wall time that does not exist (inside the spring-forward
 * gap) is taken as the instant the clocks jump (an opening at 02:30 opens at 03:00 new
 * time, that same night); the compiler warns about such a window. A wall time that exists
 * twice (the autumn repeated hour) is luxon's choice, the later (standard-time) instant,
 * which can only shorten a window, never lengthen it. Occurrences that overlap or touch (a window 00:00–24:00 every day) merge into
 * one: work may run across the seam. A mon..fri 22:00–06:00 window never touches itself
 * (Tuesday's occurrence closes at 06:00 and the next opens at 22:00).
 *
 * Admission: a host's chain (or what remains of it) may start at t in an occurrence when
 * its worst case (each health gate at its deadline) ends by the occurrence's close less the
 * window's cutoff; else it waits for the first later occurrence where it fits.
 */
import { DateTime } from "luxon";

/** A window as both the model and the plan file describe it, times in minutes after midnight. */
export interface WindowShape {
  readonly days: readonly string[];
  /** Minutes after midnight; 0–1439. */
  readonly from: number;
  /** Minutes after midnight, 1440 for 24:00; at or before `from` means the next day. */
  readonly to: number;
  readonly zone: string;
  /** Seconds before the close after which no work may still be running. */
  readonly cutoff: number;
}

/** One occurrence, in epoch milliseconds. */
export interface OccurrenceMs {
  readonly openMs: number;
  readonly closeMs: number;
  /** The opening's wall time does not exist that day (a spring-forward gap): it opens at the jump. */
  readonly openInGap?: boolean;
}

const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
const DAY_MS = 86_400_000;

/** "22:00" (or "24:00") → minutes after midnight. */
export function minutesOfClock(hhmm: string): number {
  const [h, m] = hhmm.split(":");
  return Number(h) * 60 + Number(m);
}

/** Minutes after midnight → "22:00". */
export function clockOfMinutes(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
}

/** A plan file's window ("HH:MM" times) as the shape this module computes with. */
export function shapeOfPlanWindow(w: { readonly days: readonly string[]; readonly from: string; readonly to: string; readonly zone: string; readonly cutoff: number }): WindowShape {
  return { days: w.days, from: minutesOfClock(w.from), to: minutesOfClock(w.to), zone: w.zone, cutoff: w.cutoff };
}

/** A step's worst case: a health gate may take up to its deadline, anything else its estimate. */
export function stepWorst(duration: number, healthWithin: number | null): number {
  return healthWithin === null ? duration : Math.max(duration, healthWithin);
}

/** Occurrences that end after `fromMs` and open before `toMs`, in order, merged where they touch. */
export function occurrencesBetween(window: WindowShape, fromMs: number, toMs: number): OccurrenceMs[] {
  const days = new Set<string>(window.days);
  const out: OccurrenceMs[] = [];
  // Start a day early: an overnight occurrence opened yesterday may still be open.
  const base = DateTime.fromMillis(fromMs, { zone: window.zone }).startOf("day").minus({ days: 1 });
  if (!base.isValid) return out;
  const crossesMidnight = window.to <= window.from;
  for (let i = 0; ; i++) {
    const day = base.plus({ days: i });
    if (day.toMillis() > toMs + DAY_MS) break;
    if (!days.has(WEEKDAYS[day.weekday - 1] ?? "")) continue;
    const open = wallInstant(day, window.from, window.zone);
    const close = wallInstant(crossesMidnight ? day.plus({ days: 1 }) : day, window.to, window.zone);
    if (close.ms <= open.ms || close.ms <= fromMs || open.ms >= toMs) continue;
    const prev = out[out.length - 1];
    if (prev && open.ms <= prev.closeMs) out[out.length - 1] = { ...prev, closeMs: Math.max(prev.closeMs, close.ms) };
    else out.push(open.inGap ? { openMs: open.ms, closeMs: close.ms, openInGap: true } : { openMs: open.ms, closeMs: close.ms });
  }
  return out;
}

/** The instant of a wall time on a day; a wall time inside a gap is the instant of the jump. */
function wallInstant(day: DateTime, minutes: number, zone: string): { ms: number; inGap: boolean } {
  const date = minutes >= 1440 ? day.plus({ days: Math.floor(minutes / 1440) }) : day;
  const m = minutes % 1440;
  const hour = Math.floor(m / 60);
  const minute = m % 60;
  const t = DateTime.fromObject({ year: date.year, month: date.month, day: date.day, hour, minute }, { zone });
  if (t.hour === hour && t.minute === minute) return { ms: t.toMillis(), inGap: false };
  // luxon moved a missing wall time forward by the gap; the jump lies between the two.
  return { ms: jumpBefore(t.toMillis(), zone), inGap: true };
}

/** The instant, at most a day before `ms`, from which the zone's offset is the one at `ms`. */
function jumpBefore(ms: number, zone: string): number {
  const offset = DateTime.fromMillis(ms, { zone }).offset;
  let lo = ms - DAY_MS;
  let hi = ms;
  if (DateTime.fromMillis(lo, { zone }).offset === offset) return ms;
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (DateTime.fromMillis(mid, { zone }).offset === offset) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** An occurrence in seconds after the calendar's origin: open rounded up and close down, so a fit in seconds is a fit in time. */
export interface Occurrence {
  readonly open: number;
  readonly close: number;
  readonly openMs: number;
  readonly closeMs: number;
  readonly openInGap: boolean;
}

/** Where and when work may start: at `start` (seconds after the origin), in occurrence `occurrence`. */
export interface Admission {
  readonly start: number;
  readonly occurrence: number;
}

const CHUNK_DAYS = 28;
/** Work that fits no occurrence within this long after it became ready fits none. */
const HORIZON_SECONDS = 400 * 86_400;

/**
 * One window's occurrences relative to an origin (the plan's start), extended lazily as
 * time goes on; `admit` answers by binary search. One per window per compile or run: it
 * caches what it computed, so asking costs a lookup, not a walk through the calendar.
 */
export class WindowCalendar {
  private readonly list: Occurrence[] = [];
  private coveredMs: number;

  constructor(
    readonly window: WindowShape,
    private readonly originMs: number,
  ) {
    this.coveredMs = originMs;
  }

  occurrence(index: number): Occurrence | undefined {
    return this.list[index];
  }

  /** Seconds after the origin of an epoch instant. */
  secondsOf(ms: number): number {
    return (ms - this.originMs) / 1000;
  }

  /** The epoch instant of seconds after the origin. */
  msOf(seconds: number): number {
    return this.originMs + seconds * 1000;
  }

  /**
   * The earliest start ≥ `from` (seconds after the origin) at which work whose worst case is
   * `worst` seconds fits: open ≤ start and start + worst ≤ close − cutoff. null when it fits
   * no occurrence within the horizon (a window too short for the work).
   */
  admit(from: number, worst: number): Admission | null {
    const need = worst + this.window.cutoff;
    const limit = Math.max(0, from) + HORIZON_SECONDS;
    while ((this.list[this.list.length - 1]?.close ?? -Infinity) < from + need && this.extendChunk(limit));
    let lo = 0;
    let hi = this.list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.list[mid]?.close ?? Infinity) < from + need) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; ; i++) {
      while (i >= this.list.length) if (!this.extendChunk(limit)) return null;
      let occ = this.list[i] as Occurrence;
      // A touching occurrence in the days not yet computed could still merge into this one.
      while (this.coveredMs < occ.closeMs + DAY_MS && this.extendChunk(limit)) occ = this.list[i] as Occurrence;
      if (occ.open > limit) return null;
      const start = Math.max(from, occ.open);
      if (start + need <= occ.close) return { start, occurrence: i };
    }
  }

  /** The occurrence open at `at` (seconds after the origin), or -1. */
  openAt(at: number): number {
    while ((this.list[this.list.length - 1]?.close ?? -Infinity) <= at && this.extendChunk(Math.max(0, at) + 8 * 86_400));
    for (let i = 0; i < this.list.length; i++) {
      const o = this.list[i] as Occurrence;
      if (o.open <= at && at < o.close) return i;
      if (o.open > at) break;
    }
    return -1;
  }

  private extendChunk(limit: number): boolean {
    const cap = this.originMs + (limit + 2 * 86_400) * 1000;
    if (this.coveredMs >= cap) return false;
    const to = Math.min(this.coveredMs + CHUNK_DAYS * DAY_MS, cap);
    for (const o of occurrencesBetween(this.window, this.coveredMs, to)) this.append(o);
    this.coveredMs = to;
    return true;
  }

  private append(o: OccurrenceMs): void {
    const prev = this.list[this.list.length - 1];
    if (prev && o.openMs <= prev.closeMs) {
      if (o.closeMs <= prev.closeMs) return;
      this.list[this.list.length - 1] = this.toSeconds({ openMs: prev.openMs, closeMs: o.closeMs, openInGap: prev.openInGap });
      return;
    }
    this.list.push(this.toSeconds(o));
  }

  private toSeconds(o: OccurrenceMs): Occurrence {
    return {
      open: Math.ceil((o.openMs - this.originMs) / 1000),
      close: Math.floor((o.closeMs - this.originMs) / 1000),
      openMs: o.openMs,
      closeMs: o.closeMs,
      openInGap: o.openInGap === true,
    };
  }
}
