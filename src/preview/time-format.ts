/**
 * Durations, offsets and calendar times as the previews print them. Calendar times are
 * shown in the plan's zone with a fixed locale, so a preview does not depend on where it
 * is rendered.
 */
import { DateTime } from "luxon";

/** `30s`, `4m44s`, `12m`, `5h12m`, `26h5m`, `4d3h`: compact, seconds only under an hour, days only past three. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const days = s >= 259_200 ? Math.floor(s / 86_400) : 0;
  const hours = Math.floor((s - days * 86_400) / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const secs = s % 60;
  if (days > 0) return `${days}d${hours > 0 ? `${hours}h` : ""}${minutes > 0 ? `${minutes}m` : ""}`;
  if (hours > 0) return `${hours}h${minutes > 0 ? `${minutes}m` : ""}`;
  return `${minutes}m${secs > 0 ? `${secs}s` : ""}`;
}

/** `+1h20m` from the plan's start. */
export function formatOffset(seconds: number): string {
  return `+${formatDuration(seconds)}`;
}

/** A clock for one plan: offsets in seconds to calendar times in the plan's zone. */
export interface PlanClock {
  at(offset: number): DateTime;
  /** `Fri 2026-12-04 22:00` */
  long(offset: number): string;
  /** `Fri 22:00` */
  short(offset: number): string;
  /** The zone's offset at that instant, e.g. `+01:00` (abbreviations depend on the platform's ICU data). */
  abbreviation(offset: number): string;
  /** Seconds from the plan's start to an ISO time. */
  offsetOf(iso: string): number;
}

export function planClock(startIso: string, zone: string): PlanClock {
  const parsed = DateTime.fromISO(startIso, { setZone: true });
  const zoned = parsed.setZone(zone);
  const start = (zoned.isValid ? zoned : parsed).setLocale("en-US");
  // A preview asks for the same instants many times (a batch ends when the next starts), and
  // each zone-aware step of luxon's asks Intl for the zone's offset: remember them.
  const instants = new Map<number, DateTime>();
  const at = (offset: number): DateTime => {
    let dt = instants.get(offset);
    if (dt === undefined) {
      dt = start.plus({ seconds: offset });
      instants.set(offset, dt);
    }
    return dt;
  };
  return {
    at,
    long: (offset) => at(offset).toFormat("ccc yyyy-MM-dd HH:mm"),
    short: (offset) => at(offset).toFormat("ccc HH:mm"),
    abbreviation: (offset) => at(offset).toFormat("ZZ"),
    offsetOf: (iso) => Math.round(DateTime.fromISO(iso, { setZone: true }).diff(start, "seconds").seconds),
  };
}

/** A share as a whole percentage, rounded down (a 99.9% minimum is not 100%). */
export function formatShare(share: number): string {
  return `${Math.floor(share * 100 + 1e-9)}%`;
}
