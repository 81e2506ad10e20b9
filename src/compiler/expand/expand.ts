/**
 * Expand: the resolved model becomes the step graph, phase by phase (any may be empty):
 *
 *   checkpoints before prechecks → prechecks → … → expand → pin → rollout → migrate → unpin
 *   → contract → cleanup → postchecks
 *
 * with each `checkpoint … before P` placed just before phase P. Every step of a phase waits
 * for the last steps of the phase before it; within a per-service phase (expand, pin,
 * migrate, unpin, contract, cleanup) a service's step also waits for the same step of the
 * services it comes after. Pre- and post-checks of different services run side by side.
 *
 * The rollout: control-plane services first, each rolling after the services it names in
 * `after` finished theirs; then data-plane services, after every control-plane rollout (the
 * upstream order: conductors and APIs before computes). A service rolls in batches; each
 * host of a batch goes through its chain
 *
 *   maintenance-enter → evacuate → stop → upgrade → reboot → start → health → maintenance-exit
 *
 * with a step only for the actions the service defines (upgrade always). After each batch
 * a `batch-pause` marker (runs nothing, lasts the policy's pause) waits for the batch's
 * health gates; the next batch starts after it. The last batch's marker, `<service>/done`
 * (no pause), waits for every chain to finish and stands for "this service is rolled out".
 * Markers keep the graph linear in size: without them a 10k-host batch after another would
 * need 10k × 10k edges.
 */
import { enforcedSets } from "../../plan/host-sets.js";
import { type Diagnostic, type Result, diag } from "../../diagnostics/diagnostic.js";
import type { Phase, PlanCommandSpec, PlanEstimate, StepAction, Unavailable } from "../../plan/plan.js";
import { type Estimate, type EstimateBook, evacuationOf, WRITTEN_ONLY } from "../estimate-book.js";
import { DEFAULT_ESTIMATES, gateEstimate } from "../estimates.js";
import type { Model, ModelAction, ModelCheckpoint, ModelHost, ModelService } from "../model.js";
import { NOT_YET, type Caps, type DraftStep, type Expansion, type Job } from "./draft.js";
import { stepWorst } from "../../windows/window-clock.js";

type Undo = PlanCommandSpec | "irreversible" | null;
type CheckpointPosition = ModelCheckpoint["before"];

const POSITIONS: readonly CheckpointPosition[] = ["prechecks", "expand", "pin", "rollout", "migrate", "unpin", "contract", "cleanup"];

type PerServiceKind = "expand" | "pin" | "migrate" | "unpin" | "contract" | "cleanup";

/** A step of a host's chain, the same for every host of the service but the host. */
interface ChainStep {
  readonly action: StepAction;
  readonly command: PlanCommandSpec | null;
  readonly duration: number;
  readonly worst: number;
  /** While it runs: the whole host ("host") or only the service's instance on it ("instance"). */
  readonly out: "host" | "instance";
  readonly undo: Undo;
  readonly done: PlanCommandSpec | null;
  readonly health: DraftStep["health"];
  /** A measured evacuation per instance: each host's step is this times its instance count. */
  readonly perInstance?: { readonly seconds: number; readonly countVar: string };
}

/** The chain of every host of a service: steps, their summed worst case, and where the health gate is (-1: none). */
interface Chain {
  readonly steps: readonly ChainStep[];
  readonly worst: number;
  readonly gate: number;
}

/** Integers appended one at a time into a typed array that doubles as it fills (80k of them at 10k hosts). */
class Int32List {
  private data = new Int32Array(4096);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }

  /** The values, in an array of their own. */
  values(): Int32Array {
    return this.data.slice(0, this.length);
  }
}

/** Collects steps and jobs in creation order, which is a topological order by construction. */
class GraphBuilder {
  readonly steps: DraftStep[] = [];
  /** Expansion.after, as it grows. */
  readonly afterStart = new Int32List();
  readonly afterList = new Int32List();
  readonly irreversible = new Map<number, string>();
  readonly jobs: Job[] = [];
  readonly jobOfStep = new Int32List();

