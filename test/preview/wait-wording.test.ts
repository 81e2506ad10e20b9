/**
 * The preview says what a batch waits for. A wait "for window W #n" is only printed when
 * the batch before it ended outside occurrence n (the batch waits for it to open); inside
 * an occurrence the wait is for a step it comes after (another service's work on its host,
 * a pause) or for a cap or the parallelism, and the preview names which.
 */
import { describe, expect, it } from "vitest";
import { buildPlan } from "../../src/compiler/build-plan.js";
import type { PlanFile } from "../../src/plan/plan.js";
import { renderPreview } from "../../src/preview/preview.js";
import { planClock } from "../../src/preview/time-format.js";
import { action, model, rolling, service, window } from "../compiler/model-builder.js";
import { compileExample } from "../examples/compile-example.js";

const text = (plan: PlanFile): string => renderPreview(plan, "text", { steps: false, color: false });

/** Each printed wait with the batch line before it and the one after it. */
function waits(out: string): { before: string; wait: string; after: string }[] {
  const lines = out.split("\n");
  const found: { before: string; wait: string; after: string }[] = [];
  lines.forEach((line, i) => {
    if (!/^\s+waits /.test(line)) return;
    const before = lines.slice(0, i).reverse().find((l) => /^\s+(batch \d+\/\d+|all hosts)/.test(l)) ?? "";
    found.push({ before, wait: line.trim(), after: lines[i + 1] ?? "" });
  });
  return found;
}

describe("preview: what a batch waits for", () => {
  it("never says it waits for a window occurrence the batch before it ended inside", () => {
    const outputs = ["upgrade-zed-to-2023.1", "dataplane-rolling-reboot", "failed-upgrade-rollback"].map((name) => {
      const plan = compileExample(`examples/${name}/cloud.upg`).plan;
      if (plan === null) throw new Error(`${name} does not compile`);
      return text(plan);
    });
    const all = outputs.flatMap(waits);
    expect(all.length).toBeGreaterThan(5);
    for (const w of all) {
      const label = /for (window \S+ #\d+) to open/.exec(w.wait)?.[1];
      if (label === undefined) {
        expect(w.wait, w.wait).not.toMatch(/for window/);
        continue;
      }
      expect(w.before.endsWith(label), `${w.wait}: the batch before it ended in ${label}`).toBe(false);
      expect(w.after.endsWith(label)).toBe(true);
    }
    // The kolla example's control plane: a service waits for another's work on the same controller.
    expect(outputs[0]).toContain("waits 2m for mariadb on ctl02 (health)");
  });

  it("names the parallelism when a batch was free to start and every slot was taken", () => {
    // c, then a (two 30m hosts); b's two batches roll meanwhile. With two slots, a's second
    // host takes the slot b's first batch frees (a comes first in the plan's order), so b's
    // second batch waits, inside the same always-open window, for the parallelism.
    const m = model({
      plan: { parallelism: 2 },
      windows: [window("always", { from: 0, to: 1440, zone: "UTC" })],
      services: [
        service("c", { hosts: ["c1"], window: "always", actions: { upgrade: action(["up"], { takes: 300 }) } }),
        service("a", { hosts: ["a1", "a2"], after: ["c"], window: "always", rolling: rolling({ batches: [2], maxUnavailable: 2 }), actions: { upgrade: action(["up"], { takes: 1800 }) } }),
        service("b", { hosts: ["k1", "k2"], window: "always", rolling: rolling({ batches: [1, 1], maxUnavailable: 1 }), actions: { upgrade: action(["up"], { takes: 600 }) } }),
      ],
    });
    const plan = buildPlan(m, { now: new Date("2026-12-01T00:00:00Z"), compilerVersion: "test" }).value;
    if (plan === null) throw new Error("no plan");
    const found = waits(text(plan)).map((w) => w.wait);
    expect(found).toEqual(["waits 25m for parallelism 2"]);
  });
});

describe("preview: the repeated hour when clocks go back", () => {
  it("shows a wall time that happens twice with its offset, and only such a time", () => {
    const clock = planClock("2026-10-25T00:00:00+02:00", "Europe/Berlin");
    expect(clock.time(2.5 * 3600)).toBe("02:30+02:00");
    expect(clock.time(3.5 * 3600)).toBe("02:30+01:00");
    expect(clock.long(3.5 * 3600)).toBe("Sun 2026-10-25 02:30+01:00");
    expect(clock.time(1.5 * 3600)).toBe("01:30");
    expect(clock.time(4.5 * 3600)).toBe("03:30");
    expect(clock.abbreviation(3.5 * 3600)).toBe("+01:00");
  });

  it("prints both 02:30s of the night in a plan's preview", () => {
    const m = model({
      plan: { start: { local: "2026-10-25T01:00", zone: "Europe/Berlin", span: { file: "t", start: 0, end: 1 } }, parallelism: 1 },
      services: [service("api", { hosts: ["h1", "h2", "h3", "h4", "h5"], rolling: rolling({ batches: [1], maxUnavailable: 1 }), actions: { upgrade: action(["up"], { takes: 1800 }) } })],
    });
    const plan = buildPlan(m, { now: new Date("2026-10-01T00:00:00Z"), compilerVersion: "test" }).value;
    if (plan === null) throw new Error("no plan");
    const out = text(plan);
    expect(out).toContain("02:30+02:00");
    expect(out).toContain("02:30+01:00");
    expect(out).toContain("  start   Sun 2026-10-25 01:00 +02:00 (Europe/Berlin)");
  });
});
