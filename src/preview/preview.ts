/**
 * Previews of a plan: pure functions of the plan file (the CLI writes them out). `text` for
 * a person, `json` the plan itself, `dot` and `mermaid` the dependency graph, `html` one
 * self-contained page with the timeline.
 */
import type { PlanFile } from "../plan/plan.js";
import { planFileText } from "../plan/plan-text.js";
import { renderDot } from "./dot.js";
import { renderHtml } from "./html.js";
import { renderMermaid } from "./mermaid.js";
import { renderText } from "./text.js";

export type PreviewFormat = "text" | "json" | "dot" | "mermaid" | "html";

export interface PreviewOptions {
  /** dot and mermaid: the whole step graph rather than the service DAG. */
  readonly steps: boolean;
  /** text: ANSI colour (only on a TTY, never with NO_COLOR). */
  readonly color: boolean;
}

/** A preview of the plan: a pure function of the plan file. */
export function renderPreview(plan: PlanFile, format: PreviewFormat, options: PreviewOptions): string {
  switch (format) {
    case "text":
      return renderText(plan, { color: options.color });
    case "json":
      return planFileText(plan);
    case "dot":
      return renderDot(plan, { steps: options.steps });
    case "mermaid":
      return renderMermaid(plan, { steps: options.steps });
    case "html":
      return renderHtml(plan);
  }
}
