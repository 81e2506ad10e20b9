/**
 * The text preview, read like a Terraform plan and meant to be readable at 3 a.m.: what
 * runs when, on which hosts, in which windows, where the way back ends, and what users
 * lose meanwhile. Bounded whatever the cloud's size: batches and summaries, never a line
 * per host.
 */
import type { PlanFile, PlanService, PlanStep } from "../plan/plan.js";
import { irreversibleSteps, withWayBack } from "../plan/way-back.js";
import { pushAll } from "../base/push-all.js";
import { commandText } from "./command-text.js";
import { estimatesSection } from "./estimates.js";
import { summariseHosts } from "./host-list.js";
import { batchLabel, outlinePlan, PHASE_ORDER, type BatchOutline, type PhaseOutline, type ServiceInPhase } from "./plan-outline.js";
import { formatDuration, formatOffset } from "../base/duration.js";
import { formatShare, planClock, type PlanClock } from "./time-format.js";

type Style = "bold" | "dim" | "red" | "green" | "yellow" | "cyan";

const ANSI: Record<Style, [string, string]> = {
  bold: ["\u001b[1m", "\u001b[22m"],
  dim: ["\u001b[2m", "\u001b[22m"],
  red: ["\u001b[31m", "\u001b[39m"],
  green: ["\u001b[32m", "\u001b[39m"],
  yellow: ["\u001b[33m", "\u001b[39m"],
  cyan: ["\u001b[36m", "\u001b[39m"],
};

type Paint = (style: Style, text: string) => string;

/** Batches listed in full up to this many per service; beyond, the first and last ones and a count. */
const MAX_BATCH_LINES = 24;
const HEAD_BATCHES = 16;
const TAIL_BATCHES = 4;
/** Rows of the per-service lists (impact table, services of a phase) before folding the rest into one line. */
const MAX_ROWS = 60;

export function renderText(stored: PlanFile, options: { readonly color: boolean }): string {
  const plan = withWayBack(stored);
  const paint: Paint = options.color ? (style, text) => `${ANSI[style][0]}${text}${ANSI[style][1]}` : (_style, text) => text;
  const clock = planClock(plan.plan.start, plan.plan.zone);
  const outline = outlinePlan(plan);
  const named = stepsNamed(plan, [plan.impact.pointOfNoReturn?.step, ...plan.checkpoints.map((c) => c.step)]);
  const out: string[] = [];

  header(plan, clock, paint, out);
  attention(plan, named, clock, paint, out);
  bridgedOrder(plan, paint, out);
  windows(plan, clock, paint, out);
  out.push("", paint("bold", "Phases"));
  outline.phases.forEach((phase, i) => renderPhase(plan, phase, i + 1, outline.services, clock, paint, out));
  checkpoints(plan, named, clock, paint, out);
  impact(plan, paint, out);
  pushAll(out, estimatesSection(plan, (text) => paint("bold", text)));
  bound(plan, paint, out);
  notifications(plan, paint, out);

  const occurrences = plan.timing.windowsUsed.length;
  out.push(
    "",
    paint(
      "bold",
      `Plan: ${plan.services.length} ${plural(plan.services.length, "service")}, ` +
        `${occurrences === 0 ? "no windows" : `${occurrences} ${plural(occurrences, "window")}`}, ` +
        `${plan.steps.length} ${plural(plan.steps.length, "step")}, ${formatDuration(plan.timing.total)}.`,
    ),
  );
  return out.join("\n") + "\n";
}

/**
 * The steps with these ids (the first of each), found in one pass over a plan of 80,000 steps.
 * The ids are compared, not hashed: most differ from a wanted one in length.
 */
function stepsNamed(plan: PlanFile, ids: readonly (string | undefined)[]): ReadonlyMap<string, PlanStep> {
  const wanted = [...new Set(ids.filter((id) => id !== undefined))];
  const found = new Map<string, PlanStep>();
  for (let i = 0; i < plan.steps.length; i++) {
    const step = plan.steps[i] as PlanStep;
    if (found.size === wanted.length) break;
    if (wanted.includes(step.id) && !found.has(step.id)) found.set(step.id, step);
  }
  return found;
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}

function span(start: number, end: number): string {
  return `${formatOffset(start)} → ${formatOffset(end)}`;
}

function calendar(clock: PlanClock, start: number, end: number): string {
  return `${clock.short(start)} → ${clock.sameDay(start, end) ? clock.time(end) : clock.short(end)}`;
}

