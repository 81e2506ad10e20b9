/**
 * The executor `simulate` gives the real runtime: no process runs; each request takes the
 * step's estimated time on the simulated clock (scaled by --slow) and changes the cloud
 * model as the real action would, or fails as the injected faults say. Every change is an
 * event after which the invariants are checked.
 */
import type { PlanStep } from "../plan/plan.js";
import { keysOfStep } from "../plan/chains.js";
import type { ExecRequest, ExecResult, Executor } from "../runtime/effects.js";
import type { CloudModel, InstanceState, SchemaLevel } from "./cloud-model.js";
import { type FaultSpec, draw, matchesFault } from "./faults.js";
import type { InvariantChecker, SimEvent } from "./invariants.js";
import type { SimClock } from "./sim-clock.js";

/**
 * Seconds after its first probe at which a service in the model starts to pass its health
 * check: late enough that the gate (polling every `every`, passing for `healthyFor`) ends at
 * its estimate (times --slow), not before the poll that ends it, as every other action takes
 * its estimate. A fault-free simulation so keeps the plan's timeline.
 */
export function healthyAfter(step: PlanStep, factor: number): number {
  const gate = step.health;
  if (gate === null) return 0;
  const every = Math.max(1, gate.every);
  const lastPoll = Math.floor((factor * step.estimate.duration) / every) * every;
  return Math.max(0, Math.floor((lastPoll - gate.healthyFor) / every) * every);
}

const OK: ExecResult = { exitCode: 0, signal: null, timedOut: false, error: null };

function failed(message: string): ExecResult {
  return { exitCode: 1, signal: null, timedOut: false, error: message };
}

export interface ExecutorStats {
  /** Executions that failed because a fault said so (action, host, attempt). */
  readonly injected: { readonly step: string; readonly host: string | null; readonly why: string }[];
  executions: number;
}

export class ModelExecutor implements Executor {
  readonly stats: ExecutorStats = { injected: [], executions: 0 };
  private readonly attempts = new Map<string, number>();
  private readonly firstProbe = new Map<string, number>();
  private readonly down: ReadonlySet<string>;
  private readonly servicesOnHost: ReadonlyMap<string, readonly string[]>;
  private readonly startMs: number;

  constructor(
    private readonly model: CloudModel,
    private readonly checker: InvariantChecker,
    private readonly clock: SimClock,
    private readonly faults: FaultSpec,
    private readonly onEvent?: (event: SimEvent, model: CloudModel) => void,
  ) {
    this.down = new Set(faults.down);
    const on = new Map<string, string[]>();
    for (const inst of model.instances.values()) on.set(inst.host, [...(on.get(inst.host) ?? []), inst.service]);
    this.servicesOnHost = on;
    this.startMs = clock.now();
  }

  event(step: PlanStep | null, host: string | null, what: string): SimEvent {
    const now = this.clock.now();
    return { time: this.clock.iso(), at: Math.round((now - this.startMs) / 1000), step: step?.id ?? null, host, what };
  }

  private check(step: PlanStep, host: string | null, what: string): void {
    this.checker.afterEvent(() => this.event(step, host, what));
    this.onEvent?.(this.event(step, host, what), this.model);
  }

  /** The instances a running step holds out of service on this host. */
  private heldBy(step: PlanStep, host: string | null): InstanceState[] {
    const out: InstanceState[] = [];
    for (const k of keysOfStep(step, this.servicesOnHost)) {
      if (host !== null && k.host !== host) continue;
      const inst = this.model.instance(k.host, k.service);
      if (inst) out.push(inst);
    }
    return out;
  }

  private injectedFailure(step: PlanStep, host: string | null, purpose: ExecRequest["purpose"]): string | null {
    if (purpose !== "action" && purpose !== "health") return null;
    if (matchesFault(this.faults.fail, step, host)) return "injected failure (--fail)";
    if (this.faults.failRate > 0 && purpose === "action") {
      const id = `${step.id}@${host ?? ""}`;
      const attempt = (this.attempts.get(id) ?? 0) + 1;
      this.attempts.set(id, attempt);
      if (draw(this.faults.seed, `${id}#${attempt}`) < this.faults.failRate) return `injected failure (--fail-rate, attempt ${attempt})`;
    }
    return null;
  }