  constructor() {
    this.afterStart.push(0);
  }

  /** A step that waits for `after` (indices, or one index); `reason` says why it cannot be undone when its undo is "irreversible". */
  add(step: DraftStep, after: readonly number[] | number, reason: string | null = null): number {
    this.steps.push(step);
    if (typeof after === "number") this.afterList.push(after);
    else for (let k = 0; k < after.length; k++) this.afterList.push(after[k] as number);
    this.afterStart.push(this.afterList.length);
    const index = this.steps.length - 1;
    if (step.undo === "irreversible") this.irreversible.set(index, reason ?? `${step.id} is marked \`undo irreversible\``);
    return index;
  }

  single(step: DraftStep, after: readonly number[], reason: string | null = null): number {
    const index = this.add(step, after, reason);
    const marker = step.command === null && step.action === "batch-pause";
    this.jobs.push({
      kind: marker ? "marker" : "single",
      first: index,
      count: 1,
      service: null,
      domain: "",
      duration: step.estimate.duration,
      worst: step.estimate.duration,
      window: step.window,
      usesSlot: !marker,
    });
    this.jobOfStep.push(this.jobs.length - 1);
    return index;
  }

  /** A host's chain: its first step waits for `before`, each other for the one before it. */
  chain(steps: readonly DraftStep[], before: readonly number[], worst: number, service: string, domain: string, window: string | null): { first: number; last: number } {
    const first = this.steps.length;
    let duration = 0;
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i] as DraftStep;
      this.add(step, i === 0 ? before : first + i - 1);
      duration += step.estimate.duration;
      this.jobOfStep.push(this.jobs.length);
    }
    this.jobs.push({ kind: "chain", first, count: steps.length, service, domain, duration, worst, window, usesSlot: true });
    return { first, last: this.steps.length - 1 };
  }
}

/** What every step of the expansion reads and adds to: the model, the graph as it grows, and the findings. */
interface ExpandContext {
  readonly model: Model;
  readonly book: EstimateBook;
  readonly g: GraphBuilder;
  readonly diagnostics: Diagnostic[];
  readonly hostByName: ReadonlyMap<string, ModelHost>;
  readonly windowNames: ReadonlySet<string>;
  readonly order: readonly ModelService[];
  readonly rank: ReadonlyMap<string, number>;
  readonly caps: Map<string, Caps>;
  readonly rolloutBefore: Map<string, Set<string>>;
  readonly estimates: Map<string, PlanEstimate[]>;
}

export function expand(model: Model, book: EstimateBook = WRITTEN_ONLY): Result<Expansion> {
  const order = serviceOrder(model.services);
  const ctx: ExpandContext = {
    model,
    book,
    g: new GraphBuilder(),
    diagnostics: [],
    hostByName: new Map<string, ModelHost>(model.hosts.map((h) => [h.name, h])),
    windowNames: new Set(model.windows.map((w) => w.name)),
    order,
    rank: new Map(order.map((s, i) => [s.name, i])),
    caps: new Map<string, Caps>(),
    rolloutBefore: new Map<string, Set<string>>(),
    estimates: new Map<string, PlanEstimate[]>(),
  };
  upgradeFindings(ctx);
  rebootAndEvacuateFindings(ctx);

  let frontier: number[] = [];
  frontier = checkpointsBefore(ctx, "prechecks", frontier);
  frontier = checks(ctx, "precheck", "prechecks", frontier);
  for (const kind of ["expand", "pin"] as const) {
    frontier = checkpointsBefore(ctx, kind, frontier);
    frontier = perService(ctx, kind, frontier);
  }
  frontier = checkpointsBefore(ctx, "rollout", frontier);
  frontier = rollout(ctx, frontier);
  for (const kind of ["migrate", "unpin", "contract", "cleanup"] as const) {
    frontier = checkpointsBefore(ctx, kind, frontier);
    frontier = perService(ctx, kind, frontier);
  }
  checks(ctx, "postcheck", "postchecks", frontier);

  const { g, caps, rolloutBefore, estimates, diagnostics } = ctx;
  return {
    value: { steps: g.steps, after: { start: g.afterStart.values(), list: g.afterList.values() }, irreversible: g.irreversible, jobs: g.jobs, jobOfStep: g.jobOfStep.values(), caps, rolloutBefore, estimates },
    diagnostics,
  };
}

