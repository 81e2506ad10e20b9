/** Whether a fault-free simulation kept its plan's timeline (the one-clock tests). */
import type { PlanFile } from "../../src/plan/plan.js";
import type { SimulationReport } from "../../src/simulate/simulate.js";
import { WindowCalendar, shapeOfPlanWindow } from "../../src/windows/window-clock.js";

/** What broke the plan's timeline in a fault-free simulation, as readable lines (empty: kept). */
export function timelineBreaks(p: PlanFile, r: SimulationReport): string[] {
  const origin = Date.parse(p.plan.start);
  const started = new Map<string, number>();
  const ended = new Map<string, number>();
  for (const j of r.journal) {
    if (j.type === "step-started" && j.step !== undefined) started.set(j.step, Date.parse(j.time));
    if (j.type === "step-succeeded" && j.step !== undefined) ended.set(j.step, Date.parse(j.time));
  }
  const calendars = new Map(p.windows.map((w) => [w.name, new WindowCalendar(shapeOfPlanWindow(w), origin)]));
  const breaks: string[] = [];
  for (const step of p.steps) {
    const at = started.get(step.id);
    const end = ended.get(step.id);
    if (at === undefined || end === undefined) {
      breaks.push(`${step.id} did not run`);
      continue;
    }
    const planned = origin + step.estimate.start * 1000;
    if (at > planned) breaks.push(`${step.id} started ${(at - planned) / 1000}s after its planned time`);
    const calendar = step.window !== null ? calendars.get(step.window) : undefined;
    if (!calendar) continue;
    const occurrence = calendar.occurrence(calendar.openAt(calendar.secondsOf(at)));
    if (occurrence === undefined) breaks.push(`${step.id} started outside window ${step.window}`);
    else if (end > occurrence.closeMs - calendar.window.cutoff * 1000) breaks.push(`${step.id} ended ${(end - occurrence.closeMs) / 1000}s after its window's close (cutoff ${calendar.window.cutoff}s)`);
  }
  if (Math.abs(r.duration - r.planned) > 0.02 * r.planned) breaks.push(`the run took ${r.duration}s against the plan's ${r.planned}s`);
  return breaks;
}
