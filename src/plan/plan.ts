/**
 * The plan file (`upgradec compile -o plan.json`): the compiler's output and the runtime's
 * only input. `schema/plan.schema.json` documents it for outside tools and must agree with
 * these types (a test validates compiled plans against it).
 *
 * Times are whole seconds from the plan's start; calendar times are ISO 8601 with offset.
 */
import type { HostSetCap } from "./host-sets.js";

export const PLAN_FORMAT = "upgradec.plan/1";

export interface PlanFile {
  readonly format: typeof PLAN_FORMAT;
  /** sha256 over the sources, the resolved inventory and the compiler version: a stale plan no longer matches. */
  readonly fingerprint: string;
  /** sha256 over this file's compact JSON with `digest` left out (see plan-text.ts): an edited plan no longer matches. */
  readonly digest: string;
  readonly compiler: { readonly name: "upgradec"; readonly version: string };
  /** Every file read: .upg sources (the standard library's too) and inventory files. Paths relative to the plan file's directory where possible. */
  readonly sources: readonly { readonly path: string; readonly sha256: string; readonly kind: "upg" | "inventory" | "facts" | "action" }[];
  /**
   * The runs whose journals gave measured estimates (`compile --history`), present only then.
   * The fingerprint covers them; the runtime never reads them again (see PlanEstimate).
   */
  readonly history?: readonly PlanHistoryRun[];
  /** The top-level .upg file compiled, as given (relative to the plan file's directory). */
  readonly entry: string;
  readonly plan: PlanInfo;
  readonly hosts: readonly PlanHost[];
  readonly services: readonly PlanService[];
  readonly windows: readonly PlanWindow[];
  readonly checkpoints: readonly PlanCheckpoint[];
  readonly secrets: readonly PlanSecret[];
  readonly connections: readonly PlanConnection[];
  /** Commands run when the run reaches an event (absent when the plan has none). */
  readonly notify?: readonly PlanNotifier[];
  readonly steps: readonly PlanStep[];
  readonly timing: PlanTiming;
  readonly impact: PlanImpact;
}

export interface PlanInfo {
  readonly name: string;
  readonly kind: "upgrade" | "update";
  readonly urgent: boolean;
  readonly from: string | null;
  readonly to: string | null;
  /** ISO timestamp with offset, e.g. "2026-12-05T22:00:00.000+01:00". */
  readonly start: string;
  /** Where start came from: the plan, --start, or assumed (the next window's opening, or now). */
  readonly startSource: "plan" | "option" | "assumed";
  readonly zone: string;
  /** Most steps running at once. */
  readonly parallelism: number;
}

export type VarValue = string | number | boolean | readonly string[];

export interface PlanHost {
  readonly name: string;
  readonly groups: readonly string[];
  /** Host vars from the inventory (failure domains such as az or rack among them). */
  readonly vars: Readonly<Record<string, VarValue>>;
  /** The connection its commands go through ("local" when none). */
  readonly connection: string;
}

export interface PlanService {
  readonly name: string;
  /** The template it extends, qualified (e.g. "openstack.nova-compute"), if any. */
  readonly extends: string | null;
  readonly hosts: readonly string[];
  readonly tags: readonly string[];
  readonly plane: "control" | "data";
  readonly after: readonly string[];
  readonly vars: Readonly<Record<string, VarValue>>;
  readonly rolling: PlanRolling;
  readonly window: string | null;
  readonly evacuate: {
    readonly strategy: string;
    readonly concurrency: number;
    readonly timeout: number;
    /** The host var holding a host's instance count, and the one holding its spare capacity (for `check`'s capacity rows). */
    readonly countVar: string;
    readonly capacityVar: string | null;
  } | null;
  /**
   * The command that prints the installed version (the `version` action), or null. `run`
   * never runs it; `check` and `verify` do, reading it from here rather than compiling the
   * sources again.
   */
  readonly version: PlanCommandSpec | null;
  readonly skew: readonly { readonly kind: "needs-new" | "never-newer-than"; readonly services: readonly string[] }[];
  /**
   * Links of `after` bridged through library services the plan leaves out (present only when
   * there are some): `after` is the planned service, `through` the unplanned templates between.
   */
  readonly bridged?: readonly { readonly after: string; readonly through: readonly string[] }[];
  /**
   * Where the estimate of each of its actions came from, in the order a host goes through
   * them (the compiler always writes it; a service with no steps has none).
   */
  readonly estimates?: readonly PlanEstimate[];
}

