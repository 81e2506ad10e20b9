// STUB (owned by the expand/schedule work): replaced by expand → schedule → impact → emit.
import type { Result } from "../diagnostics/diagnostic.js";
import type { PlanFile } from "../plan/plan.js";
import type { Model } from "./model.js";

export interface BuildOptions {
  /** --start: an ISO local date-time ("2026-12-05T22:00") in the plan's zone, or with an offset. Overrides the plan's start. */
  readonly start?: string;
  /** Now, for assuming a start when neither the plan nor --start gives one. */
  readonly now: Date;
  /** The compiler version, for the fingerprint. */
  readonly compilerVersion: string;
}

/** Expand the model into steps, schedule them, compute the impact, and make the plan file. Never throws. */
export function buildPlan(_model: Model, _options: BuildOptions): Result<PlanFile | null> {
  return { value: null, diagnostics: [] };
}
