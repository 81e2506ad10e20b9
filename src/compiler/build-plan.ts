/**
 * Build: the resolved model becomes the plan file, expand → graph → schedule → impact →
 * emit. Each part is a pure function of the one before; this file only wires them and turns
 * what they found into diagnostics.
 */
import { type Diagnostic, type Result, diag, internalError } from "../diagnostics/diagnostic.js";
import { hasErrors } from "../diagnostics/diagnostic.js";
import { pushAll } from "../base/push-all.js";
import type { PlanFile } from "../plan/plan.js";
import type { PlanTextSink } from "../plan/plan-text.js";
import { emitPlan, type Relocation } from "./emit/emit.js";
import { proveHostSets } from "./schedule/prove-sets.js";
import type { DraftStep } from "./expand/draft.js";
import { expand } from "./expand/expand.js";
import { DEFAULT_PARALLELISM } from "./estimates.js";
import { estimateBook, WRITTEN_ONLY } from "./estimate-book.js";
import type { History } from "../plan/history.js";
import { impact } from "./impact/impact.js";
import type { Model, ModelWindow } from "./model.js";
import { planStart } from "./schedule/plan-start.js";
import { planBound } from "./schedule/bound.js";
import { schedule } from "./schedule/schedule.js";
import { JobGraph, criticalPathSteps } from "./schedule/step-graph.js";
import { DateTime } from "luxon";
import { WindowCalendar, clockOfMinutes } from "../windows/window-clock.js";
import { formatDuration } from "../base/duration.js";

export interface BuildOptions {
  /** --start: an ISO local date-time ("2026-12-05T22:00") in the plan's zone, or with an offset. Overrides the plan's start. */
  readonly start?: string;
  /** Now, for assuming a start when neither the plan nor --start gives one. */
  readonly now: Date;
  /** The compiler version, for the fingerprint. */
  readonly compilerVersion: string;
  /**
   * The plan file is written in another directory than the one its sources were read
   * from: its source paths and `entry` are recorded relative to the plan file's directory
   * (so the plan runs from anywhere), and its fingerprint and digest cover them so.
   */
  readonly relocate?: Relocation;
  /** Receives the plan file's text as it is made (compile -o writes it in another thread meanwhile). */
  readonly planText?: PlanTextSink;
  /** What earlier runs measured (compile --history): their estimates replace written and default ones. */
  readonly history?: History;
  /**
   * Stop once every diagnostic of the build is known, before the critical path, the bound
   * and the plan file are made (none of which reports anything): the language server wants
   * compile's findings on every keystroke, not a plan.
   */
  readonly diagnosticsOnly?: boolean;
}