/**
 * An action's estimate and where it came from: `written` (its `takes`), `default` (none
 * written: estimates.ts), or `measured` (the median of successful attempts in the runs of
 * `history`). A measured evacuation with `perInstance` is per instance: each host's step is
 * that times the host's instance count.
 */
export interface PlanEstimate {
  readonly action: StepAction;
  /** Seconds (a measured one to the millisecond). */
  readonly seconds: number;
  readonly source: "written" | "default" | "measured";
  /** measured: over how many runs and attempts. */
  readonly runs?: number;
  readonly samples?: number;
  readonly perInstance?: boolean;
}

/** A run read by `compile --history`. */
export interface PlanHistoryRun {
  readonly run: string;
  /** The plan it ran, as its journal names it. */
  readonly plan: string | null;
  /** The journal's path, relative to the plan file's directory where possible. */
  readonly journal: string;
  /** sha256 of the journal as read. */
  readonly sha256: string;
  /** Successful attempts it measured. */
  readonly samples: number;
}

export interface PlanRolling {
  /** Resolved batch sizes in order; they add up to the number of hosts. One entry with every host when not rolling. */
  readonly batches: readonly number[];
  /** Most hosts of the service out of service at once (resolved integer). */
  readonly maxUnavailable: number;
  /** The host var that names a failure domain, or null for none. */
  readonly domain: string | null;
  /** Most hosts out of service at once within one failure domain (resolved), or null. */
  readonly maxUnavailablePerDomain: number | null;
  /**
   * With a share per domain (`max-unavailable 50% per rack`): the cap of each domain value, a
   * share of that domain's hosts (rounded down, at least 1); `maxUnavailablePerDomain` is
   * then the largest of them. Absent for a count, which is the same in every domain.
   */
  readonly maxUnavailableByDomain?: Readonly<Record<string, number>>;
  /** Caps per set of hosts (plan/host-sets.ts); absent when the service has none. */
  readonly hostSets?: readonly HostSetCap[];
  /** Seconds between batches. */
  readonly pause: number;
  /** Failures tolerated before the run stops (it stops when failures exceed this). */
  readonly maxFailures: { readonly count: number; readonly scope: "batch" | "run"; readonly cancel: boolean };
  /** Progress deadline for the whole rollout, reset by every healthy host, or null. */
  readonly deadline: { readonly seconds: number; readonly onDeadline: "stop" | "rollback" } | null;
  /** false: all hosts at once (the service lacks the rolling-upgrade tag). */
  readonly rolling: boolean;
  /**
   * `then continuous`: the last batch is every host after the ramp, with no barrier inside
   * (a host starts as soon as the caps allow). Absent for batches only.
   */
  readonly continuous?: true;
}

export interface PlanWindow {
  readonly name: string;
  /** Expanded weekdays: ["mon","tue","wed","thu","fri"]. */
  readonly days: readonly string[];
  /** "22:00" */
  readonly from: string;
  /** "06:00"; at or before `from` means the next day. */
  readonly to: string;
  /** IANA zone. */
  readonly zone: string;
  /** Seconds. */
  readonly cutoff: number;
}

export interface PlanCheckpoint {
  readonly name: string;
  /** The step that takes it. */
  readonly step: string;
  /** How to return to it; null when it records a point only. */
  readonly restore: PlanCommandSpec | null;
  readonly note: string | null;
}

export interface PlanSecret {
  readonly name: string;
  readonly source: "env" | "file";
  /** The variable's name or the file's path, never the value. */
  readonly ref: string;
}

/** A notifier: on these events, run this command with the event's JSON on its standard input. */
export interface PlanNotifier {
  readonly name: string;
  readonly events: readonly string[];
  readonly vars: Readonly<Record<string, VarValue>>;
  /** Its timeout is always set: a notifier never runs unbounded. */
  readonly command: PlanCommandSpec;
}

