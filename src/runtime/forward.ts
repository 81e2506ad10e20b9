/**
 * `run` and `resume`: execute the plan's steps that are not done yet, in dependency order,
 * under the caps, pauses and windows, and decide what a failure means (the service's
 * max-failures).
 */
import type { PlanFile, PlanStep } from "../plan/plan.js";
import { CapTracker } from "./caps.js";
import { chainsOfStep, servicesByHost } from "../plan/chains.js";
import type { Clock, StateSink } from "./effects.js";
import { type EndDecision, type EngineResult, type Gate, type Outcome, type WorkItem, runEngine } from "./engine.js";
import { isDone, type RunState } from "./run-state.js";
import { awaitInFlight } from "./in-flight.js";
import { halted, runHealthGate, runSpec, type StepExecContext } from "./step-exec.js";
import type { WindowCalendar } from "../windows/window-clock.js";

/** The window clock's module: loaded only for a plan with windows (it brings luxon, some 15 ms of every run's start-up). */
export type WindowClock = typeof import("../windows/window-clock.js");

/** The plan's window calendars, and how long a step may take in one (window-clock.ts). */
interface Windows {
  readonly calendars: ReadonlyMap<string, WindowCalendar>;
  readonly stepWorst: WindowClock["stepWorst"];
}

export interface Scope {
  /** Only these steps (their dependencies outside the set count as met). */
  readonly only: ReadonlySet<string> | null;
  /** Only steps on these hosts. */
  readonly hosts: ReadonlySet<string> | null;
}

export interface ForwardInput {
  readonly exec: StepExecContext;
  readonly sink: StateSink;
  /** The run so far (empty for a new run). */
  readonly state: RunState;
  readonly scope: Scope;
  readonly stop?: AbortSignal;
  /**
   * Steps in flight on a runner whose lease was taken over (in-flight.ts): none of them
   * starts again before its time here (ms; null: never, it has no timeout), unless its
   * done-check says it finished.
   */
  readonly inFlight?: ReadonlyMap<string, number | null>;
  /**
   * The window clock's module, where the caller has loaded it: the simulator's clock cannot
   * wait for a module to load (it sees a run waiting on nothing). Otherwise it is loaded here
   * for a plan with windows.
   */
  readonly windowClock?: WindowClock;
}

export function inScope(step: PlanStep, scope: Scope): boolean {
  if (scope.only !== null && !scope.only.has(step.id)) return false;
  if (scope.hosts !== null && !step.hosts.some((h) => scope.hosts?.has(h))) return false;
  return true;
}

/**
 * Steps in the order the plan meant them to start, so the earliest planned work goes first;
 * steps planned for the same instant in the plan's order (the sort is stable).
 */
export function planOrder(plan: PlanFile): PlanStep[] {
  return [...plan.steps].sort((a, b) => a.estimate.start - b.estimate.start);
}

/**
 * The parallelism slot a step holds, as the compiler counts them: a host's chain of one
 * service in one batch holds one slot for its whole length; a pause marker holds none.
 */
export function slotOfStep(step: PlanStep): string | null {
  if (step.command === null && step.action === "batch-pause") return null;
  const host = step.hosts.length === 1 ? step.hosts[0] : undefined;
  if (step.service === null || step.batch === null || host === undefined) return step.id;
  return `${step.service}\u0000${step.batch}\u0000${host}`;
}

export async function runForward(input: ForwardInput): Promise<EngineResult> {
  const { exec, state, scope } = input;
  const plan = exec.plan;
  const onHost = servicesByHost(plan);
  const todo = planOrder(plan).filter((s) => inScope(s, scope) && !isDone(state.steps.get(s.id)?.status));
  const todoIds = new Set(todo.map((s) => s.id));
  const items: WorkItem[] = todo.map((step) => ({ step, deps: step.after.filter((d) => todoIds.has(d)) }));
  const initiallyActive = activeChains(plan, state, onHost);
  const windowClock = plan.windows.length === 0 ? null : (input.windowClock ?? (await import("../windows/window-clock.js")));
  const windows = windowClock === null ? null : { calendars: windowCalendars(plan, exec.clock, windowClock), stepWorst: windowClock.stepWorst };
  const run = new ForwardRun(input, todo, todoIds, windows);
  return runEngine({
    items,
    parallelism: plan.plan.parallelism,
    clock: exec.clock,
    caps: new CapTracker(plan),
    chainsOf: (step) => chainsOfStep(step, onHost),
    initiallyActive,
    slotOf: slotOfStep,
    ...(input.stop ? { stop: input.stop } : {}),
    hooks: {
      gate: (step, now) => run.gate(step, now),
      onStart: (step) => run.onStart(step),
      execute: (step, signal) => run.execute(step, signal),
      cancellable: (step) => run.cancellable(step),
      onEnd: (step, outcome) => run.onEnd(step, outcome),
      passesLeftOut: (step) => run.passesLeftOut(step),
      onLeftOut: (step) => run.onLeftOut(step),
      commit: () => input.sink.commit(),
      watch: (now) => run.watch(now),
    },
  });
}

