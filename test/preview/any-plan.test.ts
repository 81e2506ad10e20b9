/**
 * Every preview renders any plan the fixture can build, and a bare one, without throwing and
 * without leaking NaN, Infinity or undefined into what the operator reads.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { renderPreview, type PreviewFormat } from "../../src/preview/preview.js";
import { PLAN_FORMAT, type PlanFile } from "../../src/plan/plan.js";
import { fixturePlan } from "./fixture-plan.js";

const FORMATS: readonly PreviewFormat[] = ["text", "json", "dot", "mermaid", "html"];

function renderAll(plan: PlanFile): Record<PreviewFormat, string> {
  const out = {} as Record<PreviewFormat, string>;
  for (const format of FORMATS) out[format] = renderPreview(plan, format, { steps: format === "mermaid", color: false });
  return out;
}

const bare: PlanFile = {
  format: PLAN_FORMAT,
  fingerprint: "",
  digest: "",
  compiler: { name: "upgradec", version: "0.0.0-test" },
  sources: [],
  entry: "empty.upg",
  plan: { name: "empty", kind: "update", urgent: false, from: null, to: null, start: "2026-12-05T22:00:00.000Z", startSource: "assumed", zone: "UTC", parallelism: 8 },
  hosts: [],
  services: [],
  windows: [],
  checkpoints: [],
  secrets: [],
  connections: [],
  steps: [],
  timing: { total: 0, criticalPath: [], windowsUsed: [], end: "2026-12-05T22:00:00.000Z" },
  impact: { services: [], hosts: [], instancesMigrated: 0, peakDataPlaneOut: 0, pointOfNoReturn: null },
};

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
        fc.record({
          computeHosts: fc.integer({ min: 1, max: 60 }),
          zones: fc.integer({ min: 1, max: 4 }),
          perZone: fc.integer({ min: 1, max: 4 }),
          urgent: fc.boolean(),
          startSource: fc.constantFrom("plan" as const, "option" as const, "assumed" as const),
        }),
        (options) => {
          const plan = fixturePlan(options);
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
