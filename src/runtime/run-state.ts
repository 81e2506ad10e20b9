/**
 * Where a run stands, replayed from its journal: the journal is the only truth, so resume,
 * rollback and status all start here.
 */
import type { JournalRecord } from "./journal.js";

export type StepStatus =
  | "pending"
  /** Started, never finished: the tool died, or is still running it. */
  | "interrupted"
  | "succeeded"
  | "failed"
  | "skipped"
  | "undoing"
  | "undone"
  | "undo-failed";

export interface StepState {
  readonly status: StepStatus;
  /** Times it was started, over every session of the run. */
  readonly attempts: number;
  /** The last failure's message. */
  readonly message: string | null;
  readonly host: string | null;
  /** Journal seq of its last success (for "completed after the checkpoint"). */
  readonly succeededSeq: number | null;
  /** Its last failure was within max-failures: its host was left out and the rollout went on. */
  readonly tolerated?: boolean;
}

export interface RunState {
  readonly runId: string | null;
  readonly fingerprint: string | null;
  readonly digest: string | null;
  readonly startedAt: string | null;
  readonly steps: ReadonlyMap<string, StepState>;
  readonly phase: "none" | "running" | "stopped" | "finished" | "rolling-back" | "rollback-stopped" | "rolled-back";
  /** The checkpoint the rollback in progress (or done) goes back to; null for the start. */
  readonly rollbackTo: string | null;
  readonly only: readonly string[] | null;
  readonly hostFilter: readonly string[] | null;
  readonly lastTime: string | null;
  /** Why the run (or its last session) stopped, while it is stopped. */
  readonly stop: { readonly reason: string | null; readonly interrupted: boolean } | null;
}

export const EMPTY_STATE: RunState = {
  runId: null,
  fingerprint: null,
  digest: null,
  startedAt: null,
  steps: new Map(),
  phase: "none",
  rollbackTo: null,
  only: null,
  hostFilter: null,
  lastTime: null,
  stop: null,
};

/**
 * The journal folded record by record: `replay` for a whole journal, and the follower of a
 * run that needs its state after each record (the events stream and the notifiers) without
 * replaying the journal each time.
 */
export class RunStateFold {
  private readonly steps = new Map<string, StepState>();
  private state: Omit<RunState, "steps"> = { ...EMPTY_STATE };

  /** The state after every record applied; its steps map is the fold's own (read it before the next apply). */
  value(): RunState {
    return { ...this.state, steps: this.steps };
  }

  apply(r: JournalRecord): void {
    const steps = this.steps;
    const get = (id: string): StepState => steps.get(id) ?? { status: "pending", attempts: 0, message: null, host: null, succeededSeq: null };
    let state: Omit<RunState, "steps"> = { ...this.state, lastTime: r.time };
    const id = r.step;
    switch (r.type) {
      case "run-started":
        state = {
          ...state,
          runId: r.run,
          fingerprint: r.fingerprint ?? null,
          digest: r.digest ?? null,
          startedAt: r.time,
          phase: "running",
          only: r.only ?? null,
          hostFilter: r.hostFilter ?? null,
        };
        break;
      case "run-resumed":
        state = { ...state, phase: "running", stop: null };
        break;
      case "run-stopped":
        state = { ...state, phase: "stopped", stop: { reason: r.message ?? null, interrupted: r.outcome === "interrupted" } };
        break;
      case "run-finished":
        state = { ...state, phase: "finished" };
        break;
      case "rollback-started":
        state = { ...state, phase: "rolling-back", rollbackTo: r.to ?? null };
        break;
      case "rollback-stopped":
        state = { ...state, phase: "rollback-stopped" };
        break;
      case "rollback-finished":
        state = { ...state, phase: "rolled-back" };
        break;
      case "window-wait":
        break;
      case "step-started":
        if (id) steps.set(id, { ...get(id), status: "interrupted", attempts: get(id).attempts + 1, host: r.host ?? null });
        break;
      case "step-succeeded":
        if (id) steps.set(id, { ...get(id), status: "succeeded", message: null, succeededSeq: r.seq });
        break;
      case "step-failed":
        if (id) steps.set(id, { ...get(id), status: "failed", message: r.message ?? null, tolerated: r.tolerated === true });
        break;
      case "step-skipped":
        if (id) steps.set(id, { ...get(id), status: "skipped", message: r.message ?? null, succeededSeq: r.seq });
        break;
      case "step-undo-started":
        if (id) steps.set(id, { ...get(id), status: "undoing" });
        break;
      case "step-undone":
        if (id) steps.set(id, { ...get(id), status: "undone", succeededSeq: null });
        break;
      case "undo-failed":
        if (id) steps.set(id, { ...get(id), status: "undo-failed", message: r.message ?? null });
        break;
    }
    this.state = state;
  }
}

export function replay(records: readonly JournalRecord[]): RunState {
  const fold = new RunStateFold();
  for (const r of records) fold.apply(r);
  return fold.value();
}

export function isDone(status: StepStatus | undefined): boolean {
  return status === "succeeded" || status === "skipped";
}
