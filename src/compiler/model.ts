/**
 * The resolved model: what `resolve` makes of the AST (imports loaded, templates and methods
 * merged, names and host selections resolved against the inventory, amounts resolved to
 * integers) and what `expand`, `schedule` and `impact` work from. Spans stay, so later
 * phases can still point at the source.
 */
import type { Span } from "../diagnostics/diagnostic.js";
import type { ActionKind } from "../parser/ast.js";
import type { NotifyEvent } from "../base/notify-events.js";
import type { PlanCommandSpec, VarValue } from "../plan/plan.js";
import type { HostSetCap } from "../plan/host-sets.js";

export interface Model {
  readonly plan: ModelPlan;
  /** In inventory order, then hosts named only in the .upg files. */
  readonly hosts: readonly ModelHost[];
  /** Services that are planned (templates left out), in declaration order. */
  readonly services: readonly ModelService[];
  readonly windows: readonly ModelWindow[];
  readonly checkpoints: readonly ModelCheckpoint[];
  /** Notifiers that fire on at least one event (templates left out), in declaration order. */
  readonly notifiers: readonly ModelNotifier[];
  readonly secrets: readonly { readonly name: string; readonly source: "env" | "file"; readonly ref: string }[];
  readonly connections: readonly { readonly name: string; readonly exec: readonly string[]; readonly probe: PlanCommandSpec | null }[];
  /** Every file read, with its sha256, for the fingerprint. */
  readonly sources: readonly { readonly path: string; readonly sha256: string; readonly kind: "upg" | "inventory" | "facts" | "action" }[];
  /** The entry .upg file as given. */
  readonly entry: string;
  /** The inventory file (for `{inventory}` in commands), or null. */
  readonly inventoryPath: string | null;
}

export interface ModelPlan {
  readonly name: string;
  readonly kind: "upgrade" | "update";
  readonly urgent: boolean;
  readonly from: string | null;
  readonly to: string | null;
  /** Where `from` and `to` are written, for diagnostics about them. */
  readonly fromSpan?: Span;
  readonly toSpan?: Span;
  /** Local date-time "2026-12-05T22:00" and zone, when the plan says. */
  readonly start: { readonly local: string; readonly zone: string; readonly span: Span } | null;
  readonly parallelism: number;
  readonly span: Span | null;
}

export interface ModelHost {
  readonly name: string;
  readonly groups: readonly string[];
  readonly vars: Readonly<Record<string, VarValue>>;
  readonly connection: string;
}

export interface ModelWindow {
  readonly name: string;
  /** Expanded, Monday first: ["mon", "tue", ...]. */
  readonly days: readonly ("mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun")[];
  /** Minutes after midnight. */
  readonly from: number;
  readonly to: number;
  readonly zone: string;
  /** Seconds. */
  readonly cutoff: number;
  readonly span: Span;
}

export interface ModelCheckpoint {
  readonly name: string;
  readonly before: "prechecks" | "expand" | "pin" | "rollout" | "migrate" | "unpin" | "contract" | "cleanup";
  readonly run: ModelAction | null;
  readonly restore: ModelAction | null;
  readonly note: string | null;
  readonly span: Span;
}

/** A `notify` merged with what it extends: the nearest `on`, `run` and vars win. */
export interface ModelNotifier {
  readonly name: string;
  readonly events: readonly NotifyEvent[];
  readonly vars: Readonly<Record<string, VarValue>>;
  readonly action: ModelAction;
  readonly span: Span;
}

/** One action of a service, with its options resolved. */
export interface ModelAction {
  readonly spec: PlanCommandSpec;
  /** Estimate in seconds, or null to use the default for its kind. */
  readonly takes: number | null;
  readonly done: PlanCommandSpec | null;
  readonly undo: PlanCommandSpec | "irreversible" | null;
  /** Once per service rather than once per host. */
  readonly once: boolean;
  readonly span: Span;
}

export interface ModelRolling {
  /** false when the service lacks the rolling-upgrade tag: all hosts in one batch. */
  readonly rolling: boolean;
  /**
   * Batch sizes as the rollout cuts the service's hosts (in `hosts` order), adding up to
   * them: the ramp resolved (round down, minimum 1; last entry repeats; last batch holds
   * the remainder), each batch at most a domain's cap of that domain's hosts (see
   * compose-batches.ts), and with `continuous` one last batch of every host after the ramp.
   */
  readonly batches: readonly number[];
  /** `then continuous`, and hosts were left after the ramp: the last batch is every one of them, with no barrier inside. */
  readonly continuous: boolean;
  readonly maxUnavailable: number;
  readonly domain: string | null;
  /** With a share per domain (`50% per rack`), the largest of the per-domain caps below. */
  readonly maxUnavailablePerDomain: number | null;
  /** A share per domain resolved for each domain value (rounded down, at least 1); absent for a count. */
  readonly maxUnavailableByDomain?: Readonly<Record<string, number>> | null;
  readonly pause: number;
  readonly maxFailures: { readonly count: number; readonly scope: "batch" | "run"; readonly cancel: boolean };
  readonly order: "empty-first" | "inventory" | { readonly by: string };
  readonly deadline: { readonly seconds: number; readonly onDeadline: "stop" | "rollback" } | null;
  /** Caps per set of hosts (`max-unavailable 50% per aggregate`, plan/host-sets.ts); absent when the service has none. */
  readonly hostSets?: readonly HostSetCap[];
  /** Where each set var's cap is written, for diagnostics. */
  readonly hostSetSpans?: Readonly<Record<string, Span>>;
}

export interface ModelService {
  readonly name: string;
  readonly extends: string | null;
  /** Hosts in rollout order (after `order` is applied). */
  readonly hosts: readonly string[];
  readonly tags: readonly string[];
  readonly plane: "control" | "data";
  /** Direct dependencies (service names, resolved). */
  readonly after: readonly string[];
  readonly vars: Readonly<Record<string, VarValue>>;
  readonly rolling: ModelRolling;
  /** Actions by kind, merged from method, template chain and the service itself (the nearest wins). */
  readonly actions: Readonly<Partial<Record<ActionKind, ModelAction>>>;
  readonly maintenance: { readonly enter: ModelAction | null; readonly exit: ModelAction | null } | null;
  readonly evacuate: {
    readonly strategy: "live-migrate" | "cold-migrate" | "stop-start" | "none";
    readonly concurrency: number;
    /** Seconds. */
    readonly timeout: number;
    readonly run: ModelAction | null;
    readonly countVar: string;
    readonly capacityVar: string | null;
  } | null;
  readonly reboot: { readonly action: ModelAction | null; readonly window: string | null; readonly takes: number | null } | null;
  readonly window: string | null;
  readonly skew: readonly { readonly kind: "needs-new" | "never-newer-than"; readonly services: readonly string[]; readonly span: Span }[];
  /** Links of `after` that go through library services the plan leaves out (in `after` too). */
  readonly bridged: readonly Bridged[];
  /** Estimate of the upgrade on one host, seconds, or null for the default. */
  readonly takes: number | null;
  readonly health: {
    readonly action: ModelAction;
    readonly every: number;
    readonly within: number;
    readonly healthyFor: number;
    readonly onDeadline: "stop" | "rollback";
  } | null;
  readonly span: Span;
  readonly nameSpan: Span;
}

/** A planned service this one comes after through templates no planned service extends, as the library orders them. */
export interface Bridged {
  readonly after: string;
  /** The unplanned templates in between, qualified, nearest first. */
  readonly through: readonly string[];
}
