/**
 * Rolling limited only by the caps: batches filled across failure domains (round-robin over
 * the domain values, `order` kept inside each, never more of a domain than its cap), and
 * `batch … then continuous`, where every host after the ramp is in one batch with no
 * barrier. Compiled from .upg sources: the plan's batches, its schedule, the checks and the
 * preview.
 */
import fc from "fast-check";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compileFile, type CompileResult } from "../../../src/compiler/compile.js";
import { nodeLoadHost } from "../../../src/files/node-host.js";
import { composeBatches } from "../../../src/compiler/resolve/compose-batches.js";
import type { PlanFile } from "../../../src/plan/plan.js";
import { renderPreview } from "../../../src/preview/preview.js";
import { renderText } from "../../../src/preview/text.js";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Compile `rolling { … }` for hosts given as [name, az, instances]; each host's chain is one 10m upgrade (`extra`: more of the service). */
function compileRolling(rolling: string, hosts: readonly (readonly [string, string, number])[], extra = "", capacity = 0): CompileResult {
  const dir = mkdtempSync(join(tmpdir(), "upgradec-rolling-modes-"));
  dirs.push(dir);
  const room = capacity > 0 ? ` capacity=${capacity}` : "";
  writeFileSync(join(dir, "hosts.ini"), ["[compute]", ...hosts.map(([h, az, n]) => `${h} az=${az} instances=${n}${room}`), ""].join("\n"));
  writeFileSync(
    join(dir, "main.upg"),
    `plan "p" { from "a" to "b"  parallelism 100 }
inventory "hosts.ini"
service nova-compute {
  on compute
  tags rolling-upgrade
  plane data
  rolling { ${rolling} }
  upgrade ["up", "{host}"] { takes 10m }
${extra}
}
`,
  );
  return compileFile("main.upg", nodeLoadHost(dir), { now: new Date("2026-12-01T12:00:00Z"), compilerVersion: "0.0.0-test", start: "2026-12-05T22:00" });
}

function planOf(result: CompileResult): PlanFile {
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  if (result.plan === null) throw new Error("no plan");
  return result.plan;
}

/** Per batch of nova-compute, its hosts. */
function batchesOf(p: PlanFile): string[][] {
  const out: string[][] = [];
  for (const s of p.steps) {
    if (s.service !== "nova-compute" || s.action !== "upgrade" || s.batch === null) continue;
    (out[s.batch] ??= []).push(s.hosts[0] as string);
  }
  return out;
}

const azOf = (p: PlanFile, host: string): string => String(p.hosts.find((h) => h.name === host)?.vars["az"]);

describe("batches filled across failure domains", () => {
  // The case: with `max-unavailable 1 per az`, a batch of two held hv02 and hv03,
  // both in az1, which ran one after the other while az2 waited.
  const hosts = [
    ["hv01", "az1", 0],
    ["hv02", "az1", 1],
    ["hv03", "az1", 2],
    ["hv04", "az2", 3],
    ["hv05", "az2", 4],
  ] as const;

  it("puts one host of each zone in a batch of two under `max-unavailable 1 per az`", () => {
    const p = planOf(compileRolling("batch 1, 2  max-unavailable 1 per az  order empty-first", hosts));
    const batches = batchesOf(p);
    expect(batches).toEqual([["hv01"], ["hv04", "hv02"], ["hv05", "hv03"]]);
    expect(p.services[0]?.rolling.batches).toEqual([1, 2, 2]);
    // Both hosts of batch 2 start together, not one after the other.
    const starts = p.steps.filter((s) => s.batch === 1 && s.action === "upgrade").map((s) => s.estimate.start);
    expect(new Set(starts).size).toBe(1);
    // The plan file lists the hosts in rollout order, as `check` cuts them into batches.
    expect(p.services[0]?.hosts).toEqual(["hv01", "hv04", "hv02", "hv05", "hv03"]);
  });

  it("makes a batch smaller rather than hold more of a zone than its cap", () => {
    // az2 runs out after two hosts: the last batches hold az1's rest, one at a time.
    const p = planOf(compileRolling("batch 2  max-unavailable 1 per az  order inventory", hosts));
    expect(batchesOf(p)).toEqual([["hv01", "hv04"], ["hv02", "hv05"], ["hv03"]]);
  });

  it("never holds more of a domain than its cap, and keeps `order` inside each domain (property)", () => {
    const cases = fc.record({
      domains: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 40 }),
      caps: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 5, maxLength: 5 }),
      ramp: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 }),
      continuous: fc.boolean(),
    });
    fc.assert(
      fc.property(cases, ({ domains, caps, ramp, continuous }) => {
        const ordered = domains.map((d, i) => `h${i}:d${d}`);
        const domainOf = (h: string): string => h.split(":")[1] as string;
        const capOf = (d: string): number => caps[Number(d.slice(1))] as number;
        const { hosts, batches } = composeBatches(ordered, { ramp, continuous, domainOf, capOf });
        expect([...hosts].sort()).toEqual([...ordered].sort());
        expect(batches.reduce((a, b) => a + b, 0)).toBe(ordered.length);
        expect(batches.every((b) => b > 0)).toBe(true);
        // Inside each domain, the rolling order.
        for (const d of new Set(ordered.map(domainOf))) expect(hosts.filter((h) => domainOf(h) === d)).toEqual(ordered.filter((h) => domainOf(h) === d));
        let at = 0;
        batches.forEach((size, b) => {
          const batch = hosts.slice(at, at + size);
          at += size;
          if (continuous && b === batches.length - 1 && b >= ramp.length) return;
          expect(size).toBeLessThanOrEqual(ramp[Math.min(b, ramp.length - 1)] as number);
          const count = new Map<string, number>();
          for (const h of batch) count.set(domainOf(h), (count.get(domainOf(h)) ?? 0) + 1);
          for (const [d, n] of count) expect(n).toBeLessThanOrEqual(capOf(d));
        });
        if (continuous) expect(batches.length).toBeLessThanOrEqual(ramp.length + 1 + ordered.length);
      }),
      { numRuns: 500 },
    );
  });
});