function header(plan: PlanFile, clock: PlanClock, paint: Paint, out: string[]): void {
  const p = plan.plan;
  const versions = p.from !== null || p.to !== null ? `  ${p.from ?? "?"} → ${p.to ?? "?"}` : "";
  out.push(paint("bold", `Plan ${p.name}: ${p.kind}${versions}${p.urgent ? "  (urgent)" : ""}`));
  const source =
    p.startSource === "plan" ? "from the plan" : p.startSource === "option" ? "from --start" : paint("yellow", "assumed: no start given");
  out.push(`  start   ${clock.stamp(0)} (${p.zone}), ${source}`);
  out.push(`  end     ${clock.stamp(plan.timing.total)}`);
  out.push(`  total   ${paint("bold", formatDuration(plan.timing.total))}, ${plan.steps.length} steps, at most ${p.parallelism} at once`);
  if (plan.timing.criticalPath.length > 0) out.push(`  critical path  ${plan.timing.criticalPath.length} steps, ends with ${plan.timing.criticalPath.at(-1)}`);
}

/** Who hears about the run, and on which events: said only when the plan has notifiers. */
function notifications(plan: PlanFile, paint: Paint, out: string[]): void {
  const notifiers = plan.notify ?? [];
  if (notifiers.length === 0) return;
  out.push("", paint("bold", "Notifications"));
  for (const n of notifiers) out.push(`  ${n.name}: on ${n.events.join(", ")}: \`${commandText(n.command, 70)}\``);
}

/**
 * The plan's figures beside the bound its caps, parallelism and windows allow, so the cost
 * of the batching is seen (docs/language.md, "The bound").
 */
function bound(plan: PlanFile, paint: Paint, out: string[]): void {
  const b = plan.timing.bound;
  if (b === undefined || b.services.length === 0) return;
  out.push("", paint("bold", "Bound (the caps, parallelism and windows allow)"));
  for (const s of b.services) out.push(`  ${s.service}: ${boundLine(s.planned, s.bound)}${withBatches("its batches", s.planned, s.bound, s.barriers)}  (${s.width} out at once)`);
  const shared = b.shared;
  if (shared !== undefined) {
    // Their planned span, from the same start as their bound: when the last of them ends.
    let end = 0;
    for (const s of b.services) if (shared.services.includes(s.service)) end = Math.max(end, s.start + s.planned);
    out.push(`  together, sharing parallelism (${shared.services.join(", ")}): ${boundLine(Math.max(0, end - shared.start), shared.bound)}  (${shared.width} out at once)`);
  }
  out.push(`  plan: ${boundLine(plan.timing.total, b.total)}${withBatches("the written batches", plan.timing.total, b.total, b.barriers)}`);
}

/** The bound counting the written batch barriers and pauses too, where it says more than the caps alone. */
function withBatches(what: string, planned: number, bound: number, barriers: number | undefined): string {
  if (barriers === undefined || barriers <= bound) return "";
  return `; with ${what} ${formatDuration(barriers)} (${(planned / barriers).toFixed(2)}×)`;
}

function boundLine(planned: number, bound: number): string {
  const ratio = bound > 0 ? `${(planned / bound).toFixed(2)}×` : "–";
  return `${formatDuration(planned)} planned, bound ${formatDuration(bound)} (${ratio})`;
}

/** What the operator must not miss, derived from the plan itself. */
function attention(plan: PlanFile, named: ReadonlyMap<string, PlanStep>, clock: PlanClock, paint: Paint, out: string[]): void {
  const lines: string[] = [];
  if (plan.plan.startSource === "assumed") lines.push("the start time is assumed; give `start` in the plan or --start to fix the calendar");
  if (plan.plan.urgent) lines.push("urgent plan: windows are waived");
  for (const s of plan.impact.services) {
    if (s.downtime > 0) lines.push(`${s.service} is fully down for ${formatDuration(s.downtime)} (all ${s.instances} ${plural(s.instances, "instance")} at once)`);
  }
  const ponr = plan.impact.pointOfNoReturn;
  if (ponr) {
    const step = named.get(ponr.step);
    lines.push(`point of no return: ${ponr.step}${step ? ` at ${formatOffset(step.estimate.start)} (${clock.short(step.estimate.start)})` : ""}`);
  }
  if (lines.length === 0) return;
  out.push("", paint("bold", "Attention"));
  for (const line of lines) out.push(`  ${paint("yellow", "!")} ${line}`);
}