/** A host half-way through its chain when the run stopped is still out of service. */
function activeChains(plan: PlanFile, state: RunState, onHost: ReturnType<typeof servicesByHost>): Set<string> {
  const initiallyActive = new Set<string>();
  for (const step of plan.steps) {
    const s = state.steps.get(step.id)?.status;
    if (s === undefined || s === "pending" || s === "undone") continue;
    for (const chain of chainsOfStep(step, onHost)) initiallyActive.add(chain.id);
  }
  return initiallyActive;
}

/** The plan's steps grouped by service, for the pause gate. */
function stepsByService(plan: PlanFile): Map<string, PlanStep[]> {
  const byService = new Map<string, PlanStep[]>();
  for (const s of plan.steps) {
    if (s.service !== null) {
      const list = byService.get(s.service) ?? [];
      list.push(s);
      byService.set(s.service, list);
    }
  }
  return byService;
}

/**
 * One calendar per window, from the plan's start (or now, if the run began earlier): the
 * same occurrences and admission rule the compiler planned with.
 */
function windowCalendars(plan: PlanFile, clock: Clock, windowClock: WindowClock): Map<string, WindowCalendar> {
  const origin = Math.min(Number.isFinite(Date.parse(plan.plan.start)) ? Date.parse(plan.plan.start) : clock.now(), clock.now());
  return new Map(plan.windows.map((w) => [w.name, new windowClock.WindowCalendar(windowClock.shapeOfPlanWindow(w), origin)]));
}

/** Each service's last batch. */
function lastBatches(plan: PlanFile): Map<string, number> {
  const lastBatch = new Map<string, number>();
  for (const s of plan.steps) if (s.service !== null && s.batch !== null) lastBatch.set(s.service, Math.max(lastBatch.get(s.service) ?? 0, s.batch));
  return lastBatch;
}

/**
 * The hooks `run` and `resume` give the engine, with the state they keep across the run:
 * the gates (left out, pauses, windows), what a step does, and what its end means.
 */
class ForwardRun {
  private readonly exec: StepExecContext;
  private readonly sink: StateSink;
  private readonly state: RunState;
  private readonly plan: PlanFile;
  private readonly clock: Clock;
  private readonly failedHosts = new Map<string, Set<string>>();
  private readonly reportedWaits = new Set<string>();
  private readonly pauseByRuntime: Set<string>;
  // Kept only for the steps the gates look at: the end times of the steps of a service the
  // runtime pauses, and which steps in a window have started.
  private readonly endedAt = new Map<string, number>();
  // Steps a tolerated failure left out of this run: no later batch waits for them.
  private readonly leftOut = new Set<string>();
  private readonly startedInWindow = new Set<string>();
  // Steps grouped once: each step's chain in its window for the window gate, by service for pauses.
  private readonly chainInWindow: (step: PlanStep) => readonly PlanStep[];
  private readonly byService: Map<string, PlanStep[]>;
  private readonly doneByCheck = new Set<string>();
  // Progress deadlines: a service's rollout must see a host become healthy at least this
  // often (from its first rollout step), or it stops (or rolls back).
  private readonly rolloutLeft = new Map<string, number>();
  private readonly hasGates: Set<string>;
  private readonly lastProgress = new Map<string, number>();
  // A failure cancels running steps only of a service whose max-failures says `cancel`.
  private readonly cancelling: Set<string>;
  // Hosts of each service left out of this run by a tolerated failure. The service's last
  // marker stands for "every host is new" (unpin, contract and the services after it wait
  // for it): it never starts while one of its hosts is left out.
  private readonly hostsLeftOut = new Map<string, Set<string>>();
  private readonly lastBatch: Map<string, number>;

