/**
 * Window occurrences in calendar time. Occurrences are computed with luxon in the window's
 * IANA zone, so daylight-saving changes come out right: on the night clocks go forward a
 * 01:30–03:30 window lasts one hour, on the night they go back three. A time that does not
 * exist (inside the spring gap) moves forward by the gap, as luxon does; an ambiguous time
 * (autumn) takes luxon's choice, the later (standard-time) instant, which can only shorten
 * the window. Overlapping or touching occurrences (a 24-hour window) merge into one.
 */
import { DateTime } from "luxon";
import type { ModelWindow } from "../model.js";

/** One occurrence, in epoch milliseconds. */
export interface OccurrenceMs {
  readonly openMs: number;
  readonly closeMs: number;
}

const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
const DAY_MS = 86_400_000;

type WindowShape = Pick<ModelWindow, "days" | "from" | "to" | "zone">;

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
    const open = at(day, window.from, window.zone);
    const close = at(crossesMidnight ? day.plus({ days: 1 }) : day, window.to, window.zone);
    if (close <= open || close <= fromMs || open >= toMs) continue;
    const prev = out[out.length - 1];
    if (prev && open <= prev.closeMs) out[out.length - 1] = { openMs: prev.openMs, closeMs: Math.max(prev.closeMs, close) };
    else out.push({ openMs: open, closeMs: close });
  }
  return out;
}

function at(day: DateTime, minutes: number, zone: string): number {
  return DateTime.fromObject({ year: day.year, month: day.month, day: day.day, hour: Math.floor(minutes / 60), minute: minutes % 60 }, { zone }).toMillis();
}

/** Seconds after plan start; open rounded up and close down, so a fit in seconds is a fit in time. */
export interface Occurrence {
  readonly open: number;
  readonly close: number;
  readonly openMs: number;
  readonly closeMs: number;
}

const CHUNK_DAYS = 28;
/** A chain that fits no occurrence within this long after it became ready fits none. */
const HORIZON_SECONDS = 400 * 86_400;

/**
 * One window's occurrences relative to the plan's start, extended lazily; answers "when is
 * the earliest start at or after t at which a job of this worst case fits?" by binary search.
 */
export class WindowCalendar {
  private readonly list: Occurrence[] = [];
  private coveredMs: number;

  constructor(
    readonly window: ModelWindow,
    private readonly planStartMs: number,
  ) {
    this.coveredMs = planStartMs;
  }

  occurrence(index: number): Occurrence | undefined {
    return this.list[index];
  }

  /** The earliest start ≥ from with open ≤ start and start + worst ≤ close − cutoff, or null when none within the horizon. */
  fit(from: number, worst: number): { start: number; occurrence: number } | null {
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

  private extendChunk(limit: number): boolean {
    const cap = this.planStartMs + (limit + 2 * 86_400) * 1000;
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
      this.list[this.list.length - 1] = this.toSeconds({ openMs: prev.openMs, closeMs: o.closeMs });
      return;
    }
    this.list.push(this.toSeconds(o));
  }

  private toSeconds(o: OccurrenceMs): Occurrence {
    return {
      open: Math.ceil((o.openMs - this.planStartMs) / 1000),
      close: Math.floor((o.closeMs - this.planStartMs) / 1000),
      openMs: o.openMs,
      closeMs: o.closeMs,
    };
  }
}

/** "22:00" from minutes after midnight. */
export function clock(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
}
