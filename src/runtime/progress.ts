/**
 * Progress views: records in, text out. The scheduler knows nothing of them; the session
 * feeds them each journal record as it is made.
 *
 * - plain: one line per transition (logs, CI, a pipe).
 * - live: on a terminal, a block redrawn in place: per service its batches done of total,
 *   hosts in flight, failures, steps done; elapsed time against the plan and an ETA.
 */
import type { PlanFile } from "../plan/plan.js";
import type { JournalRecord } from "./journal.js";
import { formatDuration } from "../base/duration.js";

export interface ProgressView {
  onRecord(record: JournalRecord): void;
  /** The records so far are durable: show what waits for that. */
  flush(): void;
  close(): void;
}

function clock(iso: string): string {
  return iso.slice(11, 19);
}

/** One line for one record, or null for records that need none. */
export function describeRecord(r: JournalRecord): string | null {
  const on = r.host ? ` (${r.host})` : "";
  const t = clock(r.time);
  switch (r.type) {
    case "run-started":
      return `${t} run ${r.run} started: plan ${r.plan ?? ""}`;
    case "run-resumed":
      return `${t} run ${r.run} resumed`;
    case "step-started":
      return `${t} start    ${r.step}${on}${r.attempt !== undefined && r.attempt > 1 ? ` [attempt ${r.attempt}]` : ""}`;
    case "step-succeeded":
      return `${t} done     ${r.step}${on}${r.byDoneCheck ? " (already done: its done-check passed)" : ""}`;
    case "step-failed":
      return `${t} FAILED   ${r.step}${on}: ${r.message ?? ""}`;
    case "step-skipped":
      return `${t} skipped  ${r.step}: ${r.message ?? ""}`;
    case "step-undo-started":
      return `${t} undo     ${r.step}${on}`;
    case "step-undone":
      return `${t} undone   ${r.step}${on}${r.message ? `: ${r.message}` : ""}`;
    case "undo-failed":
      return `${t} UNDO FAILED ${r.step}${on}: ${r.message ?? ""}`;
    case "window-wait":
      return `${t} ${r.message ?? `waiting until ${r.until ?? ""}`}`;
    case "run-stopped":
      return `${t} run stopped: ${r.message ?? ""}`;
    case "run-finished":
      return `${t} run finished`;
    case "rollback-started":
      return `${t} rollback to ${r.to ?? "the start"} started`;
    case "rollback-stopped":
      return `${t} rollback stopped: ${r.message ?? ""}`;
    case "rollback-finished":
      return `${t} rollback finished`;
  }
}

/**
 * The lines of the records made since the last commit go out together once it is durable:
 * one write per commit rather than one per record (a large run makes thousands).
 */
export function plainProgress(write: (text: string) => void): ProgressView {
  let lines: string[] = [];
  const flush = (): void => {
    if (lines.length === 0) return;
    const text = lines.join("");
    lines = [];
    write(text);
  };
  return {
    onRecord(record) {
      const line = describeRecord(record);
      if (line !== null) lines.push(line + "\n");
    },
    flush,
    close: flush,
  };
}

interface ServiceView {
  readonly name: string;
  readonly steps: number;
  readonly batches: number;
  done: number;
  failures: number;
  readonly inFlight: Map<string, string>;
  readonly openByBatch: Map<number, number>;
}

/** Counts for the live view, kept from the records. */
export class ProgressModel {
  readonly services = new Map<string, ServiceView>();
  private readonly stepService = new Map<string, string>();
  private readonly stepBatch = new Map<string, number | null>();
  private readonly pending = new Set<string>();
  private startedAt: number | null = null;
  readonly recent: string[] = [];

  constructor(private readonly plan: PlanFile) {
    for (const service of plan.services) {
      const steps = plan.steps.filter((s) => s.service === service.name);
      const openByBatch = new Map<number, number>();
      for (const s of steps) if (s.batch !== null) openByBatch.set(s.batch, (openByBatch.get(s.batch) ?? 0) + 1);
      this.services.set(service.name, { name: service.name, steps: steps.length, batches: openByBatch.size, done: 0, failures: 0, inFlight: new Map(), openByBatch });
    }
    for (const s of plan.steps) {
      if (s.service !== null) this.stepService.set(s.id, s.service);
      this.stepBatch.set(s.id, s.batch);
      this.pending.add(s.id);
    }
  }

