/**
 * Every preview renders any plan the fixture can build, and a bare one, without throwing and
 * without leaking NaN, Infinity or undefined into what the operator reads.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { renderPreview, type PreviewFormat } from "../../src/preview/preview.js";
import type { PlanFile } from "../../src/plan/plan.js";
import { anyFixturePlan, planFile } from "../support/plan-builder.js";

const FORMATS: readonly PreviewFormat[] = ["text", "json", "dot", "mermaid", "html"];

function renderAll(plan: PlanFile): Record<PreviewFormat, string> {
  const out = {} as Record<PreviewFormat, string>;
  for (const format of FORMATS) out[format] = renderPreview(plan, format, { steps: format === "mermaid", color: false });
  return out;
}

const bare: PlanFile = planFile();

describe("previews of any plan", () => {
  it("render a plan with nothing in it", () => {
    const out = renderAll(bare);
    for (const format of FORMATS) expect(out[format], format).not.toMatch(/NaN|Infinity|undefined/);
    expect(out.text.trimEnd().split("\n").at(-1)).toBe("Plan: 0 services, no windows, 0 steps, 0s.");
    expect(out.text).toContain("no point of no return");
    expect(out.dot).toBe('digraph "empty" {\n  graph [rankdir=LR, fontname="Helvetica", labelloc=t, label="empty: services"];\n' +
      '  node [shape=box, style="rounded,filled", fillcolor="#eef3fb", color="#4a6fa5", fontname="Helvetica", fontsize=11];\n' +
      '  edge [color="#555555", arrowsize=0.7];\n}\n');
  });

  it("render every fixture plan, whatever its size, zones, caps and urgency", () => {
    fc.assert(
      fc.property(
        anyFixturePlan,
        (plan) => {
          const out = renderAll(plan);
          for (const format of FORMATS) expect(out[format], format).not.toMatch(/NaN|Infinity|undefined/);
          const batches = plan.services.reduce((n, s) => n + s.rolling.batches.length, 0);
          expect(out.text.match(/^\s+(batch \d+\/\d+|all hosts) /gm)?.length).toBe(batches);
          expect(out.html.match(/class="bar batch/g)?.length).toBe(batches);
        },
      ),
      { numRuns: 40 },
    );
  });
});