/** Service-level findings about the upgrade and its rollback, once per service. */
function upgradeFindings(ctx: ExpandContext): void {
  for (const s of ctx.order) {
    if (s.hosts.length === 0) continue;
    const upgrade = s.actions.upgrade;
    if (upgrade === undefined) {
      ctx.diagnostics.push(diag("UPG0580", {
        message: `service \`${s.name}\` has no upgrade action: its upgrade steps run nothing`,
        span: s.nameSpan,
        help: "give it an `upgrade [...]` action, or a `deploy` method that has one",
      }));
    } else if (upgrade.undo === null && s.actions.rollback === undefined) {
      ctx.diagnostics.push(diag("UPG0581", {
        message: `service \`${s.name}\` has no rollback action: rolling back leaves its hosts at the new version`,
        span: s.nameSpan,
        help: "add a `rollback [...]` action (e.g. reinstall the old packages) or an `undo` on its upgrade",
      }));
    }
  }
}

/** Service-level findings about reboots and evacuations that run nothing, once per service. */
function rebootAndEvacuateFindings(ctx: ExpandContext): void {
  for (const s of ctx.order) {
    if (s.hosts.length === 0) continue;
    if (s.reboot && s.reboot.action === null) {
      ctx.diagnostics.push(diag("UPG0585", {
        message: `service \`${s.name}\` needs a reboot but has no reboot command: its reboot steps run nothing`,
        span: s.nameSpan,
        help: 'give the reboot a command, e.g. `reboot ["systemctl", "reboot"] takes 5m`, or use a `deploy` method that has one',
      }));
    }
    if (s.evacuate && s.evacuate.strategy !== "none" && s.evacuate.run === null) {
      ctx.diagnostics.push(diag("UPG0586", {
        message: `service \`${s.name}\` evacuates by ${s.evacuate.strategy} but has no evacuation command: no host is emptied`,
        span: s.nameSpan,
        help: "add `run [...]` to its `evacuate`, or extend a template that has one",
      }));
    }
  }
}

/** Records where a service's action's estimate came from (once per action), with the seconds its steps take. */
function noted(ctx: ExpandContext, service: string, action: StepAction, e: Estimate, extra: Partial<PlanEstimate> = {}): number {
  const list = ctx.estimates.get(service) ?? [];
  if (!ctx.estimates.has(service)) ctx.estimates.set(service, list);
  if (!list.some((x) => x.action === action)) {
    list.push({ action, seconds: e.seconds, source: e.source, ...(e.runs !== undefined ? { runs: e.runs, samples: e.samples ?? 0 } : {}), ...extra });
  }
  return e.seconds;
}

/** The estimate of a service's action: measured, else `written`, else the default for `kind`. */
function estimateOf(ctx: ExpandContext, s: ModelService, action: StepAction, written: number | null, kind: keyof typeof DEFAULT_ESTIMATES): Estimate {
  return ctx.book.of(s.name, action, written, DEFAULT_ESTIMATES[kind]);
}

/** The seconds a service's action takes, recorded with where the estimate came from. */
function notedEstimate(ctx: ExpandContext, s: ModelService, kind: StepAction & keyof typeof DEFAULT_ESTIMATES, written: number | null): number {
  return noted(ctx, s.name, kind, estimateOf(ctx, s, kind, written, kind));
}

// A checkpoint with a restore before a phase makes that phase's schema and data changes
// reversible: rollback returns to the checkpoint and restores it.
function restorableBefore(model: Model, position: CheckpointPosition): string | null {
  const limit = POSITIONS.indexOf(position);
  const cp = model.checkpoints.find((c) => c.restore !== null && POSITIONS.indexOf(c.before) <= limit);
  return cp ? cp.name : null;
}

