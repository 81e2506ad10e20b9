/**
 * From the journal's records to the outside: the events stream (`--events FILE`) and the
 * notifiers are fed from the same records, in the order the journal makes them. A run-level
 * record (run started, stopped, finished, a window wait, a rollback) goes to the stream with
 * the run's progress and ETA; the events the journal does not hold (a batch finished, the
 * lock taken over) go as lines of their own, without `seq` (docs/runtime.md, "Events").
 */
import type { PlanFile } from "../plan/plan.js";
import type { EventsFile } from "./events.js";
import type { JournalRecord } from "./journal.js";
import type { LockInfo } from "./lock.js";
import type { Notifiers } from "./notifiers.js";
import { payloadOf, RunEvents, type NotifyPayload } from "./notify-events.js";

export interface FeedTargets {
  readonly events: EventsFile | null;
  readonly notifiers: Notifiers | null;
}

export class RunFeed {
  private readonly derive: RunEvents;
  /**
   * Whether anything reads the feed: without an events stream and without a notifier, the
   * events are not derived at all (each took the run's progress, a walk over the plan, at
   * every step's end).
   */
  private readonly fed: boolean;

  constructor(
    private readonly plan: PlanFile,
    private readonly runId: string,
    earlier: readonly JournalRecord[],
    private readonly targets: FeedTargets,
    private readonly now: () => number,
  ) {
    this.derive = new RunEvents(plan, earlier);
    this.fed = targets.events !== null || (targets.notifiers !== null && (plan.notify ?? []).length > 0);
  }

  onRecord(record: JournalRecord): void {
    if (!this.fed) return;
    const derived = this.derive.onRecord(record);
    if (derived.length === 0) {
      this.targets.events?.write(record);
      return;
    }
    const state = this.derive.state();
    const payloads = derived.map((d) =>
      payloadOf({ plan: this.plan, state, event: d.event, runId: this.runId, time: record.time, now: this.now(), record: d.record, service: d.service, batch: d.batch }),
    );
    // The record itself (a run-level one with the progress it leaves), then a batch's end as a line of its own.
    const own = payloads.find((p) => p.event !== "batch-finished");
    this.targets.events?.write(record, own !== undefined ? { progress: own.progress } : {});
    for (const payload of payloads) {
      if (payload.event === "batch-finished") this.targets.events?.writeEvent(streamLine(payload));
      this.targets.notifiers?.fire(payload);
    }
  }

  lockTakenOver(tookOver: { readonly holder: LockInfo | null; readonly forced: boolean }): void {
    if (!this.fed) return;
    const time = new Date(this.now()).toISOString();
    const payload = payloadOf({ plan: this.plan, state: this.derive.state(), event: "lock-taken-over", runId: this.runId, time, now: this.now(), record: null, lock: tookOver });
    this.targets.events?.writeEvent(streamLine(payload));
    this.targets.notifiers?.fire(payload);
  }
}

/** A derived event as a line of the stream: its type where records have theirs. */
function streamLine(p: NotifyPayload): Record<string, unknown> {
  return {
    type: p.event,
    time: p.time,
    run: p.run,
    ...(p.service !== null ? { service: p.service, batch: p.batch } : {}),
    ...(p.lock !== null ? { lock: p.lock } : {}),
    message: p.text,
    progress: p.progress,
  };
}