export interface PlanConnection {
  readonly name: string;
  /** Prefixed to every per-host command; empty for `local`. */
  readonly exec: readonly string[];
  readonly probe: PlanCommandSpec | null;
}

/** A command as the runtime runs it, placeholders still in (substituted per host at run time). */
export type PlanCommand =
  | { readonly kind: "argv"; readonly argv: readonly string[] }
  | { readonly kind: "shell"; readonly script: string }
  | { readonly kind: "module"; readonly module: string; readonly export: string };

/**
 * A command with the options that govern how it runs. An option at its default is left out
 * (COMMAND_DEFAULTS): most actions set none, and at 10k hosts the six defaults written out
 * in every step would be a sixth of the plan file. Read the options with runOptions.
 */
export interface PlanCommandSpec {
  readonly command: PlanCommand;
  /** Seconds; null or absent for none. */
  readonly timeout?: number | null;
  /** Seconds between SIGTERM and SIGKILL. */
  readonly grace?: number;
  readonly retries?: number;
  /** Seconds before the first retry; doubles each time. */
  readonly backoff?: number;
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string | null;
}

/** How a command runs: its spec's options, each filled in with its default when left out. */
export interface RunOptions {
  /** Seconds; null for none. */
  readonly timeout: number | null;
  /** Seconds between SIGTERM and SIGKILL. */
  readonly grace: number;
  readonly retries: number;
  /** Seconds before the first retry; doubles each time. */
  readonly backoff: number;
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string | null;
}

/** The value of an option a spec leaves out. */
export const COMMAND_DEFAULTS: RunOptions = Object.freeze({ timeout: null, grace: 10, retries: 0, backoff: 5, env: Object.freeze({}), cwd: null });

/** A spec's options, defaults filled in. */
export function runOptions(spec: PlanCommandSpec): RunOptions {
  return {
    timeout: spec.timeout ?? COMMAND_DEFAULTS.timeout,
    grace: spec.grace ?? COMMAND_DEFAULTS.grace,
    retries: spec.retries ?? COMMAND_DEFAULTS.retries,
    backoff: spec.backoff ?? COMMAND_DEFAULTS.backoff,
    env: spec.env ?? COMMAND_DEFAULTS.env,
    cwd: spec.cwd ?? COMMAND_DEFAULTS.cwd,
  };
}

/** The spec of a command with these options, those at their default left out; keys always in the same order. */
export function commandSpec(command: PlanCommand, options: Partial<RunOptions> = {}): PlanCommandSpec {
  const spec: { -readonly [K in keyof PlanCommandSpec]: PlanCommandSpec[K] } = { command };
  if (options.timeout !== undefined && options.timeout !== null) spec.timeout = options.timeout;
  if (options.grace !== undefined && options.grace !== COMMAND_DEFAULTS.grace) spec.grace = options.grace;
  if (options.retries !== undefined && options.retries !== COMMAND_DEFAULTS.retries) spec.retries = options.retries;
  if (options.backoff !== undefined && options.backoff !== COMMAND_DEFAULTS.backoff) spec.backoff = options.backoff;
  if (options.env !== undefined && Object.keys(options.env).length > 0) spec.env = options.env;
  if (options.cwd !== undefined && options.cwd !== null) spec.cwd = options.cwd;
  return spec;
}

export type Phase =
  | "prechecks"
  | "checkpoint"
  | "expand"
  | "pin"
  | "rollout"
  | "migrate"
  | "unpin"
  | "contract"
  | "cleanup"
  | "postchecks";

/** Per-host actions, in the order a host goes through them, then per-service ones. */
export const STEP_ACTIONS = [
  "maintenance-enter",
  "evacuate",
  "stop",
  "upgrade",
  "reboot",
  "start",
  "health",
  "maintenance-exit",
  "precheck",
  "checkpoint",
  "expand",
  "migrate",
  "contract",
  "pin",
  "unpin",
  "cleanup",
  "postcheck",
  "batch-pause",
] as const;

export type StepAction = (typeof STEP_ACTIONS)[number];

/** What a step takes out of service while it runs: a whole host, or one service instance on it. */
export type Unavailable = { readonly host: string } | { readonly host: string; readonly service: string };