function checkpointsBefore(ctx: ExpandContext, position: CheckpointPosition, frontier: number[]): number[] {
  for (const cp of ctx.model.checkpoints) {
    if (cp.before !== position) continue;
    const index = ctx.g.single(
      {
        id: `checkpoint/${cp.name}`,
        phase: "checkpoint",
        service: null,
        hosts: [],
        action: "checkpoint",
        command: cp.run?.spec ?? null,
        after: NOT_YET,
        estimate: { start: 0, duration: cp.run ? (cp.run.takes ?? DEFAULT_ESTIMATES.checkpoint) : 0 },
        window: null,
        unavailable: [],
        batch: null,
        checkpoint: cp.name,
        // Rolling back to a checkpoint is restoring it.
        undo: cp.restore?.spec ?? null,
        done: cp.run?.done ?? null,
        health: null,
      },
      frontier,
    );
    frontier = [index];
  }
  return frontier;
}

function checks(ctx: ExpandContext, kind: "precheck" | "postcheck", phase: Phase, frontier: number[]): number[] {
  const made: number[] = [];
  for (const s of ctx.order) {
    const action = s.actions[kind];
    if (!action) continue;
    // Checks only read: nothing to undo.
    made.push(ctx.g.single(serviceStep(s, kind, phase, action, undoOf(action, null), notedEstimate(ctx, s, kind, action.takes)), frontier));
  }
  return made.length > 0 ? made : frontier;
}

function perService(ctx: ExpandContext, kind: PerServiceKind, frontier: number[]): number[] {
  const made = new Map<string, number>();
  const used = new Set<number>();
  const has = (s: ModelService): boolean => s.actions[kind] !== undefined;
  const nearest = nearestAncestors(ctx.order, ctx.rank, has);
  for (const s of ctx.order) {
    const action = s.actions[kind];
    if (!action) continue;
    const preds = (nearest.get(s.name) ?? []).map((name) => made.get(name)).filter((i): i is number => i !== undefined);
    for (const p of preds) used.add(p);
    const { undo, reason } = perServiceUndo(kind, s, action, (p) => restorableBefore(ctx.model, p));
    made.set(s.name, ctx.g.single(serviceStep(s, kind, kind, action, undo, notedEstimate(ctx, s, kind, action.takes)), preds.length > 0 ? preds : frontier, reason));
  }
  return made.size > 0 ? [...made.values()].filter((i) => !used.has(i)) : frontier;
}

function rollout(ctx: ExpandContext, frontier: number[]): number[] {
  const done = new Map<string, number>();
  const used = new Set<number>();
  const nearest = nearestAncestors(ctx.order, ctx.rank, (s) => s.hosts.length > 0);
  const controlDone: number[] = [];
  const usedByControl = new Set<number>();
  for (const s of ctx.order) {
    if (s.hosts.length === 0) continue;
    const preds = (nearest.get(s.name) ?? []).map((name) => done.get(name)).filter((i): i is number => i !== undefined);
    // Control-plane rollouts that no later one waits for: the others come with them.
    if (s.plane === "data") for (const c of controlDone) if (!usedByControl.has(c) && !preds.includes(c)) preds.push(c);
    for (const p of preds) used.add(p);
    if (s.plane === "control") for (const p of preds) usedByControl.add(p);
    ctx.rolloutBefore.set(s.name, rolledOutBefore(ctx, done, preds));
    const entry = preds.length > 0 ? preds : frontier;
    const end = rollService(ctx, s, entry);
    done.set(s.name, end);
    if (s.plane === "control") controlDone.push(end);
  }
  return done.size > 0 ? [...done.values()].filter((i) => !used.has(i)) : frontier;
}

/** The services rolled out before one whose rollout waits for `preds`: theirs, and those before them. */
function rolledOutBefore(ctx: ExpandContext, done: ReadonlyMap<string, number>, preds: readonly number[]): Set<string> {
  const before = new Set<string>();
  for (const [name, marker] of done) {
    if (!preds.includes(marker)) continue;
    before.add(name);
    for (const a of ctx.rolloutBefore.get(name) ?? []) before.add(a);
  }
  return before;
}