  constructor(
    private readonly input: ForwardInput,
    todo: readonly PlanStep[],
    private readonly todoIds: ReadonlySet<string>,
    private readonly windows: Windows | null,
  ) {
    this.exec = input.exec;
    this.sink = input.sink;
    this.state = input.state;
    this.plan = input.exec.plan;
    this.clock = input.exec.clock;
    const plan = this.plan;
    this.pauseByRuntime = new Set(
      plan.services.filter((s) => s.rolling.pause > 0 && !plan.steps.some((st) => st.service === s.name && st.action === "batch-pause")).map((s) => s.name),
    );
    this.chainInWindow = windowChains(plan);
    this.byService = stepsByService(plan);
    for (const s of todo) if (s.service !== null && s.batch !== null) this.rolloutLeft.set(s.service, (this.rolloutLeft.get(s.service) ?? 0) + 1);
    this.hasGates = new Set(plan.steps.filter((s) => s.action === "health" && s.service !== null).map((s) => s.service ?? ""));
    this.cancelling = new Set(plan.services.filter((s) => s.rolling.maxFailures.cancel).map((s) => s.name));
    this.lastBatch = lastBatches(plan);
  }

  private status(id: string) {
    return this.state.steps.get(id)?.status;
  }

  gate(step: PlanStep, now: number): Gate {
    const out = this.leftOutGate(step);
    if (out.kind !== "go") return out;
    const pause = this.pauseGate(step);
    if (pause.kind !== "go") return pause;
    return this.windowGate(step, now);
  }

  private windowGate(step: PlanStep, now: number): Gate {
    if (step.window === null) return { kind: "go" };
    const calendar = this.windows?.calendars.get(step.window);
    if (this.windows === null || !calendar) return { kind: "go" };
    const stepWorst = this.windows.stepWorst;
    const window = calendar.window;
    // The rest of its host's chain in this window goes with it; once a chain has begun, it
    // finishes (running work is never cut off).
    const chain = this.chainInWindow(step);
    for (const s of chain) if (s.id !== step.id && (this.startedInWindow.has(s.id) || isDone(this.status(s.id)))) return { kind: "go" };
    // Its steps run back to back, each up to its worst case (a health gate to its deadline):
    // the sum, as the compiler admitted the chain.
    const inRest = (s: PlanStep): boolean => s.estimate.start >= step.estimate.start && !isDone(this.status(s.id));
    let needSeconds = chain.some((s) => s === step && inRest(s)) ? 0 : stepWorst(step.estimate.duration, step.health?.within ?? null);
    for (const s of chain) if (inRest(s)) needSeconds += stepWorst(s.estimate.duration, s.health?.within ?? null);
    const fit = calendar.admit(calendar.secondsOf(now), needSeconds);
    if (fit === null) return { kind: "never", why: `window ${step.window} is too short for ${needSeconds}s of work (less its ${window.cutoff}s cutoff)` };
    const until = calendar.msOf(fit.start);
    if (until <= now) return { kind: "go" };
    const key = `${step.window}@${until}`;
    if (!this.reportedWaits.has(key)) {
      this.reportedWaits.add(key);
      this.sink.record({
        type: "window-wait",
        step: step.id,
        until: new Date(until).toISOString(),
        message: `waiting for window ${step.window}: ${step.id} needs ${needSeconds}s before its end less ${window.cutoff}s cutoff; next fit opens ${new Date(until).toISOString()}`,
      });
    }
    return { kind: "wait", until };
  }

  private pauseGate(step: PlanStep): Gate {
    if (step.service === null || step.batch === null || step.batch === 0 || !this.pauseByRuntime.has(step.service)) return { kind: "go" };
    const service = this.plan.services.find((s) => s.name === step.service);
    if (!service) return { kind: "go" };
    let lastEnd = -Infinity;
    for (const s of this.byService.get(step.service) ?? []) {
      if (s.batch === null || s.batch >= (step.batch ?? 0)) continue;
      if (!this.todoIds.has(s.id) || this.leftOut.has(s.id)) continue;
      const end = this.endedAt.get(s.id);
      if (end === undefined) return { kind: "hold" };
      lastEnd = Math.max(lastEnd, end);
    }
    if (lastEnd === -Infinity) return { kind: "go" };
    const until = lastEnd + service.rolling.pause * 1000;
    return this.clock.now() >= until ? { kind: "go" } : { kind: "wait", until };
  }

  private leftOutGate(step: PlanStep): Gate {
    if (step.action !== "batch-pause" || step.service === null || this.passesLeftOut(step)) return { kind: "go" };
    const out = this.hostsLeftOut.get(step.service);
    if (out === undefined || out.size === 0) return { kind: "go" };
    return { kind: "never", why: `waits for ${step.service} host(s) left out after failures within max-failures: ${[...out].join(", ")}` };
  }

  onStart(step: PlanStep): void {
    if (step.window !== null) this.startedInWindow.add(step.id);
    this.progressed(step, true);
    this.sink.record({ type: "step-started", step: step.id, host: step.hosts[0] ?? null, attempt: (this.state.steps.get(step.id)?.attempts ?? 0) + 1 });
  }

