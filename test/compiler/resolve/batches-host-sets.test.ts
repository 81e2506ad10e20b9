/**
 * Batches are filled under the caps per set of hosts too (compose-batches.ts): a batch never
 * holds more hosts of one set than its cap, so its hosts do not run one after the other
 * behind the barrier while others wait for the next batch.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { compileFile } from "../../../src/compiler/compile.js";
import { nodeLoadHost } from "../../../src/files/node-host.js";
import { factsFileText, type Facts } from "../../../src/facts/facts-file.js";
import type { PlanFile } from "../../../src/plan/plan.js";

const dir = mkdtempSync(join(tmpdir(), "upgradec-batch-sets-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Hosts c1..cN; `groups[g]` lists the hosts holding a member of anti-affinity group g. */
function factsOf(hosts: number, groups: readonly (readonly number[])[]): Facts {
  const names = Array.from({ length: hosts }, (_, i) => `c${i + 1}`);
  return {
    hosts: names.map((name, i) => ({
      name,
      zone: "nova",
      enabled: true,
      up: true,
      aggregates: [],
      servers: groups.flatMap((members, g) => (members.includes(i) ? [{ id: `s-${g}-${i}`, name: `s-${g}-${i}`, status: "ACTIVE", groups: [`g${g}`] }] : [])),
    })),
    aggregates: [],
    serverGroups: groups.map((members, g) => ({ id: `g${g}`, name: `grp${g}`, policy: "anti-affinity" as const, members: members.map((i) => `s-${g}-${i}`) })),
  };
}

function compile(hosts: number, groups: readonly (readonly number[])[], batch: number): PlanFile {
  writeFileSync(join(dir, "facts.json"), factsFileText(factsOf(hosts, groups)));
  writeFileSync(
    join(dir, "p.upg"),
    `plan "p" { kind update  from "a" to "b"  parallelism 100 }
facts "facts.json"
service nova-compute {
  on compute
  tags rolling-upgrade
  rolling { batch ${batch}  max-unavailable ${batch}  max-unavailable 1 per anti-affinity }
  upgrade ["true"] { takes 3m }
}
`,
  );
  const r = compileFile("p.upg", nodeLoadHost(dir), { now: new Date("2026-12-01T12:00:00Z"), compilerVersion: "0.0.0-test", start: "2026-12-05T22:00" });
  expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  if (r.plan === null) throw new Error("no plan");
  return r.plan;
}

/** Per batch, its hosts, from the plan's steps. */
function batchesOf(plan: PlanFile): string[][] {
  const out: string[][] = [];
  for (const s of plan.steps) {
    if (s.batch === null || s.action !== "upgrade") continue;
    const list = (out[s.batch] ??= []);
    for (const h of s.hosts) if (!list.includes(h)) list.push(h);
  }
  return out;
}

describe("batches under caps per set of hosts", () => {
  it("puts two members of one anti-affinity group in different batches: two batches of two, 6m, not 12m", () => {
    // c1, c2 hold members of one group, c3, c4 of another; in inventory order a batch of two
    // was c1, c2, which then ran one after the other (and c3, c4 the same) behind the barrier.
    const plan = compile(
      4,
      [
        [0, 1],
        [2, 3],
      ],
      2,
    );
    expect(batchesOf(plan)).toEqual([
      ["c1", "c3"],
      ["c2", "c4"],
    ]);
    expect(plan.timing.total).toBe(6 * 60);
  });

  it("never puts more hosts of one set in a batch than its cap, and keeps every host once (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 9 }),
        fc.array(fc.array(fc.boolean(), { minLength: 9, maxLength: 9 }), { maxLength: 3 }),
        fc.integer({ min: 1, max: 9 }),
        (hosts, masks, batch) => {
          const groups = masks.map((m) => m.flatMap((on, i) => (on && i < hosts ? [i] : [])));
          const plan = compile(hosts, groups, Math.min(batch, hosts));
          const batches = batchesOf(plan);
          expect(batches.flat().sort()).toEqual(Array.from({ length: hosts }, (_, i) => `c${i + 1}`).sort());
          for (const b of batches) {
            for (const members of groups) expect(b.filter((h) => members.includes(Number(h.slice(1)) - 1)).length).toBeLessThanOrEqual(1);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