function capsOf(s: ModelService): Caps {
  const domainVar = s.rolling.domain;
  return {
    maxUnavailable: s.rolling.rolling ? Math.max(1, s.rolling.maxUnavailable) : s.hosts.length,
    maxUnavailablePerDomain: s.rolling.rolling && domainVar !== null && s.rolling.maxUnavailablePerDomain !== null ? Math.max(1, s.rolling.maxUnavailablePerDomain) : null,
    maxUnavailableByDomain: s.rolling.rolling && domainVar !== null ? (s.rolling.maxUnavailableByDomain ?? null) : null,
    hostSets: s.rolling.rolling ? enforcedSets(s.rolling.hostSets, true) : [],
  };
}

/** A service's rollout: its batches, each after the marker of the one before; returns `<service>/done`. */
function rollService(ctx: ExpandContext, s: ModelService, entry: readonly number[]): number {
  const window = chainWindow(ctx, s);
  const batches = batchSizes(s);
  ctx.caps.set(s.name, capsOf(s));
  const chains = { first: chainOf(ctx, s, true), rest: chainOf(ctx, s, false) };
  let offset = 0;
  let before: readonly number[] = entry;
  let previousTails: number[] = [];
  let marker = -1;
  for (let b = 0; b < batches.length; b++) {
    const size = batches[b] ?? 0;
    const last = b === batches.length - 1;
    const gates: number[] = [];
    const tails: number[] = [];
    for (let h = offset; h < Math.min(offset + size, s.hosts.length); h++) {
      const host = s.hosts[h] as string;
      const chain = s.hosts[0] === host ? chains.first : chains.rest;
      // Only `once` actions, on a host other than the first: nothing to do on it.
      if (chain.steps.length === 0) continue;
      const { first, last: tail } = hostChain(ctx, s, b, host, chain, window, before);
      const gate = chain.gate >= 0 ? first + chain.gate : tail;
      gates.push(last ? tail : gate);
      if (!last && tail !== gate) tails.push(tail);
    }
    offset += size;
    // The marker also waits for the previous batch's chain tails (leaving maintenance after
    // the gate), so `<service>/done` truly follows every step of the rollout.
    const after = [...new Set([...gates, ...previousTails])];
    if (after.length === 0) after.push(...before);
    marker = ctx.g.single(batchMarker(s, b, last), after);
    previousTails = tails;
    before = [marker];
  }
  return marker;
}

/** One host's chain of batch `b`, waiting for `before`. */
function hostChain(ctx: ExpandContext, s: ModelService, b: number, host: string, chain: Chain, window: string | null, before: readonly number[]): { first: number; last: number } {
  const hostList = [host];
  // Which steps take the whole host out (maintenance among the reasons) is the chain's to say.
  const hostWide: readonly Unavailable[] = [{ host }];
  const instance: readonly Unavailable[] = [{ host, service: s.name }];
  const hostVars = ctx.hostByName.get(host);
  let worst = chain.worst;
  for (const c of chain.steps) if (c.perInstance !== undefined) worst += hostSeconds(c, hostVars) - c.worst;
  const drafts = chain.steps.map((c): DraftStep => ({
    // Joined, not a template: Array#join makes one flat string, where a template
    // makes a rope of pieces that each later hash (the id check) and JSON.stringify
    // would flatten again (80k ids at 10k hosts).
    id: [s.name, "/b", b + 1, "/", host, "/", c.action].join(""),
    phase: "rollout",
    service: s.name,
    hosts: hostList,
    action: c.action,
    command: c.command,
    after: NOT_YET,
    estimate: { start: 0, duration: hostSeconds(c, hostVars) },
    window,
    unavailable: c.out === "host" ? hostWide : instance,
    batch: b,
    checkpoint: null,
    undo: c.undo,
    done: c.done,
    health: c.health,
  }));
  const domainVar = s.rolling.domain;
  const domainValue = domainVar !== null ? hostVars?.vars[domainVar] : undefined;
  return ctx.g.chain(drafts, before, worst, s.name, domainValue === undefined ? "" : String(domainValue), window);
}