  async execute(step: PlanStep, signal: AbortSignal): Promise<Outcome> {
    const { exec, clock } = this;
    if (step.command === null) {
      // A pause (or a marker): it takes its planned time and runs nothing.
      if (step.action === "batch-pause" && step.estimate.duration > 0) await clock.sleep(step.estimate.duration * 1000, signal);
      return { ok: true };
    }
    if (this.status(step.id) === "interrupted" && step.done !== null) {
      const check = await runSpec(exec, step, step.done, "done", signal, { retry: false });
      if (check.ok) {
        this.doneByCheck.add(step.id);
        return { ok: true };
      }
    }
    const elsewhere = await awaitInFlight(step, this.input.inFlight, clock, signal);
    if (elsewhere !== null) return { ok: false, message: elsewhere, rollback: false, exitCode: null, signal: null, timedOut: false };
    const result =
      step.health !== null ? await runHealthGate(exec, step, step.command, step.health, signal) : await runSpec(exec, step, step.command, "action", signal);
    if (result.ok) return { ok: true };
    const where = result.host !== null ? ` on ${result.host}` : "";
    return {
      ok: false,
      message: `${result.message}${where}`,
      rollback: step.health !== null && step.health.onDeadline === "rollback",
      exitCode: result.exitCode,
      signal: result.signal,
      timedOut: result.timedOut,
    };
  }

  cancellable(step: PlanStep): boolean {
    return step.service !== null && this.cancelling.has(step.service);
  }

  watch(now: number): { stop?: string; rollback?: boolean; next?: number } {
    let next = Infinity;
    for (const [name, since] of this.lastProgress) {
      const deadline = this.plan.services.find((s) => s.name === name)?.rolling.deadline;
      if (!deadline || (this.rolloutLeft.get(name) ?? 0) === 0) continue;
      const expires = since + deadline.seconds * 1000;
      if (now >= expires) {
        return { stop: `${name}: no host became healthy within its ${deadline.seconds}s progress deadline`, rollback: deadline.onDeadline === "rollback" };
      }
      next = Math.min(next, expires);
    }
    return next === Infinity ? {} : { next };
  }

  private progressed(step: PlanStep, started: boolean): void {
    if (step.service === null || step.batch === null) return;
    if (started) {
      if (!this.lastProgress.has(step.service)) this.lastProgress.set(step.service, this.clock.now());
      return;
    }
    this.rolloutLeft.set(step.service, (this.rolloutLeft.get(step.service) ?? 1) - 1);
    if (step.action === "health" || !this.hasGates.has(step.service)) this.lastProgress.set(step.service, this.clock.now());
  }

  onEnd(step: PlanStep, outcome: Outcome): EndDecision {
    if (step.service !== null && this.pauseByRuntime.has(step.service)) this.endedAt.set(step.id, this.clock.now());
    if (outcome.ok) this.progressed(step, false);
    // Stopped by a second stop signal: its effect is unknown, so no end is journaled (it stays
    // interrupted: resume asks its done-check, or runs it again).
    if (!outcome.ok && halted(this.exec)) return { stop: "stopped by the operator: the running steps were interrupted" };
    if (outcome.ok) {
      this.sink.record({ type: "step-succeeded", step: step.id, host: step.hosts[0] ?? null, exitCode: 0, ...(this.doneByCheck.has(step.id) ? { byDoneCheck: true } : {}) });
      return {};
    }
    const decision = this.failureDecision(step);
    this.sink.record({
      type: "step-failed",
      step: step.id,
      host: step.hosts[0] ?? null,
      message: outcome.message,
      exitCode: outcome.exitCode ?? null,
      ...(outcome.signal ? { signal: outcome.signal } : {}),
      ...(outcome.timedOut ? { timedOut: true } : {}),
      ...(decision.tolerated === true ? { tolerated: true } : {}),
    });
    return decision;
  }

  /**
   * What a failure means under the service's max-failures: within it, the failed hosts are
   * left out and the rollout goes on (tolerated); past it, the run stops.
   */
  private failureDecision(step: PlanStep): EndDecision {
    const service = this.plan.services.find((s) => s.name === step.service);
    if (!service) return { stop: `${step.id} failed (a step of no service: any failure stops the run)` };
    const policy = service.rolling.maxFailures;
    const bucket = policy.scope === "batch" ? `${service.name}#${step.batch ?? "-"}` : service.name;
    const hosts = this.failedHosts.get(bucket) ?? new Set<string>();
    for (const h of step.hosts.length > 0 ? step.hosts : [step.id]) hosts.add(h);
    this.failedHosts.set(bucket, hosts);
    if (hosts.size > policy.count) {
      const where = policy.scope === "batch" ? ` in batch ${(step.batch ?? -1) + 1}` : "";
      return {
        stop: `${service.name}: ${hosts.size} failed host(s)${where}, more than max-failures ${policy.count}`,
        ...(policy.cancel ? { cancel: (other: PlanStep) => other.service === service.name } : {}),
      };
    }
    this.holdOut(step);
    return { tolerated: true };
  }