/** The `after` links followed through library services the plan leaves out, so the order is not a surprise. */
function bridgedOrder(plan: PlanFile, paint: Paint, out: string[]): void {
  const lines: string[] = [];
  for (const s of plan.services) {
    const byPath = new Map<string, string[]>();
    for (const b of s.bridged ?? []) {
      const path = b.through.join(", ");
      byPath.set(path, [...(byPath.get(path) ?? []), b.after]);
    }
    for (const [path, after] of byPath) lines.push(`${s.name} after ${after.join(", ")}: through ${path}, not in this plan`);
  }
  if (lines.length === 0) return;
  out.push("", paint("bold", "Order through services not in this plan"));
  for (const line of lines) out.push(`  ${paint("dim", "note:")} ${line}`);
}

function windows(plan: PlanFile, clock: PlanClock, paint: Paint, out: string[]): void {
  out.push("", paint("bold", "Windows"));
  if (plan.windows.length === 0) {
    out.push("  none: no step is bound to a window");
    return;
  }
  for (const w of plan.windows) {
    const used = plan.timing.windowsUsed.filter((u) => u.window === w.name);
    out.push(
      `  ${paint("cyan", w.name)}  ${w.days.join(", ")} ${w.from}–${w.to} ${w.zone}, cutoff ${formatDuration(w.cutoff)}: ` +
        (used.length === 0 ? "not needed" : `${used.length} ${plural(used.length, "occurrence")} needed`),
    );
    used.forEach((u, i) => {
      const start = clock.offsetOf(u.start);
      const end = clock.offsetOf(u.end);
      out.push(`    ${String(i + 1).padStart(2)}. ${clock.long(start)} → ${clock.long(end)}   ${paint("dim", `(${span(start, end)})`)}`);
    });
  }
}

function renderPhase(
  plan: PlanFile,
  phase: PhaseOutline,
  n: number,
  services: ReadonlyMap<string, PlanService>,
  clock: PlanClock,
  paint: Paint,
  out: string[],
): void {
  out.push(
    "",
    `${paint("bold", `${n}. ${phase.phase}`.padEnd(16))} ${span(phase.start, phase.end).padEnd(22)} ${paint("dim", calendar(clock, phase.start, phase.end))}   ` +
      `${phase.stepCount} ${plural(phase.stepCount, "step")}`,
  );
  const width = Math.min(24, Math.max(8, ...phase.services.map((s) => (s.service ?? "").length)));
  const shown = phase.services.slice(0, MAX_ROWS);
  for (const group of shown) {
    if (phase.phase === "rollout" && group.service !== null) renderRollout(plan, group, services.get(group.service), width, clock, paint, out);
    else renderOnce(plan, group, width, clock, paint, out);
  }
  if (phase.services.length > shown.length) out.push(`   … ${phase.services.length - shown.length} more services`);
}

/** A once-per-service step (precheck, expand, contract, a checkpoint): one line, with its undo. */
function renderOnce(plan: PlanFile, group: ServiceInPhase, width: number, clock: PlanClock, paint: Paint, out: string[]): void {
  const first = group.steps[0];
  const checkpoint = first?.checkpoint ?? null;
  const name = group.service ?? (checkpoint !== null ? "checkpoint" : "(plan)");
  const what = checkpoint !== null ? `◆ ${checkpoint}` : group.actions.join(", ");
  const hosts = group.hosts.length > 0 ? ` on ${summariseHosts(group.hosts, 2)}` : "";
  const padded = `${what}${hosts}`.padEnd(28);
  const shown = checkpoint !== null ? paint("green", padded) : padded;
  const times = `${span(group.start, group.end).padEnd(22)} ${paint("dim", calendar(clock, group.start, group.end))}`;
  out.push(`   ${name.padEnd(width)}  ${shown} ${times}${group.stepCount > 1 ? `  (${group.stepCount} steps)` : ""}`);
  const ponr = plan.impact.pointOfNoReturn;
  const marked = ponr !== null && group.steps.some((s) => s.id === ponr.step);
  // Only a group with an irreversible step pays for the question of what covers it.
  const coveredBy = !marked && group.irreversible ? coveringCheckpoint(plan, group) : null;
  if (coveredBy !== null) {
    out.push(`   ${"".padEnd(width)}  ${paint("green", "↺")} undo irreversible: a rollback past it restores checkpoint ${coveredBy}`);
  } else if (marked || group.irreversible) {
    out.push(`   ${"".padEnd(width)}  ${paint("red", paint("bold", "✖ POINT OF NO RETURN"))}${marked && ponr ? `: ${ponr.reason}` : ": undo irreversible"}`);
  } else if (first && first.undo !== null && first.undo !== "irreversible" && checkpoint === null) {
    out.push(`   ${"".padEnd(width)}  ${paint("dim", `undo: ${commandText(first.undo, 80)}`)}`);
  }
}

