/**
 * The bound beside the plan's own figures (docs/language.md, "The bound"): per rolling
 * service, its work over the most hosts its caps allow out at once, fitted into its
 * window's usable time; checked on hand-computable clouds through the plan JSON.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compileFile } from "../../../src/compiler/compile.js";
import { nodeLoadHost } from "../../../src/files/node-host.js";
import type { PlanFile } from "../../../src/plan/plan.js";
import { validatePlanFile } from "../../../src/plan/validate.js";
import { renderHtml } from "../../../src/preview/html.js";
import { renderText } from "../../../src/preview/text.js";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const HOUR = 3600;

/** Hosts web01.. with a rack var each, one service whose chain is one 1h upgrade. */
/** With `split`, hosts from that index on run a second service `b` (its own rolling block), beside `api`. */
interface Options {
  readonly parallelism?: number;
  readonly split?: number;
  readonly second?: string;
}

function compile(racks: readonly [string, number][], rolling: string, extra = "", serviceExtra = "", options: Options = {}): PlanFile {
  const dir = mkdtempSync(join(tmpdir(), "upgradec-bound-"));
  dirs.push(dir);
  const lines = ["[web]"];
  let n = 0;
  const second: string[] = ["[other]"];
  for (const [rack, size] of racks) {
    for (let i = 0; i < size; i++) {
      const line = `web${String(++n).padStart(2, "0")} rack=${rack}`;
      (options.split !== undefined && n > options.split ? second : lines).push(line);
    }
  }
  writeFileSync(join(dir, "hosts.ini"), `${[...lines, ...(second.length > 1 ? second : [])].join("\n")}\n`);
  const b = options.second === undefined ? "" : `service b {\n  on other\n  tags rolling-upgrade\n  ${options.second}\n  upgrade ["up", "{host}"] { takes 1h }\n}\n`;
  writeFileSync(
    join(dir, "main.upg"),
    `plan "p" { from "a" to "b"  parallelism ${options.parallelism ?? 100} }
inventory "hosts.ini"
${extra}
service api {
  on web
  tags rolling-upgrade
  rolling { ${rolling} }
${serviceExtra}
  upgrade ["up", "{host}"] { takes 1h }
}
${b}`,
  );
  const result = compileFile("main.upg", nodeLoadHost(dir), { now: new Date("2026-12-01T12:00:00Z"), compilerVersion: "0.0.0-test", start: "2026-12-05T22:00" });
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  if (result.plan === null) throw new Error("no plan");
  return JSON.parse(JSON.stringify(result.plan)) as PlanFile;
}

const serviceBound = (p: PlanFile) => p.timing.bound?.services.find((s) => s.service === "api");

