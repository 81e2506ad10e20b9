import fc from "fast-check";
import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { buildPlan } from "../../../src/compiler/build-plan.js";
import type { Model, ModelService, ModelWindow } from "../../../src/compiler/model.js";
import { planDigest } from "../../../src/plan/plan-text.js";
import { validatePlanFile } from "../../../src/plan/validate.js";
import type { PlanFile, PlanStep } from "../../../src/plan/plan.js";
import { action, computeService, host, model, names, rolling, service, window } from "../model-builder.js";

const NOW = new Date("2026-12-01T12:00:00Z");

function build(m: Model): PlanFile {
  const result = buildPlan(m, { now: NOW, compilerVersion: "0.1.0" });
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0 || !result.value) throw new Error(`build failed: ${errors.map((d) => d.message).join("; ")}`);
  return result.value;
}

/** Per service and host, the stretch its chain keeps the host out: first unavailable start to last end. */
function outStretches(plan: PlanFile): Map<string, { host: string; start: number; end: number }[]> {
  const byKey = new Map<string, { service: string; host: string; start: number; end: number }>();
  for (const s of plan.steps) {
    if (s.service === null || s.unavailable.length === 0 || s.estimate.duration === 0) continue;
    for (const u of s.unavailable) {
      const key = `${s.service}\u0000${u.host}`;
      const cur = byKey.get(key);
      const end = s.estimate.start + s.estimate.duration;
      if (!cur) byKey.set(key, { service: s.service, host: u.host, start: s.estimate.start, end });
      else byKey.set(key, { ...cur, start: Math.min(cur.start, s.estimate.start), end: Math.max(cur.end, end) });
    }
  }
  const out = new Map<string, { host: string; start: number; end: number }[]>();
  for (const v of byKey.values()) {
    const list = out.get(v.service) ?? [];
    list.push(v);
    out.set(v.service, list);
  }
  return out;
}

/** Most intervals overlapping at any instant (half-open). */
function peak(intervals: readonly { start: number; end: number }[]): number {
  const events = intervals.flatMap((i) => [
    [i.start, 1],
    [i.end, -1],
  ]) as [number, number][];
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let n = 0;
  let max = 0;
  for (const [, d] of events) {
    n += d;
    max = Math.max(max, n);
  }
  return max;
}

/** Every step starts after the steps it waits for; no host is in two services' chains at once. */
function checkOrder(plan: PlanFile): void {
  const byId = new Map(plan.steps.map((s) => [s.id, s]));
  for (const s of plan.steps) {
    for (const a of s.after) {
      const p = byId.get(a) as PlanStep;
      expect(s.estimate.start, `${s.id} after ${a}`).toBeGreaterThanOrEqual(p.estimate.start + p.estimate.duration);
    }
  }
  const perHost = new Map<string, { service: string; start: number; end: number }[]>();
  for (const [key, list] of outStretches(plan)) for (const x of list) perHost.set(x.host, [...(perHost.get(x.host) ?? []), { service: key, start: x.start, end: x.end }]);
  for (const [h, list] of perHost) expect(peak(list), `chains on ${h} overlap`).toBeLessThanOrEqual(1);
}

/** The bound (docs/language.md, "The bound") is a lower bound: never above the plan, nor a service's above its span. */
function checkBound(plan: PlanFile): void {
  const b = plan.timing.bound;
  if (b === undefined) return;
  expect(b.total, "the plan's bound").toBeLessThanOrEqual(plan.timing.total);
  // With the written batches counted too: still a lower bound, and never below the caps' alone.
  expect(b.barriers, "the plan's bound with its batches").toBeLessThanOrEqual(plan.timing.total);
  expect(b.barriers, "the plan's bound with its batches").toBeGreaterThanOrEqual(b.total);
  for (const s of b.services) {
    expect(s.bound, `${s.service}'s bound`).toBeLessThanOrEqual(s.planned);
    expect(s.barriers, `${s.service}'s bound with its batches`).toBeLessThanOrEqual(s.planned);
    expect(s.barriers, `${s.service}'s bound with its batches`).toBeGreaterThanOrEqual(s.bound);
  }
  if (b.shared === undefined) return;
  const ends = b.services.filter((s) => b.shared?.services.includes(s.service)).map((s) => s.start + s.planned);
  expect(b.shared.start + b.shared.bound, "the shared bound's end").toBeLessThanOrEqual(Math.max(...ends));
}

