import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import type { PlanFile } from "../../src/plan/plan.js";
import { runForward } from "../../src/runtime/forward.js";
import { EMPTY_STATE } from "../../src/runtime/run-state.js";
import type { StepExecContext } from "../../src/runtime/step-exec.js";
import { FakeClock, MemorySink, fakeExecutor } from "./fake-effects.js";
import { argv, host, makePlan, rolling, service, step, window } from "../support/plan-builder.js";
import { tempDir } from "../support/temp-dir.js";

function context(plan: PlanFile, clock: FakeClock, executor: StepExecContext["executor"], sink: MemorySink): StepExecContext {
  return { plan, planDir: "/nonexistent", clock, executor, secrets: {}, redact: (t) => t, log: (id, t) => sink.log(id, t) };
}

const T0 = Date.parse("2026-12-07T12:00:00+01:00"); // a Monday, noon in Berlin

describe("health gates (fake clock)", () => {
  const gatePlan = (health: NonNullable<Parameters<typeof step>[1]>["health"]) =>
    makePlan({
      dir: tempDir(),
      hosts: [host("h1")],
      services: [service("api", ["h1"])],
      steps: [
        step("api/h1/start", { service: "api", hosts: ["h1"], action: "start", command: argv(["start"]) }),
        step("api/h1/health", { service: "api", hosts: ["h1"], action: "health", command: argv(["probe", "{host}"]), after: ["api/h1/start"], health }),
        step("api/h1/after", { service: "api", hosts: ["h1"], command: argv(["next"]), after: ["api/h1/health"] }),
      ],
    });

  it("passes only after the check has passed continuously for healthy-for", async () => {
    const clock = new FakeClock(T0);
    const sink = new MemorySink(clock);
    // Fails for 20s, passes for 10s, fails once at 30s..34s, then passes for good.
    const exec = fakeExecutor(clock, (r, now) => {
      if (r.purpose !== "health") return { exitCode: 0 };
      const t = (now - T0) / 1000;
      return { exitCode: t < 20 || (t >= 30 && t < 35) ? 1 : 0 };
    });
    const plan = gatePlan({ every: 5, within: 300, healthyFor: 30, onDeadline: "stop" });
    const result = await clock.drive(runForward({ exec: context(plan, clock, exec, sink), sink, state: EMPTY_STATE, scope: { only: null, hosts: null } }));
    expect(result.failed).toEqual([]);
    const ok = sink.of("step-succeeded", "api/h1/health")[0];
    // Unbroken passes start at 35s; healthy 30s later.
    expect(ok && (ok.at - T0) / 1000).toBe(65);
    const probes = exec.calls.filter((c) => c.purpose === "health").map((c) => (c.at - T0) / 1000);
    expect(probes).toEqual([0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65]);
    expect(sink.of("step-started", "api/h1/after")).toHaveLength(1);
  });

  it("fails at the deadline, stops the run, and asks for a rollback when on-deadline says so", async () => {
    const clock = new FakeClock(T0);
    const sink = new MemorySink(clock);
    const exec = fakeExecutor(clock, (r) => ({ exitCode: r.purpose === "health" ? 1 : 0 }));
    const plan = gatePlan({ every: 10, within: 60, healthyFor: 0, onDeadline: "rollback" });
    const result = await clock.drive(runForward({ exec: context(plan, clock, exec, sink), sink, state: EMPTY_STATE, scope: { only: null, hosts: null } }));
    expect(result.failed).toEqual(["api/h1/health"]);
    expect(result.rollbackRequested).toBe(true);
    const failed = sink.of("step-failed", "api/h1/health")[0];
    expect(failed && (failed.at - T0) / 1000).toBe(60);
    expect(sink.of("step-started", "api/h1/after")).toHaveLength(0);
  });
});