/** Expand the model into steps, schedule them, compute the impact, and make the plan file. Never throws. */
export function buildPlan(model: Model, options: BuildOptions): Result<PlanFile | null> {
  const diagnostics: Diagnostic[] = [];
  const expanded = expand(model, options.history ? estimateBook(options.history, model.services, model.hosts) : WRITTEN_ONLY);
  pushAll(diagnostics, expanded.diagnostics);
  const x = expanded.value;
  if (hasErrors(diagnostics)) return { value: null, diagnostics };

  const ids = new Set<string>();
  for (let i = 0; i < x.steps.length; i++) {
    const step = x.steps[i] as DraftStep;
    // One lookup per id: the set does not grow when the id is in it already.
    const before = ids.size;
    ids.add(step.id);
    if (ids.size === before) return { value: null, diagnostics: [...diagnostics, internalError("in build", `two steps have the id \`${step.id}\``)] };
  }
  // The graph comes first: a cycle (a bug in expand) is named before it could stall the schedule.
  const graph = JobGraph.of(x);
  const topo = graph.topologicalOrder();
  if ("cycles" in topo) {
    const cycle = (topo.cycles[0] ?? []).map((j) => (x.steps[x.jobs[j]?.first ?? 0] as DraftStep).id);
    return { value: null, diagnostics: [...diagnostics, internalError("in build", `the step graph has a cycle: ${[...cycle, cycle[0]].join(" -> ")}`)] };
  }

  const bound = new Set<string>();
  for (const job of x.jobs) if (job.window !== null) bound.add(job.window);
  const used: ModelWindow[] = model.windows.filter((w) => bound.has(w.name));
  const started = planStart(model, options.start, options.now, used);
  pushAll(diagnostics, started.diagnostics);
  const start = started.value;
  if (start === null) return { value: null, diagnostics };

  const calendars = new Map(used.map((w) => [w.name, new WindowCalendar(w, start.ms)]));
  const parallelism = model.plan.parallelism > 0 ? model.plan.parallelism : DEFAULT_PARALLELISM;
  const sched = schedule(x, { parallelism, calendars });
  if (sched.unscheduled > 0) return { value: null, diagnostics: [...diagnostics, internalError("in build", `${sched.unscheduled} jobs were never scheduled`)] };
  pushAll(diagnostics, unfitDiagnostics(model, x.jobs, sched.unfit));
  pushAll(diagnostics, gapDiagnostics(used, calendars, planEndSeconds(x.steps, sched.start)));
  if (hasErrors(diagnostics) || options.diagnosticsOnly === true) return { value: null, diagnostics };

  // The order the schedule gave two unrelated services' chains on one host becomes an
  // `after`, so the runtime keeps them apart too.
  const hostAfter = new Map<number, number[]>();
  const hostPreviousJob = new Map<number, number>();
  sched.hostPrevious.forEach((p, j) => {
    const job = x.jobs[j];
    const prev = x.jobs[p];
    if (!job || !prev || job.service === null || prev.service === null) return;
    if (x.rolloutBefore.get(job.service)?.has(prev.service)) return;
    const last = prev.first + prev.count - 1;
    hostAfter.set(job.first, [last]);
    hostPreviousJob.set(j, p);
  });

  const predecessors = (j: number): number[] => {
    const before = [...graph.predecessors(j)];
    const p = hostPreviousJob.get(j);
    if (p !== undefined) before.push(p);
    return before;
  };
  const pathSteps = criticalPathSteps(x, predecessors, sched.start, sched.cause);
  const path = pathSteps.map((i) => (x.steps[i] as DraftStep).id);

  const lowerBound = planBound({
    expansion: x,
    start: sched.start,
    total: planEndSeconds(x.steps, sched.start),
    parallelism,
    rolling: new Set(model.services.filter((s) => s.rolling.rolling).map((s) => s.name)),
    calendars,
    criticalPath: pathSteps,
  });

  const windowsUsed = sched.windowsUsed.map(({ window, occurrence }) => {
    const o = calendars.get(window)?.occurrence(occurrence);
    return { window, openMs: o?.openMs ?? start.ms, closeMs: o?.closeMs ?? start.ms };
  });

  const plan = emitPlan({
    model,
    expansion: x,
    start: sched.start,
    planStart: start,
    parallelism,
    criticalPath: path,
    bound: lowerBound,
    hostAfter,
    windowsUsed,
    impact: impact(model, x, sched.start, hostAfter),
    compilerVersion: options.compilerVersion,
    ...(options.relocate ? { relocate: options.relocate } : {}),
    ...(options.planText ? { planText: options.planText } : {}),
    ...(options.history ? { history: options.history.runs } : {}),
  });
  pushAll(diagnostics, proveHostSets(plan, (service) => model.services.find((s) => s.name === service)?.nameSpan));
  return { value: hasErrors(diagnostics) ? null : plan, diagnostics };
}

function unfitDiagnostics(model: Model, jobs: ReturnType<typeof expand>["value"]["jobs"], unfit: readonly number[]): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const j of unfit) {
    const job = jobs[j];
    if (!job || job.service === null || job.window === null || seen.has(job.service)) continue;
    seen.add(job.service);
    const service = model.services.find((s) => s.name === job.service);
    const window = model.windows.find((w) => w.name === job.window);
    const length = window ? ((window.to - window.from + 1440) % 1440 || 1440) * 60 : 0;
    out.push(diag("UPG0582", {
      message: `a host of \`${job.service}\` needs ${formatDuration(job.worst)} in the worst case, which fits no occurrence of window \`${job.window}\``,
      ...(service ? { span: service.nameSpan } : {}),
      notes: window ? [`the window is open ${formatDuration(length)} with a cutoff of ${formatDuration(window.cutoff)}; the worst case counts each health gate at its deadline`] : [],
      help: "lengthen the window, shorten the cutoff or the health deadline, or lower the estimates",
    }));
  }
  return out;
}

function planEndSeconds(steps: readonly DraftStep[], start: Float64Array): number {
  let end = 0;
  for (let i = 0; i < steps.length; i++) end = Math.max(end, (start[i] ?? 0) + (steps[i]?.estimate.duration ?? 0));
  return end;
}

/**
 * A window whose opening falls in a spring-forward gap on a night the plan spans opens that
 * night when the clocks jump, not at the written time: said, not silently done.
 */
function gapDiagnostics(windows: readonly ModelWindow[], calendars: ReadonlyMap<string, WindowCalendar>, end: number): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const w of windows) {
    const calendar = calendars.get(w.name);
    if (!calendar) continue;
    for (let i = 0; ; i++) {
      const o = calendar.occurrence(i);
      if (o === undefined || o.open > end) break;
      if (!o.openInGap) continue;
      const at = DateTime.fromMillis(o.openMs, { zone: w.zone });
      out.push(diag("UPG0587", {
        message: `window \`${w.name}\` opens at ${clockOfMinutes(w.from)}, which does not exist on ${at.toFormat("ccc yyyy-MM-dd")} in ${w.zone} (clocks go forward): that night it opens at ${at.toFormat("HH:mm ZZ")}`,
        span: w.span,
        help: "open the window outside the daylight-saving change (e.g. before 02:00), or accept the shorter night",
      }));
    }
  }
  return out;
}