function checkCaps(m: Model, plan: PlanFile): void {
  const hostVars = new Map(m.hosts.map((h) => [h.name, h.vars]));
  const stretches = outStretches(plan);
  for (const svc of plan.services) {
    const list = stretches.get(svc.name) ?? [];
    expect(peak(list), `${svc.name} max-unavailable`).toBeLessThanOrEqual(svc.rolling.maxUnavailable);
    if (svc.rolling.domain !== null && svc.rolling.maxUnavailablePerDomain !== null) {
      const byDomain = new Map<string, { start: number; end: number }[]>();
      for (const s of list) {
        const d = String(hostVars.get(s.host)?.[svc.rolling.domain] ?? "");
        byDomain.set(d, [...(byDomain.get(d) ?? []), s]);
      }
      for (const [d, l] of byDomain) expect(peak(l), `${svc.name} in ${d}`).toBeLessThanOrEqual(svc.rolling.maxUnavailablePerDomain);
    }
  }
  const running = plan.steps.filter((s) => s.command !== null && s.estimate.duration > 0).map((s) => ({ start: s.estimate.start, end: s.estimate.start + s.estimate.duration }));
  expect(peak(running), "parallelism").toBeLessThanOrEqual(plan.plan.parallelism);
}

/** Independently of the scheduler: the occurrence of `w` (luxon, in its zone) that holds the instant, if any. */
function occurrenceHolding(w: ModelWindow, ms: number): { open: number; close: number } | null {
  const day = DateTime.fromMillis(ms, { zone: w.zone }).startOf("day");
  const WEEK = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
  for (const d of [day.minus({ days: 1 }), day]) {
    if (!w.days.includes(WEEK[d.weekday - 1] as ModelWindow["days"][number])) continue;
    const at = (x: DateTime, minutes: number): number => {
      const t = DateTime.fromObject({ year: x.year, month: x.month, day: x.day, hour: Math.floor(minutes / 60), minute: minutes % 60 }, { zone: w.zone });
      if (t.hour * 60 + t.minute === minutes) return t.toMillis();
      // A wall time in a spring-forward gap is the instant the clocks jump: walk back to it.
      let jump = t;
      while (jump.minus({ minutes: 1 }).offset === t.offset) jump = jump.minus({ minutes: 1 });
      return jump.toMillis();
    };
    const open = at(d, w.from);
    const close = at(w.to <= w.from ? d.plus({ days: 1 }) : d, w.to);
    if (open <= ms && ms < close) return { open, close };
  }
  return null;
}

/** Returns how many windowed chains it checked. */
function checkWindows(m: Model, plan: PlanFile): number {
  let checked = 0;
  const startMs = DateTime.fromISO(plan.plan.start).toMillis();
  const chains = new Map<string, PlanStep[]>();
  for (const s of plan.steps) {
    if (s.phase !== "rollout" || s.action === "batch-pause") continue;
    const key = `${s.service}\u0000${s.hosts[0]}`;
    chains.set(key, [...(chains.get(key) ?? []), s]);
  }
  for (const chain of chains.values()) {
    const first = chain[0] as PlanStep;
    if (first.window === null) continue;
    const w = m.windows.find((x) => x.name === first.window) as ModelWindow;
    const worst = chain.reduce((sum, s) => sum + (s.health ? Math.max(s.estimate.duration, s.health.within) : s.estimate.duration), 0);
    const at = startMs + first.estimate.start * 1000;
    const occ = occurrenceHolding(w, at);
    expect(occ, `${first.id} starts outside window ${w.name}`).not.toBeNull();
    expect(at + (worst + w.cutoff) * 1000, `${first.id} worst case passes the window's end minus cutoff`).toBeLessThanOrEqual(occ?.close ?? 0);
    checked++;
  }
  return checked;
}