/** A chain step's seconds on a host: a measured evacuation is per instance, this host's count times it (the chain's when it has none). */
function hostSeconds(c: ChainStep, host: ModelHost | undefined): number {
  return c.perInstance === undefined ? c.duration : (evacuationOf(c.perInstance, host, c.perInstance.countVar) ?? c.duration);
}

/** The marker after batch `b`: a pause, or `<service>/done` after the last batch. */
function batchMarker(s: ModelService, b: number, last: boolean): DraftStep {
  return {
    id: last ? `${s.name}/done` : `${s.name}/b${b + 1}/pause`,
    phase: "rollout",
    service: s.name,
    hosts: [],
    action: "batch-pause",
    command: null,
    after: NOT_YET,
    estimate: { start: 0, duration: last ? 0 : s.rolling.pause },
    window: null,
    unavailable: [],
    batch: b,
    checkpoint: null,
    undo: null,
    done: null,
    health: null,
  };
}

function chainWindow(ctx: ExpandContext, s: ModelService): string | null {
  if (ctx.model.plan.urgent) return null;
  // A service with `reboot window W` binds each host's whole chain to W: a host should not
  // be drained in one window and rebooted in the next.
  const name = s.window ?? s.reboot?.window ?? null;
  if (name !== null && !ctx.windowNames.has(name)) {
    ctx.diagnostics.push(diag("UPG0584", {
      message: `service \`${s.name}\` names window \`${name}\`, which does not exist`,
      span: s.nameSpan,
      help: `declare \`window ${name} { … }\` or name an existing window`,
    }));
    return null;
  }
  return name;
}

/** A step of a chain that is not a health gate and has no per-instance time. */
function chainStep(action: StepAction, a: ModelAction | null, duration: number, out: ChainStep["out"], undo: Undo, worst = duration): ChainStep {
  return { action, command: a?.spec ?? null, duration, worst, out, undo, done: a?.done ?? null, health: null };
}

/** Whether a host runs an action: a `once` action runs on the service's first host only. */
function runsOn(a: ModelAction | null | undefined, firstHost: boolean): a is ModelAction {
  return a !== null && a !== undefined && (!a.once || firstHost);
}

/** A host's chain of steps: the same for each host of the service, but for `once` actions, which only its first host runs. */
function chainOf(ctx: ExpandContext, s: ModelService, firstHost: boolean): Chain {
  const out: ChainStep[] = [];
  const maint = s.maintenance;
  const instance = maint ? "host" : "instance";
  const runs = (a: ModelAction | null | undefined): a is ModelAction => runsOn(a, firstHost);
  const est = (a: ModelAction | null, kind: StepAction & keyof typeof DEFAULT_ESTIMATES, written: number | null = a?.takes ?? null): number => notedEstimate(ctx, s, kind, written);

  // Undo per action: leaving maintenance undoes entering it and the other way round; a
  // stop is undone by starting the old service and a start by stopping it; an upgrade by
  // the service's `rollback` action (reinstalling the old version). Evacuation, reboot and
  // health gates have nothing to undo: instances are not moved back, a host that leaves
  // maintenance takes new ones. An action's own `undo` always wins.
  if (maint && runs(maint.enter)) out.push(chainStep("maintenance-enter", maint.enter, est(maint.enter, "maintenance-enter"), "host", undoOf(maint.enter, maint.exit?.spec ?? null)));
  const ev = s.evacuate;
  if (ev && ev.strategy !== "none" && runs(ev.run)) out.push(evacuateStep(ctx, s, ev.run, ev.countVar));
  const stop = s.actions.stop;
  const start = s.actions.start;
  if (runs(stop)) out.push(chainStep("stop", stop, est(stop, "stop"), instance, undoOf(stop, start?.spec ?? null)));
  const upgrade = s.actions.upgrade;
  if (upgrade === undefined) {
    // It runs nothing, so it takes no time unless the service says otherwise.
    out.push(chainStep("upgrade", null, noted(ctx, s.name, "upgrade", s.takes !== null ? { seconds: s.takes, source: "written" } : { seconds: 0, source: "default" }), instance, null));
  } else if (runs(upgrade)) {
    out.push(chainStep("upgrade", upgrade, est(upgrade, "upgrade", upgrade.takes ?? s.takes ?? null), instance, undoOf(upgrade, s.actions.rollback?.spec ?? null)));
  }
  if (s.reboot) {
    const a = s.reboot.action;
    if (a === null || runs(a)) out.push(chainStep("reboot", a, est(a, "reboot", s.reboot.takes ?? a?.takes ?? null), "host", a ? undoOf(a, null) : null));
  }
  if (runs(start)) out.push(chainStep("start", start, est(start, "start"), instance, undoOf(start, stop?.spec ?? null)));
  const health = s.health;
  if (health && runs(health.action)) out.push(healthStep(ctx, s, health, instance));
  if (maint && runs(maint.exit)) out.push(chainStep("maintenance-exit", maint.exit, est(maint.exit, "maintenance-exit"), "host", undoOf(maint.exit, maint.enter?.spec ?? null)));
  return { steps: out, worst: out.reduce((sum, c) => sum + c.worst, 0), gate: out.findIndex((c) => c.action === "health") };
}

