/**
 * The events of a run, as notifiers and the events stream see them: derived from the journal
 * records as they are made (the one source of `--events` too), plus the lock taken over,
 * which happens before there is a journal to write. Pure: records and plan in, events out.
 */
import type { NotifyEvent } from "../base/notify-events.js";
import type { PlanFile, PlanStep } from "../plan/plan.js";
import type { JournalRecord } from "./journal.js";
import type { LockInfo } from "./lock.js";
import { formatDuration } from "../base/duration.js";
import { runProgress, runScope, type RunProgress } from "./run-progress.js";
import { inScope, type Scope } from "./forward.js";
import { isDone, RunStateFold, type RunState } from "./run-state.js";

export const EVENT_FORMAT = "upgradec.event/1";

/** What a notifier gets on its standard input, and what `--events` writes for a derived event. */
export interface NotifyPayload {
  readonly format: typeof EVENT_FORMAT;
  readonly event: NotifyEvent;
  readonly plan: string;
  readonly run: string | null;
  readonly time: string;
  /** How the run (or rollback) ended: succeeded, stopped, interrupted, hosts-left-out, rollback, rolled-back; null while it goes on. */
  readonly outcome: string | null;
  /** The record's one-line reason (a stop's cause, a wait's end), secrets redacted. */
  readonly message: string | null;
  /** The event in one line, for people (Slack and Mattermost show it). */
  readonly text: string;
  readonly failed: readonly { readonly step: string; readonly host: string | null; readonly message: string | null; readonly tolerated: boolean }[];
  /** batch-finished: the service and its batch number. */
  readonly service: string | null;
  readonly batch: number | null;
  readonly progress: RunProgress;
  /** run-finished: what the run itself verified (post-checks, hosts left out). */
  readonly verify: string | null;
  /** lock-taken-over: the holder whose lock was taken, and whether --force-unlock did it. */
  readonly lock: { readonly holder: LockInfo | null; readonly forced: boolean } | null;
  /** Alertmanager's webhook payload fields, so its receivers read the event as an alert. */
  readonly version: "4";
  readonly status: "firing" | "resolved";
  readonly alerts: readonly {
    readonly status: "firing" | "resolved";
    readonly labels: Readonly<Record<string, string>>;
    readonly annotations: Readonly<Record<string, string>>;
    readonly startsAt: string;
  }[];
}

/** The events journal records stand for, one to one. */
const RECORD_EVENTS: Partial<Record<JournalRecord["type"], NotifyEvent>> = {
  "run-started": "run-started",
  "run-resumed": "run-resumed",
  "window-wait": "window-wait",
  "run-stopped": "run-stopped",
  "run-finished": "run-finished",
  "rollback-started": "rollback-started",
  "rollback-stopped": "rollback-stopped",
  "rollback-finished": "rollback-finished",
};

/** Events that need someone's attention: alerts that fire; the others resolve. */
const FIRING: ReadonlySet<NotifyEvent> = new Set(["run-stopped", "rollback-started", "rollback-stopped", "lock-taken-over"]);

interface Derived {
  readonly event: NotifyEvent;
  readonly record: JournalRecord | null;
  readonly service: string | null;
  readonly batch: number | null;
}

/**
 * Follows a run's records and says which events they make. A batch is finished when every
 * step of it (of the run's scope) is done, and is told so once in the run: a batch finished
 * in an earlier session does not finish again on resume.
 */
export class RunEvents {
  /** The run's state, record by record: a replay per event would cost the square of a long run. */
  private readonly fold = new RunStateFold();
  private readonly batchSteps = new Map<string, { service: string; batch: number; steps: PlanStep[] }>();
  private readonly stepBatch = new Map<string, string>();
  private readonly finished = new Set<string>();
  /** Steps done, kept record by record: a replay per record would cost the square of a long run. */
  private readonly done = new Set<string>();
  private scope: Scope | null = null;

  constructor(plan: PlanFile, earlier: readonly JournalRecord[]) {
    for (const step of plan.steps) {
      if (step.batch === null || step.service === null) continue;
      const key = `${step.service}\u0000${step.batch}`;
      const entry = this.batchSteps.get(key) ?? { service: step.service, batch: step.batch, steps: [] };
      entry.steps.push(step);
      this.batchSteps.set(key, entry);
      this.stepBatch.set(step.id, key);
    }
    // The earlier sessions' records go through the same rule, their events dropped: a batch
    // told finished then is not told again, even when a step of it was undone since.
    for (const record of earlier) this.onRecord(record);
  }

  /** The run's state after every record seen. */
  state(): RunState {
    return this.fold.value();
  }

  /** The events `record` makes, in order. */
  onRecord(record: JournalRecord): Derived[] {
    this.follow(record);
    const out: Derived[] = [];
    const event = RECORD_EVENTS[record.type];
    if (event !== undefined) out.push({ event, record, service: null, batch: null });
    const key = record.step !== undefined ? this.stepBatch.get(record.step) : undefined;
    if (key !== undefined && this.done.has(record.step ?? "") && !this.finished.has(key) && this.batchDone(key)) {
      this.finished.add(key);
      const entry = this.batchSteps.get(key);
      // Numbered from 1, as the preview and the step ids (`app/b2/...`) number batches.
      out.push({ event: "batch-finished", record, service: entry?.service ?? null, batch: entry === undefined ? null : entry.batch + 1 });
    }
    return out;
  }

  private follow(record: JournalRecord): void {
    this.fold.apply(record);
    if (record.type === "run-started") this.scope = runScope(this.fold.value());
    const id = record.step;
    if (id === undefined) return;
    if (record.type === "step-succeeded" || record.type === "step-skipped") this.done.add(id);
    else if (record.type === "step-started" || record.type === "step-failed" || record.type === "step-undone" || record.type === "step-undo-started") this.done.delete(id);
  }

