/**
 * What `compile --history` learns from: the successful attempts earlier runs measured, as
 * the runtime reads them from its journals (src/runtime/history.ts) and the compiler turns
 * them into estimates (src/compiler/estimate-book.ts).
 */
import type { PlanHistoryRun, StepAction } from "./plan.js";

/** One successful attempt of one step, as a journal recorded it. */
export interface HistorySample {
  readonly service: string;
  readonly action: StepAction;
  /** The host it ran on (null for a per-service step). */
  readonly host: string | null;
  readonly seconds: number;
  /** The run's id. */
  readonly run: string;
}

export interface History {
  /** The runs read, in the order of their ids (the plan file records them). */
  readonly runs: readonly PlanHistoryRun[];
  readonly samples: readonly HistorySample[];
}