function evacuateStep(ctx: ExpandContext, s: ModelService, run: ModelAction, countVar: string): ChainStep {
  const each = ctx.book.perInstance(s.name);
  if (each === null) return chainStep("evacuate", run, notedEstimate(ctx, s, "evacuate", run.takes), "host", undoOf(run, null));
  // Per host (hostChain): the host's instances times the measured time of one; a
  // host without a count takes the per-host estimate.
  noted(ctx, s.name, "evacuate", each, { perInstance: true });
  const perHost = estimateOf(ctx, s, "evacuate", run.takes, "evacuate").seconds;
  return { ...chainStep("evacuate", run, perHost, "host", undoOf(run, null)), perInstance: { seconds: each.seconds, countVar } };
}

function healthStep(ctx: ExpandContext, s: ModelService, health: NonNullable<ModelService["health"]>, out: ChainStep["out"]): ChainStep {
  const e = estimateOf(ctx, s, "health", health.action.takes, "health");
  const duration = noted(ctx, s.name, "health", { ...e, seconds: gateEstimate(e.seconds, health, e.source === "measured") });
  return {
    action: "health",
    command: health.action.spec,
    duration,
    // A window must hold the gate's whole deadline, not only its usual time.
    worst: stepWorst(duration, health.within),
    out,
    undo: null,
    done: health.action.done,
    health: { every: health.every, within: health.within, healthyFor: health.healthyFor, onDeadline: health.onDeadline },
  };
}

function undoOf(action: ModelAction, fallback: PlanCommandSpec | null): Undo {
  return action.undo ?? fallback;
}

/**
 * Undo of per-service steps. An expand only adds (columns, tables) that the old version
 * ignores, so rolling back leaves it in place: nothing to undo. A migrate rewrites data into
 * the new format and a contract drops what the old version still reads: without their own
 * undo they are points of no return, unless a checkpoint with a restore comes before them,
 * in which case rollback returns to that checkpoint and restores it (the step itself has
 * nothing to undo). A pin is undone by the unpin and the other way round. Cleanup removes
 * old versions; rolling back reinstalls them through the upgrade's rollback, so the cleanup
 * itself has nothing to undo.
 */