describe("windows (fake clock)", () => {
  const nightly = window("nightly", { days: ["mon", "tue", "wed", "thu", "fri"], cutoff: 1800 });
  const windowPlan = (duration: number) =>
    makePlan({
      dir: tempDir(),
      hosts: [host("c1"), host("c2")],
      services: [service("cmp", ["c1", "c2"], { rolling: rolling({ batches: [1, 1], maxUnavailable: 1 }), window: "nightly" })],
      windows: [nightly],
      steps: [
        step("cmp/b0/c1/reboot", { service: "cmp", hosts: ["c1"], batch: 0, window: "nightly", command: argv(["reboot"]), estimate: { start: 0, duration }, unavailable: [{ host: "c1" }] }),
        step("cmp/b1/c2/reboot", { service: "cmp", hosts: ["c2"], batch: 1, window: "nightly", command: argv(["reboot"]), after: ["cmp/b0/c1/reboot"], estimate: { start: duration, duration }, unavailable: [{ host: "c2" }] }),
      ],
    });

  it("waits for the window to open, says until when, and starts at its opening", async () => {
    const clock = new FakeClock(T0);
    const sink = new MemorySink(clock);
    const exec = fakeExecutor(clock, () => ({ exitCode: 0, takes: 3600_000 }));
    const plan = windowPlan(3600);
    const result = await clock.drive(runForward({ exec: context(plan, clock, exec, sink), sink, state: EMPTY_STATE, scope: { only: null, hosts: null } }));
    expect(result.failed).toEqual([]);
    const wait = sink.of("window-wait")[0];
    expect(wait?.until).toBe(new Date(Date.parse("2026-12-07T22:00:00+01:00")).toISOString());
    const starts = sink.of("step-started").map((r) => DateTime.fromMillis(r.at, { zone: "Europe/Berlin" }).toFormat("ccc HH:mm"));
    expect(starts).toEqual(["Mon 22:00", "Mon 23:00"]);
  });

  it("does not start work that would end after the window's end less the cutoff, and waits for the next night", async () => {
    // Tuesday 04:00 Berlin: two hours of work would end at 06:00, past 05:30.
    const start = Date.parse("2026-12-08T04:00:00+01:00");
    const clock = new FakeClock(start);
    const sink = new MemorySink(clock);
    const exec = fakeExecutor(clock, () => ({ exitCode: 0, takes: 2 * 3600_000 }));
    const plan = windowPlan(2 * 3600);
    const result = await clock.drive(runForward({ exec: context(plan, clock, exec, sink), sink, state: EMPTY_STATE, scope: { only: null, hosts: null } }));
    expect(result.failed).toEqual([]);
    const starts = sink.of("step-started").map((r) => DateTime.fromMillis(r.at, { zone: "Europe/Berlin" }).toFormat("ccc HH:mm"));
    // c1 at Tuesday 22:00 ends at midnight; c2 right after, ending 02:00 (before 05:30).
    expect(starts).toEqual(["Tue 22:00", "Wed 00:00"]);
  });

  it("never cuts running work: a host chain begun in the window finishes past its end", async () => {
    const start = Date.parse("2026-12-08T05:00:00+01:00");
    const clock = new FakeClock(start);
    const sink = new MemorySink(clock);
    const plan = makePlan({
      dir: tempDir(),
      hosts: [host("c1")],
      services: [service("cmp", ["c1"], { window: "nightly" })],
      windows: [nightly],
      steps: [
        step("cmp/b0/c1/upgrade", { service: "cmp", hosts: ["c1"], batch: 0, window: "nightly", command: argv(["u"]), estimate: { start: 0, duration: 600 } }),
        step("cmp/b0/c1/reboot", { service: "cmp", hosts: ["c1"], batch: 0, window: "nightly", command: argv(["r"]), after: ["cmp/b0/c1/upgrade"], estimate: { start: 600, duration: 600 } }),
      ],
    });
    // The upgrade takes far longer than planned: the reboot, in the same chain, still follows.
    const exec = fakeExecutor(clock, (r) => ({ exitCode: 0, takes: r.step.action === "upgrade" ? 3600_000 : 60_000 }));
    const result = await clock.drive(runForward({ exec: context(plan, clock, exec, sink), sink, state: EMPTY_STATE, scope: { only: null, hosts: null } }));
    expect(result.failed).toEqual([]);
    const starts = sink.of("step-started").map((r) => DateTime.fromMillis(r.at, { zone: "Europe/Berlin" }).toFormat("ccc HH:mm"));
    expect(starts).toEqual(["Tue 05:00", "Tue 06:00"]);
  });
});

describe("failures (fake clock)", () => {
  it("goes on with other hosts within max-failures, stops when failures exceed it, never starts a failed step's dependents", async () => {
    const clock = new FakeClock(T0);
    const sink = new MemorySink(clock);
    const hosts = ["c1", "c2", "c3", "c4", "c5"];
    const plan = makePlan({
      dir: tempDir(),
      hosts: hosts.map((h) => host(h)),
      parallelism: 1,
      services: [service("cmp", hosts, { rolling: rolling({ batches: [1, 1, 1, 1, 1], maxUnavailable: 5, maxFailures: { count: 1, scope: "run", cancel: false } }) })],
      steps: hosts.flatMap((h, i) => [
        step(`cmp/b${i}/${h}/upgrade`, { service: "cmp", hosts: [h], batch: i, command: argv(["up"]), estimate: { start: i * 2, duration: 1 } }),
        step(`cmp/b${i}/${h}/start`, { service: "cmp", hosts: [h], batch: i, command: argv(["start"]), after: [`cmp/b${i}/${h}/upgrade`], estimate: { start: i * 2 + 1, duration: 1 } }),
      ]),
    });
    const exec = fakeExecutor(clock, (r) => ({ exitCode: r.step.action === "upgrade" && (r.host === "c2" || r.host === "c4") ? 1 : 0, takes: 1000 }));
    const result = await clock.drive(runForward({ exec: context(plan, clock, exec, sink), sink, state: EMPTY_STATE, scope: { only: null, hosts: null } }));
    expect(result.failed).toEqual(["cmp/b1/c2/upgrade", "cmp/b3/c4/upgrade"]);
    expect(result.stopReason).toMatch(/2 failed host\(s\), more than max-failures 1/);
    expect(sink.of("step-started", "cmp/b1/c2/start")).toHaveLength(0);
    // c3 ran (one failure is tolerated); after the second failure nothing new started (c5).
    expect(sink.of("step-succeeded", "cmp/b2/c3/start")).toHaveLength(1);
    expect(sink.of("step-started", "cmp/b4/c5/upgrade")).toHaveLength(0);
  });
});