/** The checkpoint whose restore covers every irreversible step of the group, or null. */
function coveringCheckpoint(plan: PlanFile, group: ServiceInPhase): string | null {
  const ids = new Set(group.steps.filter((s) => s.undo === "irreversible").map((s) => s.id));
  const mine = irreversibleSteps(plan).filter((x) => ids.has(x.step.id));
  if (mine.length === 0 || mine.some((x) => x.coveredBy === null)) return null;
  return mine[0]?.coveredBy ?? null;
}

function rollingSummary(service: PlanService): string {
  const r = service.rolling;
  if (!r.rolling) return "every host at once: the service lacks the rolling-upgrade tag";
  const parts = [`batches ${batchesText(r)}`, `max ${r.maxUnavailable} unavailable`];
  if (r.domain !== null && r.maxUnavailablePerDomain !== null) parts.push(perDomainText(r.domain, r.maxUnavailablePerDomain, r.maxUnavailableByDomain));
  if (r.pause > 0) parts.push(`pause ${formatDuration(r.pause)}`);
  parts.push(r.maxFailures.count === 0 ? "stop at the first failure" : `tolerate ${r.maxFailures.count} ${plural(r.maxFailures.count, "failure")}${r.maxFailures.scope === "batch" ? " per batch" : ""}${r.maxFailures.cancel ? ", then cancel work in flight" : ""}`);
  if (r.deadline) parts.push(`deadline ${formatDuration(r.deadline.seconds)} then ${r.deadline.onDeadline}`);
  return parts.join(", ");
}

/** `max 2 unavailable per az`, or for a share per domain each domain's resolved cap (the first few). */
function perDomainText(domain: string, cap: number, byDomain: Readonly<Record<string, number>> | undefined): string {
  if (byDomain === undefined) return `max ${cap} unavailable per ${domain}`;
  const entries = Object.entries(byDomain);
  const shown = entries.slice(0, 8).map(([value, n]) => `${value} ${n}`);
  if (entries.length > 8) shown.push(`… ${entries.length - 8} more`);
  return `max unavailable per ${domain}: ${shown.join(", ")}`;
}

/** The resolved batches; a continuous last batch as `then 969 continuously` (no barrier inside it). */
function batchesText(r: PlanService["rolling"]): string {
  if (r.continuous !== true || r.batches.length === 0) return compactBatches(r.batches);
  const rest = r.batches[r.batches.length - 1] ?? 0;
  const ramp = r.batches.slice(0, -1);
  return `${ramp.length > 0 ? `${compactBatches(ramp)}, then ` : ""}${rest} continuously`;
}

/** `1, 3, 3, 3, 2` or, for long lists, `1, 5×500, 20` (run-length). */
function compactBatches(batches: readonly number[]): string {
  const runs: [number, number][] = [];
  for (const b of batches) {
    const last = runs.at(-1);
    if (last && last[0] === b) last[1]++;
    else runs.push([b, 1]);
  }
  const full = batches.join(", ");
  if (batches.length <= 8) return full;
  return runs.map(([size, times]) => (times === 1 ? String(size) : `${times}×${size}`)).join(", ");
}