describe("the bound in the plan file", () => {
  it("10 hosts of 1h chains with at most 2 out: 5h, the plan's own figure too", () => {
    const p = compile([["r1", 10]], "batch 2  max-unavailable 2");
    expect(serviceBound(p)).toMatchObject({ work: 10 * HOUR, width: 2, bound: 5 * HOUR, planned: 5 * HOUR });
    expect(p.timing.bound?.total).toBeLessThanOrEqual(p.timing.total);
    expect(validatePlanFile(p)).toMatchObject({ ok: true });
  });

  it("sums the per-domain caps over the domain values, limited by the overall cap", () => {
    // 1 per rack over 3 racks: 3 out at once; 12 host-hours → 4h.
    const three = compile(
      [
        ["r1", 4],
        ["r2", 4],
        ["r3", 4],
      ],
      "batch 1, 3  max-unavailable 10  max-unavailable 1 per rack",
    );
    expect(serviceBound(three)).toMatchObject({ width: 3, bound: 4 * HOUR });
    // the overall cap 2 is tighter than 3 racks × 1: 6h.
    const two = compile(
      [
        ["r1", 4],
        ["r2", 4],
        ["r3", 4],
      ],
      "batch 2  max-unavailable 2  max-unavailable 1 per rack",
    );
    expect(serviceBound(two)).toMatchObject({ width: 2, bound: 6 * HOUR });
    expect(serviceBound(two)?.planned).toBeGreaterThanOrEqual(6 * HOUR);
  });

  it("fits the work into the window's usable time: 5h over nights of 3h30 spans two nights", () => {
    // 22:00–02:00 less a 30m cutoff: 3h30 usable a night; 5h of width-2 time ends at 23:30 the next night.
    const p = compile([["r1", 10]], "batch 2  max-unavailable 2", 'window nightly { days mon..sun  from 22:00 to 02:00  zone "Europe/Berlin"  cutoff 30m }', "  window nightly");
    const b = serviceBound(p);
    expect(b).toMatchObject({ start: 0, width: 2, bound: 25 * HOUR + 30 * 60 });
    expect(b?.planned).toBeGreaterThanOrEqual(b?.bound ?? Infinity);
    expect(p.timing.bound?.total).toBeGreaterThanOrEqual(25 * HOUR + 30 * 60);
    expect(p.timing.bound?.total).toBeLessThanOrEqual(p.timing.total);
  });

  it("for the plan: the critical path with each rolling service's span replaced by its bound", () => {
    // Two services of 10 × 1h, at most 2 out, in nights of 22:00–02:00 less 30m; b after a.
    // Planned: a fills three batches a night (26h); b starts at 00:00 the second night and
    // ends 23:00 the fourth (73h). Bound: a ends 23:30 the second night (25h30); from there
    // b has 2h that night and 3h the next: 01:00 the third night, 51h after the start.
    const p = compile(
      [["r1", 10]],
      "batch 2  max-unavailable 2",
      'window nightly { days mon..sun  from 22:00 to 02:00  zone "Europe/Berlin"  cutoff 30m }\nservice b {\n  on web\n  after api\n  tags rolling-upgrade\n  rolling { batch 2  max-unavailable 2 }\n  window nightly\n  upgrade ["up2", "{host}"] { takes 1h }\n}',
      "  window nightly",
    );
    const a = serviceBound(p);
    const b = p.timing.bound?.services.find((s) => s.service === "b");
    expect(a).toMatchObject({ start: 0, planned: 26 * HOUR, bound: 25 * HOUR + 30 * 60 });
    expect(b).toMatchObject({ start: 26 * HOUR, planned: 47 * HOUR, bound: 25 * HOUR + 30 * 60 });
    expect(p.timing.total).toBe(73 * HOUR);
    expect(p.timing.bound?.total).toBe(51 * HOUR);
  });

  it("takes services that share parallelism together: two services of 10 × 1h, 2 out each, parallelism 3, take 6h40m at least", () => {
    // a and b on disjoint hosts, not waiting for each other: alone each could end in 5h, but
    // their 20 host-hours share 3 slots. Planned: the slot freed each hour goes to the service
    // with more time left, so all 3 stay busy: 20 chains in 7 rounds (7h); then a 1h contract
    // after the rollout. Bound: 20h / 3 = 6h40m, and the contract: 7h40m.
    const p = compile(
      [["r1", 20]],
      "batch 2  max-unavailable 2",
      "",
      "  contract [\"c\"] { takes 1h }",
      { parallelism: 3, split: 10, second: "rolling { batch 2  max-unavailable 2 }" },
    );
    const a = serviceBound(p);
    const b = p.timing.bound?.services.find((s) => s.service === "b");
    expect(a).toMatchObject({ work: 10 * HOUR, width: 2, bound: 5 * HOUR });
    expect(b).toMatchObject({ work: 10 * HOUR, width: 2, bound: 5 * HOUR });
    expect(p.timing.total).toBe(8 * HOUR);
    expect(p.timing.bound?.total).toBe(7 * HOUR + 40 * 60);
    expect(p.timing.bound?.shared).toEqual({ services: ["api", "b"], window: null, start: 0, bound: 6 * HOUR + 40 * 60, work: 20 * HOUR, width: 3 });
    expect(validatePlanFile(p)).toMatchObject({ ok: true });
    expect(renderText(p, { color: false })).toContain("together, sharing parallelism (api, b): 7h planned, bound 6h40m (1.05×)  (3 out at once)");
    expect(renderHtml(p)).toContain('<tr class="shared"><td class="left">together, sharing parallelism: api, b</td><td>7h</td><td>6h40m</td><td>1.05×</td><td>3</td></tr>');
  });

  it("leaves each chain the margin its health gate's deadline needs before the window's cutoff", () => {
    // Chains of 1h plus a 1m gate with a 31m deadline: admitted only when 1h31m fits before
    // 01:30, so each ends 30m before it at the latest: 3h of each night (22:00–01:30) is usable,
    // not 3h30. 10 chains of 1h1m over 2 hosts out: 5h5m, 3h the first night, 2h5m the next.
    const p = compile([["r1", 10]], "batch 2  max-unavailable 2", 'window nightly { days mon..sun  from 22:00 to 02:00  zone "Europe/Berlin"  cutoff 30m }', "  window nightly\n  health [\"check\"] { takes 1m  every 10s  within 31m  healthy-for 30s }");
    const b = serviceBound(p);
    expect(b).toMatchObject({ start: 0, width: 2, work: 10 * (HOUR + 60) });
    expect(b?.bound).toBe(24 * HOUR + 2 * HOUR + 5 * 60);
    expect(b?.planned).toBeGreaterThanOrEqual(b?.bound ?? Infinity);
  });

  it("with its batches: each batch waits for the one before it, so 10 batches of one 1h host take 10h, not the caps' 5h", () => {
    const p = compile([["r1", 10]], "batch 1  max-unavailable 2");
    const b = serviceBound(p);
    expect(b).toMatchObject({ bound: 5 * HOUR, barriers: 10 * HOUR, planned: 10 * HOUR });
    expect(p.timing.bound?.barriers).toBeGreaterThanOrEqual(10 * HOUR);
    expect(p.timing.bound?.barriers).toBeLessThanOrEqual(p.timing.total);
    expect(p.timing.bound?.total).toBeLessThan(p.timing.bound?.barriers ?? 0);
  });

  it("with its batches: a written ramp and its pauses come before the continuous rest", () => {
    // 7 hosts, `batch 1, 2 then continuous`, 2 out at once, 10m pauses: 1h, 10m, 1h (2 hosts
    // side by side), 10m, then 4 hosts 2 at a time, 2h: 4h20m. The caps alone: 7h / 2 = 3h30.
    const p = compile([["r1", 7]], "batch 1, 2 then continuous  max-unavailable 2  pause 10m");
    const b = serviceBound(p);
    expect(b).toMatchObject({ bound: 3 * HOUR + 30 * 60, barriers: 4 * HOUR + 20 * 60 });
    expect(b?.planned).toBeGreaterThanOrEqual(b?.barriers ?? Infinity);
    const text = renderText(p, { color: false });
    expect(text).toMatch(/api: \S+ planned, bound 3h30m \(\d+\.\d\d×\); with its batches 4h20m \(\d+\.\d\d×\)/);
    expect(text).toMatch(/plan: \S+ planned, bound \S+ \(\d+\.\d\d×\); with the written batches \S+ \(\d+\.\d\d×\)/);
    const html = renderHtml(p);
    expect(html).toContain("<th>with the batches</th>");
    expect(html).toContain('<tr class="service"><td class="left">api</td><td>');
    expect(html).toMatch(/<td>3h30m<\/td><td>[\d.]+×<\/td><td>4h20m<\/td><td>[\d.]+×<\/td><td>2<\/td>/);
    expect(validatePlanFile(p)).toMatchObject({ ok: true });
  });

  it("with its batches: a batch's barrier waits for its chains' health gates, not for what follows them", () => {
    // Chains of 1h, a 1m gate, then 30m (a step after the gate); `batch 1` on 3 hosts: the
    // next batch starts after the gate, so 1h1m + 1h1m + 1h31m = 3h33m at least.
    const p = compile([["r1", 3]], "batch 1  max-unavailable 3", "", '  health ["check"] { takes 1m  every 10s  within 1m  healthy-for 30s }\n  start ["start", "{host}"] { takes 30m }');
    const b = serviceBound(p);
    expect(b?.barriers).toBeGreaterThan(b?.bound ?? Infinity);
    expect(b?.barriers).toBeLessThanOrEqual(b?.planned ?? 0);
  });

  it("with its batches: a batch is whole chains, ceil(hosts / width) of them one after the other in some slot, each inside one night", () => {
    // 5 hosts of 1h, 2 out at once (parallelism 2): the divisible 2h30, but some slot runs 3 chains: 3h.
    const short = serviceBound(compile([["r1", 5]], "batch 5  max-unavailable 5", "", "", { parallelism: 2 }));
    expect(short).toMatchObject({ bound: 2 * HOUR + 30 * 60, barriers: 3 * HOUR, planned: 3 * HOUR });
    // 10 hosts over nights of 22:00–02:00 less 30m: 3 whole chains a slot a night, 5 needed:
    // 3 the first night, 2 the next, ending at 00:00 of the second night (26h), not 01:30.
    const nights = serviceBound(compile([["r1", 10]], "batch 10  max-unavailable 10", 'window nightly { days mon..sun  from 22:00 to 02:00  zone "Europe/Berlin"  cutoff 30m }', "  window nightly", { parallelism: 2 }));
    expect(nights).toMatchObject({ bound: 25 * HOUR + 30 * 60, barriers: 26 * HOUR });
    expect(nights?.planned).toBeGreaterThanOrEqual(26 * HOUR);
  });

  it("is printed in the preview beside the plan's figure", () => {
    const p = compile([["r1", 10]], "batch 1  max-unavailable 2");
    const text = renderText(p, { color: false });
    const b = serviceBound(p);
    expect(b?.bound).toBe(5 * HOUR);
    expect(text).toMatch(/api: \S+ planned, bound 5h \(\d+\.\d\d×\)/);
    expect(text).toMatch(/plan: \S+ planned, bound \S+ \(\d+\.\d\d×\)/);
  });
});