  apply(r: JournalRecord): void {
    if (this.startedAt === null) this.startedAt = Date.parse(r.time);
    const view = r.step !== undefined ? this.services.get(this.stepService.get(r.step) ?? "") : undefined;
    if (r.step !== undefined && view) {
      if (r.type === "step-started" || r.type === "step-undo-started") view.inFlight.set(r.step, r.host ?? "");
      if (r.type === "step-succeeded" || r.type === "step-skipped") {
        view.inFlight.delete(r.step);
        view.done += 1;
        const batch = this.stepBatch.get(r.step);
        if (batch !== null && batch !== undefined) view.openByBatch.set(batch, (view.openByBatch.get(batch) ?? 1) - 1);
      }
      if (r.type === "step-failed" || r.type === "undo-failed") {
        view.inFlight.delete(r.step);
        view.failures += 1;
      }
      if (r.type === "step-undone") view.inFlight.delete(r.step);
    }
    if (r.step !== undefined && (r.type === "step-succeeded" || r.type === "step-skipped")) this.pending.delete(r.step);
    const notable: readonly JournalRecord["type"][] = ["step-failed", "window-wait", "run-stopped", "run-finished", "undo-failed", "rollback-started", "rollback-stopped", "rollback-finished"];
    if (notable.includes(r.type)) {
      const line = describeRecord(r);
      if (line !== null) this.recent.push(line);
      if (this.recent.length > 3) this.recent.shift();
    }
  }

  /** Seconds of planned work left: from the earliest planned start among the steps not done to the plan's end. */
  remaining(): number {
    let earliest = Infinity;
    for (const s of this.plan.steps) if (this.pending.has(s.id)) earliest = Math.min(earliest, s.estimate.start);
    return earliest === Infinity ? 0 : this.plan.timing.total - earliest;
  }

  render(now: number, width: number): string[] {
    const elapsed = this.startedAt === null ? 0 : (now - this.startedAt) / 1000;
    const total = this.plan.steps.length;
    const done = total - this.pending.size;
    const lines = [`${this.plan.plan.name}: ${done}/${total} steps  elapsed ${formatDuration(elapsed)} of ${formatDuration(this.plan.timing.total)} planned  ETA ${formatDuration(this.remaining())}`];
    for (const v of this.services.values()) {
      const batchesDone = [...v.openByBatch.values()].filter((n) => n <= 0).length;
      const hosts = [...new Set(v.inFlight.values())].filter((h) => h !== "");
      const flight = hosts.length > 0 ? `  in flight: ${hosts.slice(0, 6).join(",")}${hosts.length > 6 ? ` +${hosts.length - 6}` : ""}` : "";
      lines.push(`  ${v.name.padEnd(22)} batches ${batchesDone}/${v.batches}  steps ${v.done}/${v.steps}  failures ${v.failures}${flight}`);
    }
    lines.push(...this.recent.map((l) => "  " + l));
    return lines.map((l) => (l.length > width ? l.slice(0, width - 1) + "…" : l));
  }
}

export function liveProgress(plan: PlanFile, out: { write(text: string): void; columns?: number }, now: () => number): ProgressView {
  const model = new ProgressModel(plan);
  let drawn = 0;
  const draw = (): void => {
    const lines = model.render(now(), out.columns ?? 100);
    out.write((drawn > 0 ? `\x1b[${drawn}A\x1b[J` : "") + lines.join("\n") + "\n");
    drawn = lines.length;
  };
  const timer = setInterval(draw, 250);
  timer.unref();
  return {
    onRecord(record) {
      model.apply(record);
    },
    // Redrawn on its timer.
    flush() {},
    close() {
      clearInterval(timer);
      draw();
    },
  };
}