function renderRollout(plan: PlanFile, group: ServiceInPhase, service: PlanService | undefined, width: number, clock: PlanClock, paint: Paint, out: string[]): void {
  const name = group.service ?? "";
  const count = service?.hosts.length ?? group.hosts.length;
  const rolling = service?.rolling.rolling ?? true;
  const downtime = plan.impact.services.find((s) => s.service === name)?.downtime ?? 0;
  const down = downtime > 0 ? `, downtime ${formatDuration(downtime)}` : "";
  const head = rolling ? `rolling, ${count} ${plural(count, "host")}${down}` : paint("red", `ALL AT ONCE, ${count} ${plural(count, "host")}${down}`);
  out.push(`   ${paint("bold", name.padEnd(width))}  ${head}  ${span(group.start, group.end)}  ${paint("dim", calendar(clock, group.start, group.end))}`);
  const indent = `   ${"".padEnd(width)}  `;
  if (service) {
    out.push(`${indent}${rolling ? rollingSummary(service) : paint("red", rollingSummary(service))}`);
    const extras: string[] = [];
    if (service.window !== null) extras.push(`window ${paint("cyan", service.window)}`);
    if (service.evacuate) extras.push(`evacuate ${service.evacuate.strategy} (concurrency ${service.evacuate.concurrency}, timeout ${formatDuration(service.evacuate.timeout)})`);
    if (service.after.length > 0) extras.push(`after ${service.after.join(", ")}`);
    if (extras.length > 0) out.push(`${indent}${extras.join(", ")}`);
  }
  out.push(`${indent}${paint("dim", `each host: ${group.actions.join(" → ")}`)}`);
  const batches = group.batches;
  const total = batches.length;
  let waits: WaitCauses | undefined;
  const showAll = total <= MAX_BATCH_LINES;
  batches.forEach((b, i) => {
    if (!showAll && i === HEAD_BATCHES) {
      const hidden = batches.slice(HEAD_BATCHES, total - TAIL_BATCHES);
      const hosts = hidden.reduce((n, h) => n + h.hosts.length, 0);
      out.push(`${indent}  … ${hidden.length} batches (${hosts} hosts) ${span(hidden[0]?.start ?? 0, hidden.at(-1)?.end ?? 0)}`);
    }
    if (!showAll && i >= HEAD_BATCHES && i < total - TAIL_BATCHES) return;
    out.push(batchLine(plan, b, batchLabel(service?.rolling, b.index, total), indent, clock, paint));
    if (b.pauseAfter > 0 && i < total - 1) out.push(`${indent}  ${paint("dim", `pause ${formatDuration(b.pauseAfter)}`)}`);
    const next = batches[i + 1];
    const idle = next ? next.start - (b.end + b.pauseAfter) : 0;
    if (next && idle >= 60 && (showAll || i < HEAD_BATCHES - 1 || i >= total - TAIL_BATCHES)) {
      waits ??= new WaitCauses(plan);
      out.push(`${indent}  ${paint("yellow", `waits ${formatDuration(idle)} ${waits.of(next, clock)}`)}`);
    }
  });
}

/**
 * What a batch that starts later than the one before it ended waited for, named from the
 * plan itself: the opening of a window occurrence, a step it comes after (another service's
 * work on its host, say), or, when it was free to start and did not, the cap or the
 * parallelism that was full. Built once per preview, when a wait is shown.
 */
class WaitCauses {
  private readonly byId: ReadonlyMap<string, PlanStep>;
  private readonly byBatch = new Map<string, PlanStep[]>();

  constructor(private readonly plan: PlanFile) {
    this.byId = new Map(plan.steps.map((s) => [s.id, s]));
    for (const s of plan.steps) {
      if (s.service === null || s.batch === null) continue;
      const key = `${s.service}\u0000${s.batch}`;
      const list = this.byBatch.get(key);
      if (list) list.push(s);
      else this.byBatch.set(key, [s]);
    }
  }

  of(next: BatchOutline, clock: PlanClock): string {
    const steps = this.byBatch.get(`${next.service}\u0000${next.index}`) ?? [];
    const first = steps.reduce<PlanStep | undefined>((a, b) => (a === undefined || b.estimate.start < a.estimate.start ? b : a), undefined);
    if (first === undefined) return "";
    let released = 0;
    let latest: PlanStep | undefined;
    for (const id of first.after) {
      const dep = this.byId.get(id);
      if (dep === undefined) continue;
      const end = dep.estimate.start + dep.estimate.duration;
      if (end >= released) {
        released = end;
        latest = dep;
      }
    }
    const start = first.estimate.start;
    if (next.window !== null) {
      const opening = this.plan.timing.windowsUsed.find((u) => u.window === next.window && clock.offsetOf(u.start) <= start && start < clock.offsetOf(u.end));
      if (opening !== undefined && clock.offsetOf(opening.start) > released) return `for ${occurrenceLabel(this.plan, clock, next.window, start)} to open`;
    }
    if (start <= released && latest !== undefined) return `for ${stepLabel(latest, next.service)}`;
    return this.fullAt(first, start - 1);
  }

