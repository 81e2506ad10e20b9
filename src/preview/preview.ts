// STUB (owned by the preview work): replaced by the text, JSON, DOT, Mermaid and HTML previews.
import type { PlanFile } from "../plan/plan.js";

export type PreviewFormat = "text" | "json" | "dot" | "mermaid" | "html";

export interface PreviewOptions {
  /** dot and mermaid: the whole step graph rather than the service DAG. */
  readonly steps: boolean;
  /** text: ANSI colour (only on a TTY, never with NO_COLOR). */
  readonly color: boolean;
}

/** A preview of the plan: a pure function of the plan file. */
export function renderPreview(plan: PlanFile, format: PreviewFormat, _options: PreviewOptions): string {
  return format === "json" ? JSON.stringify(plan, null, 2) + "\n" : `plan ${plan.plan.name}\n`;
}