  onLeftOut(step: PlanStep): void {
    this.leftOut.add(step.id);
    this.holdOut(step);
  }

  private holdOut(step: PlanStep): void {
    if (step.service === null || step.batch === null) return;
    const set = this.hostsLeftOut.get(step.service) ?? new Set<string>();
    for (const h of step.hosts) set.add(h);
    this.hostsLeftOut.set(step.service, set);
  }

  // The markers between a service's batches go on past a host left out; its last marker
  // (`<service>/done`: every host of the service is new) does not, nor does what follows it.
  passesLeftOut(step: PlanStep): boolean {
    return step.action === "batch-pause" && step.service !== null && step.batch !== null && step.batch < (this.lastBatch.get(step.service) ?? 0);
  }
}

/**
 * A step's chain in its window: the steps of its (window, service, batch) on any of its hosts,
 * in the plan's order (itself among them). Indexed by host once, and made per step when first
 * asked: the window gate asks for it every turn a step is ready, and a batch of a large
 * cloud holds thousands of steps.
 */
function windowChains(plan: PlanFile): (step: PlanStep) => readonly PlanStep[] {
  const groups = new Map<string, Map<string, { at: number; step: PlanStep }[]>>();
  const groupKey = (s: PlanStep): string => `${s.window ?? ""}\u0000${s.service ?? ""}\u0000${s.batch ?? "-"}`;
  plan.steps.forEach((s, at) => {
    if (s.window === null) return;
    const key = groupKey(s);
    const byHost = groups.get(key) ?? new Map<string, { at: number; step: PlanStep }[]>();
    groups.set(key, byHost);
    for (const h of new Set(s.hosts)) {
      const list = byHost.get(h) ?? [];
      list.push({ at, step: s });
      byHost.set(h, list);
    }
  });
  const made = new Map<string, readonly PlanStep[]>();
  return (step) => {
    const known = made.get(step.id);
    if (known !== undefined) return known;
    const byHost = step.window === null ? undefined : groups.get(groupKey(step));
    const lists = byHost === undefined ? [] : step.hosts.map((h) => byHost.get(h) ?? []);
    const chain =
      lists.length === 1
        ? (lists[0] ?? []).map((e) => e.step)
        : [...new Map(lists.flat().map((e) => [e.at, e])).values()].sort((a, b) => a.at - b.at).map((e) => e.step);
    made.set(step.id, chain);
    return chain;
  };
}

/** The hosts a run left out after failures within max-failures, per service (from the steps whose failure was tolerated). */
export function hostsLeftOut(plan: PlanFile, result: Pick<EngineResult, "tolerated">): Map<string, string[]> {
  const byId = new Map(plan.steps.map((s) => [s.id, s]));
  const out = new Map<string, string[]>();
  for (const id of result.tolerated) {
    const step = byId.get(id);
    if (step === undefined) continue;
    const key = step.service ?? "(plan)";
    const list = out.get(key) ?? [];
    for (const h of step.hosts) if (!list.includes(h)) list.push(h);
    out.set(key, list);
  }
  return out;
}

/**
 * Why a run that no failure stopped did not finish, when only tolerated failures are to blame:
 * the hosts left out, and that what needs them waits. Null when something else is to blame.
 */
export function leftOutReason(plan: PlanFile, result: EngineResult): string | null {
  if (result.stopReason !== null || result.tolerated.length === 0 || result.failed.length !== result.tolerated.length) return null;
  const parts = [...hostsLeftOut(plan, result)].map(([service, hosts]) => `${service}: ${hosts.join(", ")}`);
  const capped = result.notStarted.filter((n) => n.why.startsWith("cap:"));
  if (capped.length > 0) {
    // A host left out holds its place under max-unavailable: with no place left, no batch can start.
    return `host(s) left out after failures within max-failures (${parts.join("; ")}) hold the service's places under max-unavailable: ${capped.length} step(s) could not start (${capped[0]?.why ?? ""})`;
  }
  return `host(s) left out after failures within max-failures (${parts.join("; ")}); the rollout went on without them, ${result.notStarted.length} step(s) that need them did not run`;
}