export interface PlanStep {
  /** Stable and readable, e.g. "nova-compute/b3/cmp017/upgrade" or "keystone/expand". */
  readonly id: string;
  readonly phase: Phase;
  /** null for steps of no one service (a checkpoint). */
  readonly service: string | null;
  readonly hosts: readonly string[];
  readonly action: StepAction;
  /** null for a step that runs nothing (a pause, a marker). */
  readonly command: PlanCommandSpec | null;
  /** Ids of steps that must have succeeded first. */
  readonly after: readonly string[];
  readonly estimate: { readonly start: number; readonly duration: number };
  /** The window this step must run in, or null. */
  readonly window: string | null;
  readonly unavailable: readonly Unavailable[];
  /** The batch of its service's rollout (0-based), or null outside a rollout. */
  readonly batch: number | null;
  /** The checkpoint's name when this step takes one. */
  readonly checkpoint: string | null;
  /** How it is rolled back: a command, "irreversible" (a point of no return), or null (nothing to undo). */
  readonly undo: PlanCommandSpec | "irreversible" | null;
  /** Exits 0 when the step's effect is already there (resume does not run it again). */
  readonly done: PlanCommandSpec | null;
  /** Health gates only. */
  readonly health: { readonly every: number; readonly within: number; readonly healthyFor: number; readonly onDeadline: "stop" | "rollback" } | null;
}

export interface PlanTiming {
  /** Seconds: the latest step end. */
  readonly total: number;
  /** Step ids along the critical path, first to last. */
  readonly criticalPath: readonly string[];
  /** Window occurrences used, in order. */
  readonly windowsUsed: readonly { readonly window: string; readonly start: string; readonly end: string }[];
  /** The plan's end as a calendar time. */
  readonly end: string;
  /**
   * The bound the caps, `parallelism` and windows allow (docs/language.md, "The bound"):
   * for the plan (`total`, beside `timing.total`) and per rolling service (`bound`, beside
   * its `planned` span). Absent in plans of compilers before it.
   */
  readonly bound?: {
    /** Seconds from the plan's start. */
    readonly total: number;
    /**
     * Seconds from the plan's start: the bound counting also the written batch barriers and
     * pauses (each batch after the one before it's gates and pause); at least `total`.
     * Absent in plans of compilers before it.
     */
    readonly barriers?: number;
    readonly services: readonly {
      readonly service: string;
      /** Seconds from the plan's start to its first host chain's start. */
      readonly start: number;
      /** Seconds from its first chain's start to its last chain's end, as planned. */
      readonly planned: number;
      /** Seconds: the shortest span its caps, parallelism and window allow from the same start. */
      readonly bound: number;
      /** Seconds: the same, its written batches one after the other counted too; at least `bound`. */
      readonly barriers?: number;
      /** Seconds of host-chain work (the sum of its chains' durations). */
      readonly work: number;
      /** The most hosts its caps and parallelism allow out at once. */
      readonly width: number;
    }[];
    /**
     * Services that share `parallelism` in one window, taken together (those starting at or
     * after the first of them): absent when no such set bounds the plan more than one service.
     */
    readonly shared?: {
      readonly services: readonly string[];
      readonly window: string | null;
      /** Seconds from the plan's start: the first of them, less what the critical path before it saved. */
      readonly start: number;
      /** Seconds from `start`: the shortest span their work allows together. */
      readonly bound: number;
      /** Seconds of their host-chain work together. */
      readonly work: number;
      /** The most of their hosts out at once: their widths summed, limited by `parallelism`. */
      readonly width: number;
    };
  };
}

export interface PlanImpact {
  readonly services: readonly {
    readonly service: string;
    readonly instances: number;
    /** Fewest instances in service at any instant. */
    readonly minInService: number;
    readonly minShare: number;
    /** Seconds with no instance in service. */
    readonly downtime: number;
  }[];
  readonly hosts: readonly { readonly host: string; readonly outOfService: number }[];
  /** Instances moved by evacuation (from host vars). */
  readonly instancesMigrated: number;
  /** Largest share of data-plane hosts out of service at once. */
  readonly peakDataPlaneOut: number;
  /** The first irreversible step and why, or null. */
  readonly pointOfNoReturn: { readonly step: string; readonly reason: string } | null;
}
