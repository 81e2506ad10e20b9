import { describe, expect, it } from "vitest";
import { renderPreview } from "../../src/preview/preview.js";
import { summariseHosts } from "../../src/preview/host-list.js";
import { formatDuration } from "../../src/base/duration.js";
import type { PlanFile } from "../../src/plan/plan.js";
import { fixturePlan } from "../support/plan-builder.js";

const text = (plan: PlanFile, color = false): string => renderPreview(plan, "text", { steps: false, color });

/** The rollout's batch lines of one service as printed: [label, hosts]. */
function printedBatches(output: string, service: string): string[][] {
  const lines = output.split("\n");
  const start = lines.findIndex((l) => new RegExp(`^   ${service}\\s+(rolling|ALL AT ONCE)`).test(l));
  const rows: string[][] = [];
  for (const line of lines.slice(start + 1)) {
    if (/^ {3}\S/.test(line) || line === "") break;
    const m = /^\s+(batch \d+\/\d+|all hosts)\s+(.+?)\s{2,}\+/.exec(line);
    if (m) rows.push([m[1] ?? "", m[2] ?? ""]);
  }
  return rows;
}

describe("text preview", () => {
  const plan = fixturePlan();
  const out = text(plan);

  it("starts with the plan, its versions and its calendar start and end in the plan's zone", () => {
    const [first, start, end, total] = out.split("\n");
    expect(first).toBe("Plan zed-to-2023.1: upgrade  zed → 2023.1");
    expect(start).toBe("  start   Fri 2026-12-04 22:00 +01:00 (Europe/Berlin), from the plan");
    // The end, computed independently: start (21:00 UTC) + total seconds, shown at +01:00.
    const endAt = new Date(Date.parse("2026-12-04T22:00:00Z") + plan.timing.total * 1000).toISOString();
    expect(end).toBe(`  end     Sat ${endAt.slice(0, 10)} ${endAt.slice(11, 16)} +01:00`);
    expect(total).toContain(formatDuration(plan.timing.total));
    expect(total).toContain(`${plan.steps.length} steps`);
  });

  it("lists the phases in plan order, each once", () => {
    const phases = [...out.matchAll(/^(\d+)\. (\w+)/gm)].map((m) => m[2]);
    expect(phases).toEqual(["prechecks", "checkpoint", "expand", "pin", "rollout", "migrate", "unpin", "contract", "cleanup", "postchecks"]);
  });

  it("prints every batch of every rolled service with its resolved hosts", () => {
    for (const service of plan.services) {
      const rows = printedBatches(out, service.name);
      expect(rows.length, service.name).toBe(service.rolling.batches.length);
      let offset = 0;
      service.rolling.batches.forEach((size, i) => {
        const hosts = service.hosts.slice(offset, offset + size);
        offset += size;
        const row = rows[i] ?? [];
        expect(row[0]).toBe(service.rolling.rolling ? `batch ${i + 1}/${service.rolling.batches.length}` : "all hosts");
        expect(row[1]).toBe(summariseHosts(hosts));
      });
    }
    expect(printedBatches(out, "nova-compute").map((r) => r[1])).toEqual([
      "cmp001",
      "cmp002..cmp004 (3 hosts)",
      "cmp005..cmp007 (3 hosts)",
      "cmp008..cmp010 (3 hosts)",
      "cmp011, cmp012 (2 hosts)",
    ]);
  });

  it("shows caps, pauses and windows of a rollout", () => {
    expect(out).toContain("batches 1, 3, 3, 3, 2, max 3 unavailable, max 2 unavailable per az, pause 2m");
    expect(out.match(/^\s+pause 2m$/gm)?.length).toBe(4);
    expect(out).toContain("window nightly, evacuate live-migrate (concurrency 4, timeout 30m), after nova-conductor");
  });

  it("names each window occurrence the plan uses, with its dates", () => {
    expect(plan.timing.windowsUsed).toHaveLength(2);
    expect(out).toContain("nightly  fri, sat 23:00–01:00 Europe/Berlin, cutoff 30m: 2 occurrences needed");
    expect(out).toContain("1. Fri 2026-12-04 23:00 → Sat 2026-12-05 01:00");
    expect(out).toContain("2. Sat 2026-12-05 23:00 → Sun 2026-12-06 01:00");
  });

  it("says an irreversible step a restorable checkpoint covers is no point of no return, as rollback does", () => {
    // keystone/contract is `undo irreversible`, but db-backup (with a restore) comes before it:
    // rollback goes back through the restore, so the preview must not say "only fix forward".
    expect(out).toContain("rolling back to it: restore with `sh -c \"mysql < /backup/pre.sql\"`; restores every database");
    expect(out).toContain("↺ keystone/contract cannot be undone by itself: a rollback past it restores checkpoint db-backup");
    expect(out).not.toContain("POINT OF NO RETURN");
    expect(out).toContain("no point of no return");
  });

  it("marks the point of no return when no checkpoint's restore covers it", () => {
    // The same plan with db-backup a marker only: nothing restores the contract's schema.
    const marker: PlanFile = {
      ...plan,
      checkpoints: plan.checkpoints.map((c) => ({ ...c, restore: null })),
      steps: plan.steps.map((s) => (s.checkpoint !== null ? { ...s, undo: null } : s)),
    };
    const shown = text(marker);
    expect(shown).toContain("point of no return: keystone/contract");
    expect(shown).toMatch(/keystone\s+contract on ctl01 .*\n\s+✖ POINT OF NO RETURN: keystone's contract/);
    expect(shown).toContain("possible until keystone/contract starts");
    expect(shown).not.toContain("↺");
  });

  it("prints the impact table from the plan's impact, downtime included", () => {
    for (const s of plan.impact.services) {
      const row = new RegExp(`^ {2}${s.service}\\s+${s.instances}\\s+${s.minInService}\\s+\\d+%\\s+(\\S+)$`, "m").exec(out);
      expect(row, s.service).not.toBeNull();
      expect(row?.[1]).toBe(s.downtime > 0 ? formatDuration(s.downtime) : "none");
    }
    expect(out).toContain("cinder-volume is fully down for 5m (all 2 instances at once)");
    expect(out).toContain(`instances live-migrated: ${plan.impact.instancesMigrated}`);
    expect(out).toContain("peak data-plane capacity out: 25% (3 of 12 data-plane hosts)");
  });

  it("closes with one summary line counted from the plan", () => {
    const last = out.trimEnd().split("\n").at(-1);
    expect(last).toBe(`Plan: ${plan.services.length} services, ${plan.timing.windowsUsed.length} windows, ${plan.steps.length} steps, ${formatDuration(plan.timing.total)}.`);
  });

  it("is deterministic and colours only when asked", () => {
    expect(text(fixturePlan())).toBe(out);
    const ESC = "\u001b[";
    expect(out.includes(ESC)).toBe(false);
    const coloured = text(plan, true);
    expect(coloured).toContain(`${ESC}32m↺${ESC}`);
    expect(coloured.split(ESC).map((part, i) => (i === 0 ? part : part.replace(/^\d+m/, ""))).join("")).toBe(out);
  });

  it("says when the start time is assumed and when windows are waived", () => {
    const assumed = text(fixturePlan({ startSource: "assumed", urgent: true }));
    expect(assumed).toContain("assumed: no start given");
    expect(assumed).toContain("the start time is assumed");
    expect(assumed).toContain("urgent plan: windows are waived");
  });

  it("stays bounded at 10,000 hosts: batches and summaries, no line per host", () => {
    const big = fixturePlan({ computeHosts: 10_000, zones: 3, perZone: 400 });
    expect(big.hosts.length).toBeGreaterThan(10_000);
    const bigOut = text(big);
    const lines = bigOut.split("\n");
    expect(lines.length).toBeLessThan(250);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(260);
    expect(bigOut).toContain("cmp00002..cmp02501 (2500 hosts)");
    expect(bigOut).toContain(`hosts out of service: ${big.impact.hosts.filter((h) => h.outOfService > 0).length} of ${big.hosts.length}`);
  });
});