  async run(request: ExecRequest): Promise<ExecResult> {
    const { step, host, purpose, signal } = request;
    this.stats.executions += 1;
    const model = this.model;
    if (purpose === "done") return failed("not done");
    if (purpose === "health") return this.probe(step, host);

    const seconds = step.estimate.duration * (this.faults.slow[step.action] ?? 1);
    const h = host === null ? null : (model.hosts.get(host) ?? null);
    if (h !== null && !h.up && step.action !== "reboot") return this.finish(step, host, failed(`${host} is unreachable (down)`), "unreachable");
    const undo = purpose === "undo" || purpose === "restore";
    const fault = this.injectedFailure(step, host, purpose);

    // What holds for the step's whole duration.
    const held = this.heldBy(step, host);
    model.holdOut(held, 1);
    const goesDown = !undo && host !== null && (step.action === "reboot" || step.action === "stop");
    const lostHere = goesDown && this.down.has(host ?? "") && h !== null && !h.lost;
    if (!undo && step.action === "reboot" && host !== null) model.setUp(host, false);
    if (lostHere && host !== null) model.lose(host);
    this.check(step, host, `${step.action}${undo ? " undo" : ""} started`);

    await this.clock.sleep(seconds * 1000, signal);

    model.holdOut(held, -1);
    if (signal.aborted) {
      if (!undo && step.action === "reboot" && host !== null) model.setUp(host, true);
      return this.finish(step, host, { exitCode: null, signal: "SIGTERM", timedOut: false, error: null }, "cancelled");
    }
    if (lostHere) {
      this.stats.injected.push({ step: step.id, host, why: "--down" });
      return this.finish(step, host, failed(`${host} went down and did not come back (--down)`), "host lost");
    }
    if (!undo && step.action === "reboot" && host !== null) {
      model.setUp(host, true);
      if (h !== null && !h.up) return this.finish(step, host, failed(`${host} did not come back from its reboot`), "failed");
    }
    if (fault !== null) {
      this.stats.injected.push({ step: step.id, host, why: fault });
      return this.finish(step, host, failed(fault), "failed");
    }
    const problem = undo ? this.undo(step, host, purpose) : this.apply(step, host);
    return this.finish(step, host, problem === null ? OK : failed(problem), problem === null ? "ended" : "failed");
  }

  private finish(step: PlanStep, host: string | null, result: ExecResult, what: string): ExecResult {
    this.check(step, host, `${step.action} ${what}`);
    return result;
  }

  /** A health probe: the service's instance runs on a host that is up (slow starts pass late). */
  private probe(step: PlanStep, host: string | null): ExecResult {
    if (matchesFault(this.faults.fail, step, host)) return failed("injected failure (--fail)");
    if (host === null || step.service === null) return OK;
    const h = this.model.hosts.get(host);
    const inst = this.model.instance(host, step.service);
    if (!h?.up) return failed(`${host} is down`);
    if (inst && !inst.running) return failed(`${step.service} is not running on ${host}`);
    const id = `${step.id}@${host}`;
    const first = this.firstProbe.get(id) ?? this.clock.now();
    this.firstProbe.set(id, first);
    if (this.clock.now() - first < healthyAfter(step, this.faults.slow["health"] ?? 1) * 1000) return failed(`${step.service} on ${host} not healthy yet`);
    return OK;
  }

  private apply(step: PlanStep, host: string | null): string | null {
    const m = this.model;
    const service = step.service;
    switch (step.action) {
      case "maintenance-enter":
        if (host !== null && service !== null) m.setMaintenance(host, service, true);
        return null;
      case "maintenance-exit":
        if (host !== null && service !== null) m.setMaintenance(host, service, false);
        return null;
      case "evacuate": {
        if (host === null || service === null) return null;
        const group = m.services.get(service)?.spec.hosts ?? [];
        return m.evacuate(host, group, matchesFault(this.faults.lose, step, host));
      }
      case "stop":
        if (host !== null && service !== null) m.setRunning(host, service, false);
        return null;
      case "start":
        if (host !== null && service !== null) m.setRunning(host, service, true);
        return null;
      case "upgrade":
        if (host !== null && service !== null) m.setVersion(host, service, m.to);
        return null;
      case "expand":
      case "migrate":
      case "contract":
        if (service !== null) m.setSchema(service, advance(m.services.get(service)?.schema ?? "none", step.action));
        return null;
      case "pin":
        if (service !== null) m.setPin(service, true);
        return null;
      case "unpin":
        if (service !== null) m.setPin(service, false);
        return null;
      case "checkpoint":
        m.snapshotSchema(step.checkpoint ?? step.id);
        return null;
      default:
        return null;
    }
  }

  private undo(step: PlanStep, host: string | null, purpose: ExecRequest["purpose"]): string | null {
    const m = this.model;
    const service = step.service;
    if (purpose === "restore") {
      m.restoreSchema(step.checkpoint ?? step.id);
      return null;
    }
    switch (step.action) {
      case "checkpoint":
        // Its undo is the checkpoint's restore.
        m.restoreSchema(step.checkpoint ?? step.id);
        return null;
      case "maintenance-enter":
        if (host !== null && service !== null) m.setMaintenance(host, service, false);
        return null;
      case "maintenance-exit":
        if (host !== null && service !== null) m.setMaintenance(host, service, true);
        return null;
      case "stop":
        if (host !== null && service !== null) m.setRunning(host, service, true);
        return null;
      case "start":
        if (host !== null && service !== null) m.setRunning(host, service, false);
        return null;
      case "upgrade":
        if (host !== null && service !== null) m.setVersion(host, service, m.from);
        return null;
      case "expand":
        if (service !== null) m.setSchema(service, "none");
        return null;
      case "migrate":
        if (service !== null) m.setSchema(service, "expanded");
        return null;
      case "contract":
        if (service !== null) m.setSchema(service, "migrated");
        return null;
      case "pin":
        if (service !== null) m.setPin(service, false);
        return null;
      case "unpin":
        if (service !== null) m.setPin(service, true);
        return null;
      default:
        return null;
    }
  }
}

function advance(level: SchemaLevel, action: "expand" | "migrate" | "contract"): SchemaLevel {
  const order: SchemaLevel[] = ["none", "expanded", "migrated", "contracted"];
  const target: SchemaLevel = action === "expand" ? "expanded" : action === "migrate" ? "migrated" : "contracted";
  return order.indexOf(target) > order.indexOf(level) ? target : level;
}