  /** Which limit was full just before `step` started: its service's caps, else the parallelism. */
  private fullAt(step: PlanStep, t: number): string {
    const service = this.plan.services.find((s) => s.name === step.service);
    const out = new Set<string>();
    const chains = new Set<string>();
    for (const s of this.plan.steps) {
      if (s.estimate.start > t || s.estimate.start + s.estimate.duration <= t) continue;
      if (s.command !== null || s.action !== "batch-pause") chains.add(s.service !== null && s.batch !== null && s.hosts.length === 1 ? `${s.service}\u0000${s.batch}\u0000${s.hosts[0]}` : s.id);
      if (service !== undefined && s.service === service.name) for (const h of s.hosts) out.add(h);
    }
    if (service !== undefined) {
      const r = service.rolling;
      if (out.size >= r.maxUnavailable) return `for max-unavailable ${r.maxUnavailable} (${out.size} hosts of ${service.name} out)`;
      const domain = r.domain;
      if (domain !== null && r.maxUnavailablePerDomain !== null) {
        const valueOf = (host: string | undefined): string => String(this.plan.hosts.find((h) => h.name === host)?.vars[domain] ?? "");
        const mine = valueOf(step.hosts[0]);
        const cap = capOfDomain(r, mine);
        let inDomain = 0;
        for (const h of out) if (valueOf(h) === mine) inDomain += 1;
        if (inDomain >= cap) return `for max-unavailable ${cap} per ${domain} (${mine} full)`;
      }
    }
    if (chains.size >= this.plan.plan.parallelism) return `for parallelism ${this.plan.plan.parallelism}`;
    return "for a host busy with another service";
  }
}

/** A step a batch waits for, as an operator names it: the pause after a batch, another service's work on a host. */
function stepLabel(step: PlanStep, service: string): string {
  if (step.action === "batch-pause" && step.batch !== null) return `the pause after batch ${step.batch + 1}${step.service === service ? "" : ` of ${step.service ?? ""}`}`;
  const host = step.hosts.length === 1 ? step.hosts[0] : undefined;
  if (step.service !== null && step.service !== service && host !== undefined) return `${step.service} on ${host} (${step.action})`;
  return step.id;
}

/** A service's cap in one failure domain: its own when the cap is a share of each domain's hosts. */
function capOfDomain(r: PlanService["rolling"], domain: string): number {
  return r.maxUnavailableByDomain?.[domain] ?? r.maxUnavailablePerDomain ?? Infinity;
}

function batchLine(plan: PlanFile, b: BatchOutline, label: string, indent: string, clock: PlanClock, paint: Paint): string {
  const window = b.window !== null ? `  ${paint("cyan", occurrenceLabel(plan, clock, b.window, b.start))}` : "";
  return `${indent}  ${label.padEnd(12)} ${summariseHosts(b.hosts).padEnd(30)} ${span(b.start, b.end).padEnd(22)} ${paint("dim", calendar(clock, b.start, b.end))}${window}`;
}

/** `window nightly #2`: which occurrence (numbered as under Windows) a batch starts in. */
function occurrenceLabel(plan: PlanFile, clock: PlanClock, window: string, start: number): string {
  const used = plan.timing.windowsUsed.filter((u) => u.window === window);
  const index = used.findIndex((u) => clock.offsetOf(u.start) <= start && start < clock.offsetOf(u.end));
  return index < 0 ? `window ${window}` : `window ${window} #${index + 1}`;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const list = out.get(key(item));
    if (list === undefined) out.set(key(item), [item]);
    else list.push(item);
  }
  return out;
}

