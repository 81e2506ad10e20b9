/**
 * Over random clouds (hosts in overlapping aggregates, anti-affinity groups spanning some of
 * them) and random rolling policies: the compiled schedule never has more hosts of a set
 * out at once than its cap, by an independent sweep over the plan's steps; and the
 * runtime's admission (CapTracker, on the same plan) refuses exactly the hosts that would
 * overfill a set.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { compileFile } from "../../src/compiler/compile.js";
import { nodeLoadHost } from "../../src/files/node-host.js";
import { factsFileText, type Facts } from "../../src/facts/facts-file.js";
import type { PlanFile } from "../../src/plan/plan.js";
import { CapTracker } from "../../src/runtime/caps.js";
import { keysOfStep, servicesByHost } from "../../src/plan/chains.js";

const dir = mkdtempSync(join(tmpdir(), "upgradec-host-sets-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cloud = fc
  .record({
    hosts: fc.integer({ min: 2, max: 9 }),
    aggregates: fc.array(fc.array(fc.boolean(), { minLength: 9, maxLength: 9 }), { maxLength: 3 }),
    groups: fc.array(fc.array(fc.boolean(), { minLength: 9, maxLength: 9 }), { maxLength: 3 }),
    batch: fc.integer({ min: 1, max: 9 }),
    share: fc.constantFrom(34, 50, 67, 100),
  })
  .map((c) => ({ ...c, batch: Math.min(c.batch, c.hosts) }));

function factsOf(c: { hosts: number; aggregates: boolean[][]; groups: boolean[][] }): Facts {
  const names = Array.from({ length: c.hosts }, (_, i) => `c${i + 1}`);
  const hosts = names.map((name, i) => ({
    name,
    zone: "nova",
    enabled: true,
    up: true,
    aggregates: c.aggregates.flatMap((m, a) => (m[i] ? [`agg${a}`] : [])),
    servers: c.groups.flatMap((m, g) => (m[i] ? [{ id: `s-${g}-${i}`, name: `s-${g}-${i}`, status: "ACTIVE", groups: [`g${g}`] }] : [])),
  }));
  return {
    hosts,
    aggregates: c.aggregates.map((m, a) => ({ name: `agg${a}`, zone: null, hosts: names.filter((_, i) => m[i]) })),
    serverGroups: c.groups.map((m, g) => ({ id: `g${g}`, name: `grp${g}`, policy: "anti-affinity" as const, members: names.flatMap((_, i) => (m[i] ? [`s-${g}-${i}`] : [])) })),
  };
}

function compile(c: { hosts: number; aggregates: boolean[][]; groups: boolean[][]; batch: number; share: number }): PlanFile {
  writeFileSync(join(dir, "facts.json"), factsFileText(factsOf(c)));
  writeFileSync(
    join(dir, "p.upg"),
    `plan "p" { kind update  from "a" to "b"  parallelism 100 }
facts "facts.json"
service nova-compute {
  on compute
  tags rolling-upgrade
  rolling {
    batch ${c.batch}
    max-unavailable ${c.batch}
    max-unavailable ${c.share}% per aggregate
    max-unavailable 1 per anti-affinity
  }
  upgrade ["true"] { takes 3m }
}
`,
  );
  const r = compileFile("p.upg", nodeLoadHost(dir), { now: new Date("2026-12-01T12:00:00Z"), compilerVersion: "0.0.0-test", start: "2026-12-05T22:00" });
  expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  if (r.plan === null) throw new Error("no plan");
  return r.plan;
}

describe("caps per set of hosts", () => {
  it("the schedule never takes more of a set out at once than its cap", () => {
    fc.assert(
      fc.property(cloud, (c) => {
        const plan = compile(c);
        const sets = plan.services[0]?.rolling.hostSets ?? [];
        const spans = plan.steps.filter((s) => s.action === "upgrade").map((s) => ({ host: s.hosts[0] as string, from: s.estimate.start, to: s.estimate.start + s.estimate.duration }));
        for (const set of sets) {
          for (const at of spans) {
            const out = spans.filter((o) => set.hosts.includes(o.host) && o.from <= at.from && at.from < o.to);
            expect(out.length, `${set.var} ${set.value} at +${at.from}s: ${out.map((o) => o.host).join(", ")}`).toBeLessThanOrEqual(set.max);
          }
        }
        // Every host of the cloud was upgraded.
        expect(new Set(spans.map((s) => s.host)).size).toBe(c.hosts);
      }),
      { numRuns: 25 },
    );
  });

  it("the runtime admits a host exactly when each of its sets has room", () => {
    fc.assert(
      fc.property(cloud, fc.array(fc.nat(), { maxLength: 12 }), (c, picks) => {
        const plan = compile(c);
        const sets = plan.services[0]?.rolling.hostSets ?? [];
        const caps = new CapTracker(plan);
        const onHost = servicesByHost(plan);
        const firstSteps = plan.steps.filter((s) => s.action === "upgrade");
        const out = new Set<string>();
        for (const p of picks) {
          const step = firstSteps[p % firstSteps.length];
          if (step === undefined) continue;
          const host = step.hosts[0] as string;
          const keys = keysOfStep(step, onHost);
          if (out.has(host)) {
            for (const k of keys) caps.release(k);
            out.delete(host);
            continue;
          }
          const fits = sets.every((s) => !s.hosts.includes(host) || s.hosts.filter((h) => out.has(h)).length + 1 <= s.max) && out.size + 1 <= (plan.services[0]?.rolling.maxUnavailable ?? 0);
          const refused = caps.wouldBreak(keys);
          expect(refused === null, `${host} with ${[...out].join(", ")} out: ${refused ?? "admitted"}`).toBe(fits);
          if (refused === null) {
            for (const k of keys) caps.take(k);
            out.add(host);
          }
        }
      }),
      { numRuns: 40 },
    );
  });
});