function perServiceUndo(
  kind: PerServiceKind,
  s: ModelService,
  action: ModelAction,
  restorableBefore: (p: CheckpointPosition) => string | null,
): { undo: Undo; reason: string | null } {
  const id = `${s.name}/${kind}`;
  if (action.undo === "irreversible") return { undo: "irreversible", reason: `${id} is marked \`undo irreversible\`` };
  if (action.undo !== null) return { undo: action.undo, reason: null };
  switch (kind) {
    case "pin":
      return { undo: s.actions.unpin?.spec ?? null, reason: null };
    case "unpin":
      return { undo: s.actions.pin?.spec ?? null, reason: null };
    case "migrate":
    case "contract": {
      if (restorableBefore(kind) !== null) return { undo: null, reason: null };
      const what = kind === "contract" ? "drops what the old version still reads (old columns and tables)" : "rewrites data into the new version's format";
      return { undo: "irreversible", reason: `${id} ${what}; no checkpoint with a restore before it` };
    }
    case "expand":
    case "cleanup":
      return { undo: null, reason: null };
  }
}

function serviceStep(
  s: ModelService,
  action: StepAction & keyof typeof DEFAULT_ESTIMATES,
  phase: Phase,
  a: ModelAction,
  undo: Undo,
  seconds: number,
): DraftStep {
  return {
    id: `${s.name}/${action}`,
    phase,
    service: s.name,
    // A per-service action runs once, on the service's first host.
    hosts: s.hosts.length > 0 ? [s.hosts[0] as string] : [],
    action,
    command: a.spec,
    after: NOT_YET,
    estimate: { start: 0, duration: seconds },
    window: null,
    unavailable: [],
    batch: null,
    checkpoint: null,
    undo,
    done: a.done,
    health: null,
  };
}

/**
 * Batch sizes that add up to the service's hosts: the resolved list (resolve cuts it to the
 * hosts, compose-batches.ts), trimmed or topped up by the last entry for a model built
 * without resolve.
 */
export function batchSizes(s: ModelService): number[] {
  const n = s.hosts.length;
  if (n === 0) return [];
  if (!s.rolling.rolling || s.rolling.batches.length === 0) return [n];
  const out: number[] = [];
  let left = n;
  const ramp = s.rolling.batches.length;
  for (let i = 0; left > 0; i++) {
    // Continuous: the ramp once, then every host left in one batch.
    const want = s.rolling.continuous && i >= ramp ? left : Math.max(1, s.rolling.batches[Math.min(i, ramp - 1)] ?? 1);
    const size = Math.min(want, left);
    out.push(size);
    left -= size;
  }
  return out;
}

/**
 * Services in dependency order (those named in `after` first); among services free to go,
 * control plane before data plane, then declaration order. A cycle (reported by resolve)
 * is broken by declaration order so expansion still terminates.
 */
export function serviceOrder(services: readonly ModelService[]): ModelService[] {
  const byName = new Map(services.map((s) => [s.name, s]));
  const placed = new Set<string>();
  const out: ModelService[] = [];
  while (out.length < services.length) {
    let next: ModelService | undefined;
    for (const plane of ["control", "data"] as const) {
      next = services.find((s) => !placed.has(s.name) && s.plane === plane && s.after.every((d) => placed.has(d) || !byName.has(d)));
      if (next) break;
    }
    next ??= services.find((s) => !placed.has(s.name));
    if (!next) break;
    placed.add(next.name);
    out.push(next);
  }
  return out;
}

/**
 * For each service, the nearest services before it in `after` (transitively) that satisfy
 * `has`: a service without an expand step passes its dependencies' expands on to its
 * dependants. Only edges to services earlier in `order` count (that breaks any cycle).
 */
function nearestAncestors(order: readonly ModelService[], rank: ReadonlyMap<string, number>, has: (s: ModelService) => boolean): Map<string, string[]> {
  const byName = new Map(order.map((s) => [s.name, s]));
  const through = new Map<string, string[]>();
  const out = new Map<string, string[]>();
  for (const s of order) {
    const own = rank.get(s.name) ?? 0;
    const found = new Set<string>();
    for (const d of s.after) {
      const dep = byName.get(d);
      if (!dep || (rank.get(d) ?? own) >= own) continue;
      if (has(dep)) found.add(d);
      else for (const a of through.get(d) ?? []) found.add(a);
    }
    const list = [...found].sort((a, b) => (rank.get(a) ?? 0) - (rank.get(b) ?? 0));
    out.set(s.name, list);
    through.set(s.name, list);
  }
  return out;
}