describe("batch … then continuous", () => {
  // 12 hosts in three zones; with empty-first the emptiest go first in each zone.
  const hosts = Array.from({ length: 12 }, (_, i) => [`cmp${String(i + 1).padStart(2, "0")}`, `az${(i % 3) + 1}`, (i * 5) % 7] as const);

  it("rolls the ramp in batches, then every other host in one batch with no barrier", () => {
    const p = planOf(compileRolling("batch 1, 2 then continuous  max-unavailable 1 per az  pause 5m  order empty-first", hosts));
    const rolling = p.services[0]?.rolling;
    expect(rolling?.batches).toEqual([1, 2, 9]);
    expect(rolling?.continuous).toBe(true);
    // Pauses separate the ramp's batches and the ramp from the continuous part, not its hosts.
    expect(p.steps.filter((s) => s.action === "batch-pause").map((s) => [s.id, s.estimate.duration])).toEqual([
      ["nova-compute/b1/pause", 300],
      ["nova-compute/b2/pause", 300],
      ["nova-compute/done", 0],
    ]);
    // Inside the continuous batch, at most one per zone at any planned instant, three at once.
    const chains = p.steps.filter((s) => s.batch === 2 && s.action === "upgrade").map((s) => ({ host: s.hosts[0] as string, start: s.estimate.start, end: s.estimate.start + s.estimate.duration }));
    for (const c of chains) {
      const overlapping = chains.filter((o) => o.start <= c.start && c.start < o.end);
      expect(overlapping.length).toBeLessThanOrEqual(3);
      expect(new Set(overlapping.map((o) => azOf(p, o.host))).size).toBe(overlapping.length);
    }
    // Three waves of three, back to back: the caps, not barriers, set the pace.
    const starts = [...new Set(chains.map((c) => c.start))].sort((a, b) => a - b);
    expect(starts.map((t) => t - (starts[0] as number))).toEqual([0, 600, 1200]);
  });

  it("has no continuous part when the ramp takes every host", () => {
    const p = planOf(compileRolling("batch 1, 2 then continuous  max-unavailable 1 per az", hosts.slice(0, 3)));
    expect(p.services[0]?.rolling.batches).toEqual([1, 2]);
    expect(p.services[0]?.rolling.continuous).toBeUndefined();
  });

  it("is not held to max-unavailable as a batch (UPG0502), while a ramp batch still is", () => {
    const ok = compileRolling("batch 1, 2 then continuous  max-unavailable 2", hosts);
    expect(ok.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const over = compileRolling("batch 1, 3 then continuous  max-unavailable 2", hosts);
    expect(over.diagnostics.map((d) => d.code)).toContain("UPG0502");
  });

  it("checks the room to evacuate against what is out at once, not the whole continuous part (UPG0505)", () => {
    // 12 hosts of 0–6 instances (36 in all) and capacity 5: the 9 hosts after the ramp could
    // not all be emptied at once, but one per zone (three at once) can; with capacity 3, not even that.
    const evacuate = 'evacuate live-migrate concurrency 2 timeout 30m { run ["evacuate", "{host}"]  capacity-var capacity }';
    const continuous = compileRolling("batch 1, 2 then continuous  max-unavailable 1 per az", hosts, evacuate, 5);
    expect(continuous.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const tight = compileRolling("batch 1, 2 then continuous  max-unavailable 1 per az", hosts, evacuate, 3);
    expect(tight.diagnostics.map((d) => d.code)).toContain("UPG0505");
  });

  it("shows the ramp and the continuous part in the preview, with the bound", () => {
    const p = planOf(compileRolling("batch 1, 2 then continuous  max-unavailable 1 per az  order empty-first", hosts));
    const text = renderText(p, { color: false });
    expect(text).toContain("batches 1, 2, then 9 continuously, max");
    expect(text).toMatch(/nova-compute: \S+ planned, bound \S+ \(1\.\d\d×\)/);
  });

  it("names the continuous part as such, not as a batch, in the text and the HTML preview", () => {
    const p = planOf(compileRolling("batch 1, 2 then continuous  max-unavailable 1 per az", hosts));
    const text = renderText(p, { color: false });
    expect(text).toMatch(/batch 2\/3 +cmp/);
    expect(text).toMatch(/continuous +cmp/);
    expect(text).not.toContain("batch 3/3");
    const titles = [...renderPreview(p, "html", { steps: false, color: false }).matchAll(/<title>([^\n<]*)/g)].map((m) => m[1]).filter((t) => t?.startsWith("nova-compute "));
    expect(titles.map((t) => t?.replace(/:.*/, ""))).toEqual(["nova-compute batch 1/3", "nova-compute batch 2/3", "nova-compute continuous"]);
  });
});
