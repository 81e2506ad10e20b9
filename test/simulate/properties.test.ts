/**
 * Property tests: for generated clouds and policies (host counts, failure domains, batch
 * ramps, caps, instances and capacity, checkpoints), the compiled plan simulated with random
 * faults never breaks an invariant, and a rollback after any failing step restores the
 * from state.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NO_FAULTS } from "../../src/simulate/faults.js";
import { simulate } from "../../src/simulate/simulate.js";
import { cloudModel, type CloudShape, compiledPlan } from "../support/plan-builder.js";

const shape: fc.Arbitrary<CloudShape> = fc
  .record({
    controllers: fc.integer({ min: 1, max: 3 }),
    computes: fc.integer({ min: 2, max: 12 }),
    domains: fc.integer({ min: 1, max: 3 }),
    instances: fc.integer({ min: 0, max: 4 }),
    capacity: fc.option(fc.integer({ min: 2, max: 12 }), { nil: null }),
    maxUnavailable: fc.integer({ min: 1, max: 4 }),
    ramp: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }),
    perDomain: fc.option(fc.integer({ min: 1, max: 2 }), { nil: null }),
    maxFailures: fc.integer({ min: 0, max: 2 }),
    checkpoint: fc.boolean(),
    contract: fc.boolean(),
    allAtOnce: fc.boolean(),
  })
  .map(({ ramp, ...s }) => ({ ...s, batches: ramp }));

const RUNS = Number(process.env["UPGRADEC_PROPERTY_RUNS"] ?? 200);

describe("simulate: properties", () => {
  it("compiled plans simulated with random faults never violate an invariant", async () => {
    const outcomes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(
        shape,
        fc.record({
          failRate: fc.constantFrom(0, 0.02, 0.1, 0.3),
          seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
          slowReboot: fc.constantFrom(1, 2, 5),
          down: fc.boolean(),
          downIndex: fc.nat(),
          rollback: fc.boolean(),
        }),
        async (cloud, f) => {
          const p = compiledPlan(cloudModel(cloud));
          const computes = p.services.find((s) => s.name === "nova-compute")?.hosts ?? [];
          const down = f.down ? [computes[f.downIndex % computes.length] ?? ""] : [];
          const r = await simulate(p, { faults: { ...NO_FAULTS, failRate: f.failRate, seed: f.seed, slow: { reboot: f.slowReboot }, down }, rollbackOnFailure: f.rollback });
          outcomes.set(r.outcome, (outcomes.get(r.outcome) ?? 0) + 1);
          expect(r.violations).toEqual([]);
          expect(r.model.instanceCount).toBe(r.model.totalInstances);
          if (r.outcome === "completed") expect([...r.model.instances.values()].every((i) => i.version === "2023.1")).toBe(true);
        },
      ),
      { numRuns: RUNS },
    );
    // The generated faults reach every ending, so the property is not vacuous.
    if (RUNS >= 100) for (const o of ["completed", "stopped", "rolled-back"]) expect(outcomes.get(o) ?? 0).toBeGreaterThan(0);
  });

  it("a rollback after any failing step restores the from state", async () => {
    await fc.assert(
      fc.asyncProperty(shape, fc.nat(), async (cloud, pick) => {
        const p = compiledPlan(cloudModel(cloud));
        const fallible = p.steps.filter((s) => s.command !== null);
        const target = fallible[pick % fallible.length];
        if (!target) return;
        const r = await simulate(p, { faults: { ...NO_FAULTS, fail: [{ step: target.id, host: null }] }, rollbackOnFailure: true });
        expect(r.violations).toEqual([]);
        // The step fails, unless the run stopped before it (an evacuation with no room).
        expect(r.failed.length).toBeGreaterThan(0);
        if (!r.failed.some((x) => x.step === target.id)) expect(r.failed[0]?.message).toContain("no room");
        if (r.outcome === "rollback-refused") {
          // Only a point of no return passed, with no checkpoint before it to restore, stops the way back.
          expect(cloud.checkpoint).toBe(false);
          const done = new Set(r.journal.filter((j) => j.type === "step-succeeded").map((j) => j.step));
          expect(p.steps.some((s) => s.undo === "irreversible" && done.has(s.id))).toBe(true);
          return;
        }
        expect(r.outcome).toBe("rolled-back");
        expect([...r.model.instances.values()].filter((i) => i.version !== "zed")).toEqual([]);
        expect([...r.model.services.values()].every((s) => s.schema !== "contracted")).toBe(true);
        expect([...r.model.hosts.values()].every((h) => h.up && h.maintenance.size === 0)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });
});