function checkpoints(plan: PlanFile, named: ReadonlyMap<string, PlanStep>, clock: PlanClock, paint: Paint, out: string[]): void {
  const ponr = plan.impact.pointOfNoReturn;
  const ponrStep = ponr ? named.get(ponr.step) : undefined;
  out.push("", paint("bold", "Checkpoints and the way back"));
  if (plan.checkpoints.length === 0) out.push("  none: a failure can only be undone step by step, where steps have an undo");
  for (const cp of plan.checkpoints) {
    const step = named.get(cp.step);
    const at = step ? `${formatOffset(step.estimate.start)} (${clock.short(step.estimate.start)})` : "?";
    out.push(`  ${paint("green", `◆ ${cp.name}`)}  at ${at}, step ${cp.step}`);
    const restore = cp.restore ? `restore with \`${commandText(cp.restore, 90)}\`` : "a marker only: nothing to restore";
    out.push(`      rolling back to it: ${restore}${cp.note !== null ? `; ${cp.note}` : ""}`);
    if (step) {
      // Rolling back here is possible until the point of no return, if that comes later.
      const limit = ponrStep && ponrStep.estimate.start >= step.estimate.start ? ponrStep.estimate.start : Infinity;
      const after = plan.steps.filter((s) => s.estimate.start >= step.estimate.start + step.estimate.duration && s.estimate.start < limit);
      const undone = new Set(after.map((s) => s.phase));
      out.push(`      undoes at most ${after.length} steps (${PHASE_ORDER.filter((p) => undone.has(p)).join(", ") || "none"})`);
      if (ponrStep && limit !== Infinity) out.push(`      possible until ${ponrStep.id} starts at ${formatOffset(ponrStep.estimate.start)}`);
    }
  }
  // Irreversible steps a restorable checkpoint covers are no point of no return: the same
  // rule as rollback's (plan/way-back.ts), said here so the preview promises what runs.
  const covered = irreversibleSteps(plan).filter((x) => x.coveredBy !== null);
  for (const [checkpoint, list] of groupBy(covered, (x) => x.coveredBy ?? "")) {
    const first = list[0]?.step.id ?? "";
    const what = list.length === 1 ? `${first} cannot be undone by itself` : `${list.length} steps cannot be undone by themselves (first: ${first})`;
    out.push(`  ${paint("green", "↺")} ${what}: a rollback past ${list.length === 1 ? "it" : "them"} restores checkpoint ${checkpoint}`);
  }
  if (ponr) {
    const at = ponrStep ? ` at ${formatOffset(ponrStep.estimate.start)} (${clock.long(ponrStep.estimate.start)})` : "";
    out.push(`  ${paint("red", paint("bold", "✖ POINT OF NO RETURN"))}  ${ponr.step}${at}`);
    out.push(`      ${ponr.reason}`);
    out.push("      once it has run there is no rollback, only fix forward");
  } else {
    out.push("  no point of no return: every step can be rolled back");
  }
}

function impact(plan: PlanFile, paint: Paint, out: string[]): void {
  out.push("", paint("bold", "Impact"));
  const rows = plan.impact.services;
  const width = Math.min(28, Math.max(7, ...rows.map((r) => r.service.length)));
  out.push(`  ${"service".padEnd(width)}  ${"instances".padStart(9)}  ${"min in service".padStart(14)}  ${"share".padStart(5)}  downtime`);
  for (const r of rows.slice(0, MAX_ROWS)) {
    const down = r.downtime > 0 ? paint("red", formatDuration(r.downtime)) : "none";
    out.push(`  ${r.service.padEnd(width)}  ${String(r.instances).padStart(9)}  ${String(r.minInService).padStart(14)}  ${formatShare(r.minShare).padStart(5)}  ${down}`);
  }
  if (rows.length > MAX_ROWS) out.push(`  … ${rows.length - MAX_ROWS} more services`);

  const hosts = plan.impact.hosts.filter((h) => h.outOfService > 0);
  if (hosts.length === 0) {
    out.push("", "  hosts out of service: none");
  } else {
    let longest = hosts[0] ?? { host: "", outOfService: 0 };
    let sum = 0;
    for (const h of hosts) {
      sum += h.outOfService;
      if (h.outOfService > longest.outOfService) longest = h;
    }
    out.push(
      "",
      `  hosts out of service: ${hosts.length} of ${plan.hosts.length}, each for at most ${formatDuration(longest.outOfService)} ` +
        `(${longest.host}), ${formatDuration(sum / hosts.length)} on average`,
    );
  }
  const dataHosts = new Set(plan.services.filter((s) => s.plane === "data").flatMap((s) => s.hosts));
  out.push(`  instances live-migrated: ${plan.impact.instancesMigrated}`);
  const peak = plan.impact.peakDataPlaneOut;
  out.push(
    `  peak data-plane capacity out: ${formatShare(peak)}` +
      (dataHosts.size > 0 ? ` (${Math.round(peak * dataHosts.size)} of ${dataHosts.size} data-plane hosts)` : ""),
  );
}