describe("rollout progress deadline and cancel (fake clock)", () => {
  const twoHosts = (options: Parameters<typeof rolling>[0]) =>
    makePlan({
      dir: tempDir(),
      hosts: [host("c1"), host("c2"), host("c3")],
      parallelism: 2,
      services: [service("cmp", ["c1", "c2", "c3"], { rolling: rolling(options) })],
      steps: ["c1", "c2", "c3"].flatMap((h, i) => [
        step(`cmp/b${i}/${h}/upgrade`, { service: "cmp", hosts: [h], batch: i, command: argv(["up"]), after: i === 0 ? [] : [`cmp/b${i - 1}/c${i}/health`] }),
        step(`cmp/b${i}/${h}/health`, {
          service: "cmp",
          hosts: [h],
          batch: i,
          action: "health",
          command: argv(["probe"]),
          after: [`cmp/b${i}/${h}/upgrade`],
          health: { every: 10, within: 600, healthyFor: 0, onDeadline: "stop" },
        }),
      ]),
    });

  it("stops when no host becomes healthy within the deadline, and resets it at every healthy host", async () => {
    const clock = new FakeClock(T0);
    const sink = new MemorySink(clock);
    // c1 takes 80s, c2 takes 250s: the 100s deadline holds for c1 and breaks on c2.
    const exec = fakeExecutor(clock, (r) => ({ exitCode: 0, takes: r.purpose === "action" ? (r.host === "c1" ? 80_000 : 250_000) : 0 }));
    const plan = twoHosts({ batches: [1, 1, 1], maxUnavailable: 1, deadline: { seconds: 100, onDeadline: "rollback" } });
    const result = await clock.drive(runForward({ exec: context(plan, clock, exec, sink), sink, state: EMPTY_STATE, scope: { only: null, hosts: null } }));
    expect(result.stopReason).toMatch(/no host became healthy within its 100s progress deadline/);
    expect(result.rollbackRequested).toBe(true);
    expect(sink.of("step-succeeded", "cmp/b0/c1/health")).toHaveLength(1);
    // c2's upgrade was running at the deadline: it finished (never cut off); nothing new started.
    expect(sink.of("step-succeeded", "cmp/b1/c2/upgrade")[0]?.at).toBe(T0 + 80_000 + 250_000);
    expect(sink.of("step-started", "cmp/b1/c2/health")).toHaveLength(0);
  });

  it("with cancel, aborts the service's running steps once failures exceed max-failures", async () => {
    const clock = new FakeClock(T0);
    const sink = new MemorySink(clock);
    const plan = makePlan({
      dir: tempDir(),
      hosts: [host("c1"), host("c2")],
      parallelism: 2,
      services: [service("cmp", ["c1", "c2"], { rolling: rolling({ batches: [2], maxUnavailable: 2, maxFailures: { count: 0, scope: "batch", cancel: true } }) })],
      steps: [
        step("cmp/b0/c1/upgrade", { service: "cmp", hosts: ["c1"], batch: 0, command: argv(["up"]) }),
        step("cmp/b0/c2/upgrade", { service: "cmp", hosts: ["c2"], batch: 0, command: argv(["up"]) }),
      ],
    });
    const exec = fakeExecutor(clock, (r) => (r.host === "c1" ? { exitCode: 1, takes: 5_000 } : { exitCode: 0, takes: 3600_000 }));
    const result = await clock.drive(runForward({ exec: context(plan, clock, exec, sink), sink, state: EMPTY_STATE, scope: { only: null, hosts: null } }));
    expect(result.stopReason).toMatch(/more than max-failures 0/);
    // c2's hour-long upgrade was aborted when c1 failed at 5s.
    expect(sink.of("step-failed", "cmp/b0/c2/upgrade")[0]?.at).toBe(T0 + 5_000);
  });

  it("restricts a run to --only steps and --host hosts", async () => {
    for (const [scope, expected] of [
      [{ only: new Set(["cmp/b1/c2/health"]), hosts: null }, ["cmp/b1/c2/health"]],
      [{ only: null, hosts: new Set(["c3"]) }, ["cmp/b2/c3/upgrade", "cmp/b2/c3/health"]],
    ] as const) {
      const clock = new FakeClock(T0);
      const sink = new MemorySink(clock);
      const exec = fakeExecutor(clock, () => ({ exitCode: 0 }));
      const plan = twoHosts({ batches: [1, 1, 1], maxUnavailable: 1 });
      const result = await clock.drive(runForward({ exec: context(plan, clock, exec, sink), sink, state: EMPTY_STATE, scope }));
      expect(result.succeeded).toEqual(expected);
      expect(sink.of("step-started").map((r) => r.step)).toEqual(expected);
    }
  });
});
