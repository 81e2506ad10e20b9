/**
 * When the plan starts, and in which zone it is shown: `--start` (a local date-time in the
 * plan's zone, or with an offset) over the plan's `start`, else assumed: the next opening of
 * the earliest window the plan uses after now, or now rounded up to the minute.
 */
import { DateTime } from "luxon";
import { type Diagnostic, type Result, diag } from "../../diagnostics/diagnostic.js";
import type { Model, ModelWindow } from "../model.js";
import { occurrencesBetween } from "../../windows/window-clock.js";

export interface PlanStart {
  readonly ms: number;
  readonly zone: string;
  readonly source: "plan" | "option" | "assumed";
}

const WEEK_MS = 7 * 86_400_000;

export function planStart(model: Model, option: string | undefined, now: Date, used: readonly ModelWindow[]): Result<PlanStart | null> {
  const zone = model.plan.start?.zone ?? used[0]?.zone ?? model.windows[0]?.zone ?? "UTC";
  const bad = (text: string, where: string): Result<null> => {
    const diagnostic: Diagnostic = diag("UPG0583", {
      message: `${where} \`${text}\` is not a valid date-time in zone ${zone}`,
      ...(where === "the plan's start" && model.plan.start ? { span: model.plan.start.span } : {}),
      help: 'write it as "2026-12-05T22:00" (in the plan\'s zone) or with an offset, "2026-12-05T22:00+01:00"',
    });
    return { value: null, diagnostics: [diagnostic] };
  };
  if (option !== undefined) {
    const t = DateTime.fromISO(option, { zone });
    if (!t.isValid) return bad(option, "--start");
    return { value: { ms: t.toMillis(), zone, source: "option" }, diagnostics: [] };
  }
  if (model.plan.start) {
    const t = DateTime.fromISO(model.plan.start.local, { zone: model.plan.start.zone });
    if (!t.isValid) return bad(model.plan.start.local, "the plan's start");
    return { value: { ms: t.toMillis(), zone, source: "plan" }, diagnostics: [] };
  }
  const nowMs = now.getTime();
  let earliest = Infinity;
  for (const w of used) {
    // Windows open at least weekly (days is never empty), so two weeks always holds an opening.
    const next = occurrencesBetween(w, nowMs, nowMs + 2 * WEEK_MS).find((o) => o.openMs >= nowMs);
    if (next && next.openMs < earliest) earliest = next.openMs;
  }
  const ms = earliest !== Infinity ? earliest : Math.ceil(nowMs / 60_000) * 60_000;
  return { value: { ms, zone, source: "assumed" }, diagnostics: [] };
}