describe("schedule", () => {
  it("meets the lower bound ceil(N/k)·d for one service, cap k, no windows, unlimited parallelism", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 900 }), fc.boolean(), (n, k, d, oneBatch) => {
        const hosts = names("cmp", n);
        const m = model({
          plan: { parallelism: 100_000 },
          services: [service("nova-compute", { hosts, plane: "data", rolling: rolling({ batches: [oneBatch ? n : k], maxUnavailable: k }), actions: { upgrade: action(["up"], { takes: d }) } })],
        });
        const plan = build(m);
        expect(plan.timing.total).toBe(Math.ceil(n / k) * d);
      }),
      { numRuns: 60 },
    );
  });

  it("meets the lower bound with a full chain (maintenance, evacuation, reboot, health gate, leaving maintenance)", () => {
    for (const [n, k] of [
      [10, 3],
      [7, 7],
      [25, 4],
    ] as const) {
      const hosts = names("cmp", n);
      const svc = computeService("nova-compute", hosts, { rolling: rolling({ batches: [k], maxUnavailable: k }) });
      const plan = build(model({ plan: { parallelism: 100_000 }, services: [svc] }));
      const d = plan.steps.filter((s) => s.hosts[0] === "cmp001").reduce((sum, s) => sum + s.estimate.duration, 0);
      expect(plan.timing.total).toBe(Math.ceil(n / k) * d);
    }
  });

  it("staggers hosts by global parallelism", () => {
    const m = model({ plan: { parallelism: 2 }, services: [service("api", { hosts: names("api", 5), rolling: rolling({ batches: [5], maxUnavailable: 5 }), actions: { upgrade: action(["up"], { takes: 100 }) } })] });
    const plan = build(m);
    expect(plan.steps.filter((s) => s.action === "upgrade").map((s) => s.estimate.start)).toEqual([0, 0, 100, 100, 200]);
    expect(plan.timing.total).toBe(300);
    expect(plan.timing.criticalPath[plan.timing.criticalPath.length - 1]).toBe("api/done");
    // api005 waited for a slot freed by a host of the second pair, which waited for one of the first
    const path = plan.timing.criticalPath.map((id) => plan.steps.find((s) => s.id === id) as PlanStep);
    expect(path.map((s) => s.id)).toHaveLength(4);
    expect(path[2]?.id).toBe("api/b1/api005/upgrade");
    expect(path[0]?.estimate.start).toBe(0);
    for (let i = 1; i < path.length; i++) expect(path[i]?.estimate.start).toBe((path[i - 1]?.estimate.start ?? 0) + (path[i - 1]?.estimate.duration ?? 0));
  });

  it("rolls one chain per host at a time and states the order as `after`", () => {
    const hosts = names("cmp", 2);
    const m = model({
      services: [
        service("agent", { hosts, plane: "data", rolling: rolling({ batches: [2], maxUnavailable: 2 }), actions: { upgrade: action(["up"], { takes: 100 }) } }),
        service("compute", { hosts, plane: "data", rolling: rolling({ batches: [2], maxUnavailable: 2 }), actions: { upgrade: action(["up"], { takes: 50 }) } }),
      ],
    });
    const plan = build(m);
    const at = (id: string): PlanStep => plan.steps.find((s) => s.id === id) as PlanStep;
    expect(at("agent/b1/cmp001/upgrade").estimate.start).toBe(0);
    expect(at("compute/b1/cmp001/upgrade").estimate.start).toBe(100);
    expect(at("compute/b1/cmp001/upgrade").after).toEqual(["agent/b1/cmp001/upgrade"]);
    expect(plan.timing.total).toBe(150);
    // services that wait for each other need no such edge
    const ordered = build(model({ services: [m.services[0] as ModelService, { ...(m.services[1] as ModelService), after: ["agent"] }] }));
    expect(ordered.steps.find((s) => s.id === "compute/b1/cmp001/upgrade")?.after).toEqual(["agent/done"]);
  });

  it("gives a slot first to the service with the most time left: another's short chains fill what its batches leave idle (issue 17 point 2)", () => {
    // compute: 4 batches of one 600 s chain, each after the one before (2400 s whatever the
    // slots); agent: eight 60 s chains, written first. With parallelism 2 the agent's chains
    // fit in the slot compute's batches leave free; they must not hold both slots first.
    const m = model({
      plan: { parallelism: 2 },
      services: [
        service("agent", { hosts: names("net", 8), plane: "data", rolling: rolling({ batches: [8], maxUnavailable: 8 }), actions: { upgrade: action(["up"], { takes: 60 }) } }),
        service("compute", { hosts: names("cmp", 4), plane: "data", rolling: rolling({ batches: [1], maxUnavailable: 1 }), actions: { upgrade: action(["up"], { takes: 600 }) } }),
      ],
    });
    const plan = build(m);
    checkCaps(m, plan);
    checkOrder(plan);
    expect(plan.steps.find((s) => s.id === "compute/b1/cmp001/upgrade")?.estimate.start).toBe(0);
    expect(plan.timing.total).toBe(2400);
  });

  it("puts a service whose followers must still run before one that nothing waits for (issue 17 point 2)", () => {
    // b: two 300 s chains; a: one 300 s chain; c (one 600 s chain) waits for a; two slots. a
    // first lets c run beside b (900 s); b first, as written, leaves c alone at the end (1200 s).
    const m = model({
      plan: { parallelism: 2 },
      services: [
        service("b", { hosts: names("b", 2), plane: "data", rolling: rolling({ batches: [2], maxUnavailable: 2 }), actions: { upgrade: action(["up"], { takes: 300 }) } }),
        service("a", { hosts: names("a", 1), plane: "data", rolling: rolling({ batches: [1], maxUnavailable: 1 }), actions: { upgrade: action(["up"], { takes: 300 }) } }),
        { ...service("c", { hosts: names("c", 1), plane: "data", rolling: rolling({ batches: [1], maxUnavailable: 1 }), actions: { upgrade: action(["up"], { takes: 600 }) } }), after: ["a"] },
      ],
    });
    const plan = build(m);
    checkOrder(plan);
    checkCaps(m, plan);
    expect(plan.steps.find((s) => s.id === "a/b1/a001/upgrade")?.estimate.start).toBe(0);
    expect(plan.timing.total).toBe(900);
  });

  it("caps hosts out per failure domain", () => {
    const hosts = names("cmp", 9);
    const m = model({
      hosts: hosts.map((h, i) => host(h, { az: `az${(i % 3) + 1}` })),
      services: [service("c", { hosts, plane: "data", rolling: rolling({ batches: [9], maxUnavailable: 9, domain: "az", maxUnavailablePerDomain: 1 }), actions: { upgrade: action(["up"], { takes: 60 }) } })],
    });
    const plan = build(m);
    checkCaps(m, plan);
    expect(plan.timing.total).toBe(180);
    expect(plan.impact.peakDataPlaneOut).toBeCloseTo(3 / 9, 4);
  });

  it("never breaks caps, windows or host exclusivity; plans validate and rebuild byte-identical (property)", () => {
    const zones = ["Europe/Berlin", "America/New_York", "UTC", "Australia/Lord_Howe"];
    const arbService = fc.record({
      n: fc.integer({ min: 1, max: 14 }),
      batches: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 3 }),
      cap: fc.integer({ min: 1, max: 5 }),
      perDomain: fc.option(fc.integer({ min: 1, max: 3 }), { nil: null }),
      pause: fc.integer({ min: 0, max: 600 }),
      continuous: fc.boolean(),
      full: fc.boolean(),
      windowed: fc.boolean(),
      upgrade: fc.integer({ min: 30, max: 1800 }),
      offset: fc.integer({ min: 0, max: 20 }),
    });
    const arbWindow = fc.record({
      zone: fc.constantFrom(...zones),
      from: fc.integer({ min: 0, max: 23 * 4 }).map((q) => q * 15),
      hours: fc.integer({ min: 3, max: 20 }),
      days: fc.subarray(["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const, { minLength: 1 }),
      cutoff: fc.integer({ min: 0, max: 60 }).map((m) => m * 60),
    });
    let windowedChains = 0;
    let failed = 0;
    const arbStart = fc.constantFrom("2026-03-27T20:00", "2026-10-24T23:00", "2026-12-05T22:00", "2027-03-26T12:00");
    fc.assert(
      fc.property(fc.array(arbService, { minLength: 1, maxLength: 3 }), arbWindow, fc.integer({ min: 1, max: 12 }), arbStart, (specs, win, parallelism, start) => {
        const pool = names("h", 24);
        const hostList = pool.map((h, i) => host(h, { az: `az${i % 3}`, instances: i % 4 }));
        const w = window("w", { zone: win.zone, from: win.from, to: (win.from + win.hours * 60) % 1440, days: win.days, cutoff: win.cutoff });
        const services: ModelService[] = specs.map((s, i) => {
          const hosts = pool.slice(s.offset, s.offset + s.n);
          const options: Partial<ModelService> = {
            after: i > 0 && s.offset % 2 === 0 ? [`s${i - 1}`] : [],
            rolling: rolling({ batches: s.batches, continuous: s.continuous, maxUnavailable: s.cap, domain: s.perDomain === null ? null : "az", maxUnavailablePerDomain: s.perDomain, pause: s.pause }),
            window: s.windowed ? "w" : null,
          };
          return s.full
            ? computeService(`s${i}`, hosts, { ...options, actions: { ...computeService("x", []).actions, upgrade: action(["up"], { takes: s.upgrade }) } })
            : service(`s${i}`, { ...options, hosts, actions: { upgrade: action(["up"], { takes: s.upgrade }) } });
        });
        const m = model({ hosts: hostList, services, windows: [w], plan: { parallelism, start: { local: start, zone: "Europe/Berlin", span: { file: "t", start: 0, end: 0 } } } });
        const result = buildPlan(m, { now: NOW, compilerVersion: "0.1.0" });
        if (result.value === null) {
          // only a chain longer than every occurrence may fail
          const errors = result.diagnostics.filter((d) => d.severity === "error");
          expect(errors.length).toBeGreaterThan(0);
          expect(errors.every((d) => d.code === "UPG0582")).toBe(true);
          failed++;
          return;
        }
        checkCaps(m, result.value);
        checkOrder(result.value);
        expect(result.value.digest).toBe(planDigest(result.value));
        const json = JSON.stringify(result.value);
        expect(validatePlanFile(JSON.parse(json))).toMatchObject({ ok: true });
        expect(JSON.stringify(buildPlan(m, { now: NOW, compilerVersion: "0.1.0" }).value)).toBe(json);
        windowedChains += checkWindows(m, result.value);
        checkBound(result.value);
      }),
      { numRuns: Number(process.env["UPGRADEC_PROPERTY_RUNS"] ?? 120) },
    );
    // the generator must exercise windows, not only fail them
    expect(windowedChains).toBeGreaterThan(100);
    expect(failed).toBeLessThan(60);
  });
});
