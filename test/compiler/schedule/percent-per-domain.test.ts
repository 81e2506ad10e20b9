/**
 * `max-unavailable 50% per rack` is half of each rack's hosts (rounded down, at least 1),
 * not half of the service's: resolved per rack in the plan and the preview, kept by the
 * scheduler, and by the runtime's caps (seen through simulate, the real runtime on a model).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compileFile } from "../../../src/compiler/compile.js";
import { nodeLoadHost } from "../../../src/files/node-host.js";
import type { PlanFile } from "../../../src/plan/plan.js";
import { renderText } from "../../../src/preview/text.js";
import { simulate } from "../../../src/simulate/simulate.js";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** 40 hosts: rack r1 holds 10, r2 6, r3 24. */
const RACKS: readonly [string, number][] = [
  ["r1", 10],
  ["r2", 6],
  ["r3", 24],
];

function compile(): PlanFile {
  const dir = mkdtempSync(join(tmpdir(), "upgradec-per-domain-"));
  dirs.push(dir);
  const lines = ["[web]"];
  let n = 0;
  for (const [rack, size] of RACKS) for (let i = 0; i < size; i++) lines.push(`web${String(++n).padStart(2, "0")} rack=${rack}`);
  writeFileSync(join(dir, "hosts.ini"), `${lines.join("\n")}\n`);
  writeFileSync(
    join(dir, "main.upg"),
    `plan "p" { from "a" to "b"  parallelism 100 }
inventory "hosts.ini"
service api {
  on web
  tags rolling-upgrade
  rolling { batch 20  max-unavailable 50% per rack }
  upgrade ["up", "{host}"] { takes 5m }
}
`,
  );
  const result = compileFile("main.upg", nodeLoadHost(dir), { now: new Date("2026-12-01T12:00:00Z"), compilerVersion: "0.0.0-test", start: "2026-12-05T22:00" });
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  if (result.plan === null) throw new Error("no plan");
  return result.plan;
}

const rackOf = (p: PlanFile, host: string): string => String(p.hosts.find((h) => h.name === host)?.vars["rack"]);

/** The most hosts of each rack out at one instant, by the steps' planned times. */
function plannedPeak(p: PlanFile): Map<string, number> {
  const peak = new Map<string, number>();
  const ups = p.steps.filter((s) => s.action === "upgrade");
  for (const s of ups) {
    const at = s.estimate.start;
    const out = new Map<string, number>();
    for (const o of ups) if (o.estimate.start <= at && at < o.estimate.start + o.estimate.duration) out.set(rackOf(p, o.hosts[0] ?? ""), (out.get(rackOf(p, o.hosts[0] ?? "")) ?? 0) + 1);
    for (const [rack, k] of out) peak.set(rack, Math.max(peak.get(rack) ?? 0, k));
  }
  return peak;
}

describe("max-unavailable N% per domain", () => {
  it("resolves to a share of each domain's hosts, in the plan and the preview", () => {
    const p = compile();
    const rolling = p.services.find((s) => s.name === "api")?.rolling;
    expect(rolling?.maxUnavailableByDomain).toEqual({ r1: 5, r2: 3, r3: 12 });
    const text = renderText(p, { color: false });
    expect(text).toContain("max unavailable per rack: r1 5, r2 3, r3 12");
  });

  it("is kept by the schedule: each rack's hosts go half at a time", () => {
    const p = compile();
    expect(Object.fromEntries(plannedPeak(p))).toEqual({ r1: 5, r2: 3, r3: 12 });
  });

  it("is kept by the runtime's caps", async () => {
    const p = compile();
    const outNow = new Map<string, number>();
    const peak = new Map<string, number>();
    const r = await simulate(p, {
      onEvent: (_e, model) => {
        outNow.clear();
        for (const host of model.services.get("api")?.out ?? []) outNow.set(rackOf(p, host), (outNow.get(rackOf(p, host)) ?? 0) + 1);
        for (const [rack, k] of outNow) peak.set(rack, Math.max(peak.get(rack) ?? 0, k));
      },
    });
    expect(r.outcome).toBe("completed");
    expect(r.violations).toEqual([]);
    expect(Object.fromEntries(peak)).toEqual({ r1: 5, r2: 3, r3: 12 });
  });
});