  private batchDone(key: string): boolean {
    const entry = this.batchSteps.get(key);
    if (entry === undefined) return false;
    const scope = this.scope;
    const steps = scope === null ? entry.steps : entry.steps.filter((s) => inScope(s, scope));
    return steps.length > 0 && steps.every((s) => this.done.has(s.id));
  }
}

/** What the run itself verified, in one line: post-checks passed, hosts left out. */
export function verifySummary(plan: PlanFile, state: RunState): string {
  const postchecks = plan.steps.filter((s) => s.action === "postcheck");
  const passed = postchecks.filter((s) => isDone(state.steps.get(s.id)?.status)).length;
  const leftOut = [...state.steps.entries()].filter(([, s]) => s.status === "failed" && s.tolerated === true).map(([, s]) => s.host ?? "?");
  const checks = postchecks.length === 0 ? "no post-checks in the plan" : `post-checks passed: ${passed} of ${postchecks.length}`;
  const hosts = leftOut.length === 0 ? "no host left out" : `hosts left out (within max-failures): ${[...new Set(leftOut)].join(", ")}`;
  return `${checks}; ${hosts}; run \`upgradec verify\` to ask the cloud itself`;
}

export interface PayloadInput {
  readonly plan: PlanFile;
  readonly state: RunState;
  readonly event: NotifyEvent;
  readonly runId: string | null;
  readonly time: string;
  readonly now: number;
  readonly record: JournalRecord | null;
  readonly service?: string | null;
  readonly batch?: number | null;
  readonly lock?: { readonly holder: LockInfo | null; readonly forced: boolean } | null;
}

export function payloadOf(input: PayloadInput): NotifyPayload {
  const { plan, state, event } = input;
  const progress = runProgress(plan, state, input.now);
  const failed = [...state.steps.entries()]
    .filter(([, s]) => s.status === "failed" || s.status === "undo-failed")
    .map(([step, s]) => ({ step, host: s.host, message: s.message, tolerated: s.tolerated === true }));
  const verify = event === "run-finished" ? verifySummary(plan, state) : null;
  const base = {
    event,
    plan: plan.plan.name,
    run: input.runId,
    outcome: input.record?.outcome ?? null,
    message: input.record?.message ?? null,
    failed,
    service: input.service ?? null,
    batch: input.batch ?? null,
    progress,
    lock: input.lock ?? null,
  };
  const text = oneLine(describeEvent({ ...base, to: input.record?.to, until: input.record?.until, verify }));
  const status = FIRING.has(event) ? "firing" : "resolved";
  return {
    format: EVENT_FORMAT,
    ...base,
    time: input.time,
    text,
    verify,
    version: "4",
    status,
    alerts: [
      {
        status,
        labels: { alertname: "UpgradecRun", plan: plan.plan.name, event, ...(input.runId !== null ? { run: input.runId } : {}) },
        annotations: { summary: text },
        startsAt: input.time,
      },
    ],
  };
}

/** Control characters would let a value break a mail header or a log line: one line, always. */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]+/g, " ");
}

interface Describe {
  readonly event: NotifyEvent;
  readonly plan: string;
  readonly run: string | null;
  readonly outcome: string | null;
  readonly message: string | null;
  readonly failed: NotifyPayload["failed"];
  readonly service: string | null;
  readonly batch: number | null;
  readonly progress: RunProgress;
  readonly lock: NotifyPayload["lock"];
  readonly to: string | null | undefined;
  readonly until: string | undefined;
  readonly verify: string | null;
}

function describeEvent(e: Describe): string {
  const p = e.progress;
  const steps = `${p.done}/${p.total} steps done`;
  const eta = `estimated end ${p.estimatedEnd}${p.behind !== null ? ` (${p.behind > 0 ? `${formatDuration(p.behind)} behind` : `${formatDuration(-p.behind)} ahead of`} the plan)` : ""}`;
  const run = `plan ${e.plan}${e.run !== null ? ` run ${e.run}` : ""}`;
  const hard = e.failed.filter((f) => !f.tolerated).map((f) => `${f.step}${f.host !== null ? ` on ${f.host}` : ""}`);
  switch (e.event) {
    case "run-started":
      return `${run} started: ${p.total} steps, planned end ${p.plannedEnd ?? "?"}`;
    case "run-resumed":
      return `${run} resumed: ${steps}, ${eta}`;
    case "window-wait":
      return `${run} waits for its window${e.until !== undefined ? ` until ${e.until}` : ""}: ${steps}`;
    case "batch-finished":
      return `${run}: ${e.service ?? "?"} batch ${e.batch ?? "?"} finished: ${steps}, ${eta}`;
    case "run-stopped":
      return `${run} STOPPED (${e.outcome ?? "stopped"}): ${e.message ?? "a failure"}${hard.length > 0 ? `; failed: ${hard.slice(0, 5).join(", ")}${hard.length > 5 ? ", …" : ""}` : ""}; ${steps}`;
    case "run-finished":
      return `${run} finished: ${steps}; ${e.verify ?? ""}`;
    case "rollback-started":
      return `${run}: rollback to ${e.to ?? "the start"} started`;
    case "rollback-stopped":
      return `${run}: rollback STOPPED: ${e.message ?? "a failure"}`;
    case "rollback-finished":
      return `${run}: rolled back to ${e.to ?? "the start"}`;
    case "lock-taken-over": {
      const h = e.lock?.holder;
      const who = h ? `${h.user}@${h.host} (pid ${h.pid}, upgradec ${h.command}) since ${h.since}` : "a damaged lock";
      return `${run}: took over the lock of ${who}${e.lock?.forced === true ? " (--force-unlock)" : ": that process is gone"}`;
    }
  }
}
