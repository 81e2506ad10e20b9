/**
 * The typed AST of a `.upg` file. Every node carries the span of the source it came from.
 * Offsets only: line and column are computed by the diagnostics renderer.
 *
 * The language in one picture (docs/language.md is the guide, grammar/ the reference):
 *
 *   plan "zed-to-2023.1" { kind upgrade  from "zed" to "2023.1"  start 2026-12-05T22:00 "Europe/Berlin" }
 *   use openstack
 *   use "./site.upg"
 *   inventory "inventory/multinode"
 *   hosts edge = edge[01-04], gw1
 *   window nightly { days mon..fri  from 22:00 to 06:00  zone "Europe/Berlin"  cutoff 30m }
 *   secret os-password env "OS_PASSWORD"
 *   connection ssh { exec ["ssh", "-o", "BatchMode=yes", "--", "{host}"]  probe ["ssh", "--", "{host}", "true"] }
 *   checkpoint db-backup before expand { run ["mysqldump", ...] { takes 15m }  restore ["mysql", ...] }
 *   template nova-compute { ... }                 # a reusable service body, planned only when extended
 *   method apt { upgrade ["apt-get", "install", "-y", "{packages}"] }   # a deployment method
 *   service nova-compute extends openstack.nova-compute { on compute  after nova-conductor ... }
 */
import type { NotifyEvent } from "../base/notify-events.js";
import type { Span } from "../diagnostics/diagnostic.js";

export interface Node {
  readonly span: Span;
}

/** A name as written, with its own span (for "unknown name" diagnostics at the name). */
export interface Name extends Node {
  /** The text, e.g. "nova-compute" or "openstack.nova-compute" (qualified by a module). */
  readonly text: string;
}

// ---------------------------------------------------------------- literals

/** `30s`, `5m`, `1h30m`, `2d`: whole seconds. */
export interface DurationLit extends Node {
  readonly kind: "duration";
  readonly seconds: number;
  readonly text: string;
}

/** `5%`. */
export interface PercentLit extends Node {
  readonly kind: "percent";
  readonly percent: number;
}

export interface IntLit extends Node {
  readonly kind: "int";
  readonly value: number;
}

/** `"..."` with escapes (\" \\ \n \t \u{…}) decoded. */
export interface StringLit extends Node {
  readonly kind: "string";
  readonly value: string;
}

/** A count or a share: batch sizes, max-unavailable, max-failures. */
export type Amount = IntLit | PercentLit;

/** `22:00` (24-hour clock). */
export interface TimeOfDay extends Node {
  readonly hour: number;
  readonly minute: number;
}

export type Weekday = "mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun";

/** `mon..fri` or `sun`. A range may wrap (`fri..mon`). */
export interface DayRange extends Node {
  readonly from: Weekday;
  readonly to: Weekday;
}

/** `2026-12-05T22:00` (local time in the given zone) with its zone string. */
export interface DateTimeLit extends Node {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
}

// ---------------------------------------------------------------- hosts

/**
 * One item of a host selection: a literal host (`ctl01`, `ctl01.example.com`), a range
 * (`cmp[001-240]`, zero padding kept: cmp001..cmp240), or a group name (from the inventory
 * or a `hosts` declaration). The parser cannot tell a host from a group: `name` items are
 * resolved by the compiler (groups first, then hosts).
 */
export type HostItem = HostNameItem | HostRangeItem;

export interface HostNameItem extends Node {
  readonly kind: "name";
  readonly name: string;
}

export interface HostRangeItem extends Node {
  readonly kind: "range";
  /** Text before the bracket, e.g. "cmp". */
  readonly prefix: string;
  /** Text after the bracket, e.g. ".example.com". */
  readonly suffix: string;
  readonly from: number;
  readonly to: number;
  /** Digits of zero padding, from the width of the lower bound as written ("001" → 3); 0 when unpadded. */
  readonly width: number;
}

export interface HostSelection extends Node {
  readonly items: readonly HostItem[];
}

// ---------------------------------------------------------------- commands

/**
 * What a step runs. Placeholders in arguments (`{host}`, `{az}`, any host or service var,
 * `{from}`, `{to}`, a secret `{secret.name}`) are substituted at run time, each argument
 * staying one argument; a var holding a list expands to several arguments.
 */
export type Command = ArgvCommand | ShellCommand | ModuleCommand;

/** `["nova-manage", "db", "sync"]`: run directly, no shell. */
export interface ArgvCommand extends Node {
  readonly kind: "argv";
  readonly argv: readonly StringLit[];
}

/** `shell "systemctl stop x && sleep 1"`: the one explicit way to get a shell. */
export interface ShellCommand extends Node {
  readonly kind: "shell";
  readonly script: StringLit;
}

/** `uses "./actions/lb.ts#drain"`: an exported function of a TypeScript module. */
export interface ModuleCommand extends Node {
  readonly kind: "module";
  readonly module: StringLit;
  /** The part after '#'; "default" when absent. */
  readonly exportName: string;
}

export interface EnvEntry extends Node {
  readonly name: string;
  readonly value: StringLit;
}

/**
 * Options of one action, in a block after its command:
 *   upgrade ["apt-get", "install", "-y", "nova-compute"] {
 *     takes 6m  timeout 20m  retries 2 backoff 30s  env { DEBIAN_FRONTEND = "noninteractive" }
 *     cwd "/tmp"  done ["dpkg-query", "-W", "nova-compute"]  undo ["apt-get", "install", "-y", "nova-compute={from}"]
 *     once   # run on one host of the service, not on each
 *   }
 */
export interface ActionOptions {
  readonly takes?: DurationLit;
  readonly timeout?: DurationLit;
  /** SIGTERM, then SIGKILL after this grace period. Default 10s. */
  readonly grace?: DurationLit;
  readonly retries?: IntLit;
  readonly backoff?: DurationLit;
  readonly env: readonly EnvEntry[];
  readonly cwd?: StringLit;
  /** A check that exits 0 when the action's effect is already there (for resume). */
  readonly done?: Command;
  /** How to roll the action back; `undo irreversible` marks a point of no return. */
  readonly undo?: Command | IrreversibleMarker;
  /** Run on one host of the service (the first), not once per host. */
  readonly once: boolean;
}

export interface IrreversibleMarker extends Node {
  readonly kind: "irreversible";
}

/** An action: a command with its options. */
export interface Action extends Node {
  readonly command: Command;
  readonly options: ActionOptions;
}

// ---------------------------------------------------------------- top level

export interface SourceFile extends Node {
  /** The path as given (relative to the working directory), same as span.file. */
  readonly path: string;
  readonly declarations: readonly Declaration[];
}

export type Declaration =
  | PlanDecl
  | UseDecl
  | InventoryDecl
  | FactsDecl
  | HostsDecl
  | WindowDecl
  | SecretDecl
  | ConnectionDecl
  | CheckpointDecl
  | NotifyDecl
  | MethodDecl
  | ServiceDecl;

export type UpgradeKind = "upgrade" | "update";

/**
 * plan "zed-to-2023.1" {
 *   kind upgrade            # upgrade | update
 *   urgent                  # waives windows (with a warning)
 *   from "zed" to "2023.1"
 *   start 2026-12-05T22:00 "Europe/Berlin"
 *   parallelism 16          # most steps running at once (default 8)
 *   deploy openstack.apt    # the default deployment method for every service
 *   connection ssh          # the default connection for every host
 * }
 */
export interface PlanDecl extends Node {
  readonly type: "plan";
  readonly name: StringLit;
  readonly kind?: { readonly value: UpgradeKind; readonly span: Span };
  readonly urgent?: Node;
  readonly from?: StringLit;
  readonly to?: StringLit;
  readonly start?: { readonly at: DateTimeLit; readonly zone: StringLit; readonly span: Span };
  readonly parallelism?: IntLit;
  readonly deploy?: Name;
  readonly connection?: Name;
}

/** `use openstack` (a module of the standard library: names become `openstack.X`) or `use "./site.upg"` (a file: its names join this file's). `as NAME` qualifies either. */
export interface UseDecl extends Node {
  readonly type: "use";
  readonly target: { readonly kind: "module"; readonly name: Name } | { readonly kind: "file"; readonly path: StringLit };
  readonly alias?: Name;
}

/** `inventory "inventory/multinode"`: an Ansible inventory, INI or YAML, relative to this file. */
export interface InventoryDecl extends Node {
  readonly type: "inventory";
  readonly path: StringLit;
}

/** `facts "facts.json"`: a facts file written by `upgradec facts`, relative to this file (host vars and groups from the cloud). */
export interface FactsDecl extends Node {
  readonly type: "facts";
  readonly path: StringLit;
}

/** `hosts edge = edge[01-04], gw1`: a named host set, usable wherever a group is. */
export interface HostsDecl extends Node {
  readonly type: "hosts";
  readonly name: Name;
  readonly hosts: HostSelection;
}

/**
 * window nightly {
 *   days mon..fri, sun
 *   from 22:00 to 06:00      # to ≤ from: the window ends the next day
 *   zone "Europe/Berlin"     # IANA, validated
 *   cutoff 30m               # no batch starts unless it can end this long before the window's end
 * }
 */
export interface WindowDecl extends Node {
  readonly type: "window";
  readonly name: Name;
  readonly days: readonly DayRange[];
  readonly from?: TimeOfDay;
  readonly to?: TimeOfDay;
  readonly zone?: StringLit;
  readonly cutoff?: DurationLit;
}

/** `secret os-password env "OS_PASSWORD"` or `secret db file "/etc/upgradec/db.pw"`: used as `{secret.os-password}`, redacted everywhere. */
export interface SecretDecl extends Node {
  readonly type: "secret";
  readonly name: Name;
  readonly source: { readonly kind: "env" | "file"; readonly value: StringLit };
}

/**
 * connection ssh {
 *   exec ["ssh", "-o", "BatchMode=yes", "{host}", "--"]   # prefixed to every per-host command
 *   probe ["ssh", "-o", "BatchMode=yes", "{host}", "true"] # `upgradec check`: does the host answer
 * }
 * The built-in connection `local` runs commands on this machine as written.
 */
export interface ConnectionDecl extends Node {
  readonly type: "connection";
  readonly name: Name;
  readonly exec?: ArgvCommand;
  readonly probe?: Action;
}

/** Where a checkpoint stands in the plan: before a phase. */
export type CheckpointPosition = "prechecks" | "expand" | "pin" | "rollout" | "migrate" | "unpin" | "contract" | "cleanup";

/**
 * checkpoint db-backup before expand {
 *   run ["mysqldump", "--all-databases", "--result-file=/backup/pre.sql"] { takes 15m }
 *   restore ["sh", "-c", "mysql < /backup/pre.sql"] { takes 30m }
 *   note "restores every database to its state before the schema expand"
 * }
 * A contract with such a checkpoint before it is not a point of no return.
 */
export interface CheckpointDecl extends Node {
  readonly type: "checkpoint";
  readonly name: Name;
  readonly before: { readonly phase: CheckpointPosition; readonly span: Span };
  readonly run?: Action;
  readonly restore?: Action;
  readonly note?: StringLit;
}

/** The events a notifier can fire on (docs/language.md, `notify`). */

/**
 * notify on-call extends notify.webhook {
 *   on run-stopped, rollback-started        # the events it fires on; none: a template to extend
 *   var url = "https://chat.example.org/hooks/upgrades"
 *   run ["curl", "--data-binary", "@-", "{url}"] { timeout 20s }   # the event's JSON on its stdin
 * }
 * Runs alongside the upgrade, never in its way: a failing or hanging notifier is reported.
 */
export interface NotifyDecl extends Node {
  readonly type: "notify";
  readonly name: Name;
  readonly extends?: Name;
  readonly events?: { readonly names: readonly { readonly value: NotifyEvent; readonly span: Span }[]; readonly span: Span };
  readonly vars: readonly VarDecl[];
  readonly run?: Action;
}

/**
 * A deployment method: the default actions for services that use it, written once per
 * tool (distribution packages, kolla-ansible, openstack-ansible).
 *   method kolla-ansible {
 *     upgrade ["kolla-ansible", "upgrade", "-i", "{inventory}", "--limit", "{host}", "--tags", "{kolla-tag}"]
 *   }
 */
export interface MethodDecl extends Node {
  readonly type: "method";
  readonly name: Name;
  readonly vars: readonly VarDecl[];
  readonly actions: readonly ActionDecl[];
}

/** The per-host and per-service actions a service or method can define. */
export type ActionKind =
  // once per service (run on one host unless marked otherwise)
  | "precheck"
  | "expand"
  | "migrate"
  | "contract"
  | "pin"
  | "unpin"
  | "cleanup"
  | "postcheck"
  // per host, in rollout order
  | "stop"
  | "upgrade"
  | "reboot"
  | "start"
  | "rollback"
  | "version";

/** `upgrade ["..."] { takes 6m }`: one action of a service or method. */
export interface ActionDecl extends Node {
  readonly kind: ActionKind;
  readonly keywordSpan: Span;
  readonly action: Action;
}

/** `var packages = ["nova-compute", "python3-nova"]` or `var kolla-tag = "nova"`. */
export interface VarDecl extends Node {
  readonly name: Name;
  readonly value: StringLit | { readonly kind: "list"; readonly items: readonly StringLit[]; readonly span: Span };
}

export type ServiceTag = string; // e.g. "rolling-upgrade", "zero-downtime", "supports-upgrade"

/**
 * rolling {
 *   batch 1, 5%, 10%            # a ramp: the last entry repeats
 *   batch 1, 5% then continuous # a ramp, then the rest with no barrier: a host starts as soon as the caps allow
 *   max-unavailable 10%         # across the service
 *   max-unavailable 2 per az    # per failure domain (a host var)
 *   pause 2m
 *   max-failures 5% per batch cancel   # scope: per batch | per run (default run); cancel in-flight work
 *   order empty-first           # empty-first | inventory | by VAR
 *   deadline 2h on-deadline stop       # progress deadline for the whole rollout, reset by every healthy host
 * }
 */
export interface RollingDecl extends Node {
  readonly batch: readonly Amount[];
  /** `then continuous` after the ramp (its span): the hosts after the ramp roll with no barrier. */
  readonly continuousSpan?: Span;
  readonly maxUnavailable: readonly { readonly amount: Amount; readonly per?: Name; readonly span: Span }[];
  readonly pause?: DurationLit;
  readonly maxFailures?: {
    readonly amount: Amount;
    readonly scope: "batch" | "run";
    readonly cancel: boolean;
    readonly span: Span;
  };
  readonly order?: { readonly kind: "empty-first" | "inventory" | "by"; readonly var?: Name; readonly span: Span };
  readonly deadline?: { readonly within: DurationLit; readonly onDeadline: "stop" | "rollback"; readonly span: Span };
}

/** `health ["curl", "-sf", "http://{host}:8774/"] { every 5s within 5m healthy-for 30s on-deadline rollback }`. */
export interface HealthDecl extends Node {
  readonly action: Action;
  readonly every?: DurationLit;
  readonly within?: DurationLit;
  readonly healthyFor?: DurationLit;
  readonly onDeadline?: "stop" | "rollback";
}

export type EvacuationStrategy = "live-migrate" | "cold-migrate" | "stop-start" | "none";

/**
 * evacuate live-migrate concurrency 4 timeout 30m {
 *   run ["nova-evacuate-host", "{host}"]   # how; from the method or library when absent
 *   count-var instances                    # host var with the instance count (default `instances`)
 *   capacity-var capacity                  # host var with the host's capacity in instances
 * }
 */
export interface EvacuateDecl extends Node {
  readonly strategy: { readonly value: EvacuationStrategy; readonly span: Span };
  readonly concurrency?: IntLit;
  readonly timeout?: DurationLit;
  readonly run?: Action;
  /** The host var with each host's instance count. */
  readonly countVar?: Name;
  /** The host var with each host's capacity in instances. */
  readonly capacityVar?: Name;
}

/** maintenance { enter [...] exit [...] }. */
export interface MaintenanceDecl extends Node {
  readonly enter?: Action;
  readonly exit?: Action;
}

/** `reboot ["systemctl", "reboot"] window nightly takes 8m` (command and window optional). */
export interface RebootDecl extends Node {
  readonly action?: Action;
  readonly window?: Name;
  readonly takes?: DurationLit;
}

/** `skew never-newer-than nova-conductor` / `skew needs-new keystone`. */
export interface SkewRule extends Node {
  /** needs-new: this service at the new version needs these at the new version first. */
  readonly kind: "needs-new" | "never-newer-than";
  readonly services: readonly Name[];
}

/**
 * service nova-compute extends openstack.nova-compute {
 *   on compute, cmp[001-010]
 *   after nova-conductor, nova-api
 *   tags rolling-upgrade, zero-downtime
 *   plane data                  # control | data (data: hosts carry user workloads)
 *   deploy openstack.kolla-ansible
 *   connection ssh
 *   var kolla-tag = "nova"
 *   rolling { ... }
 *   maintenance { enter [...] exit [...] }
 *   evacuate live-migrate concurrency 4 timeout 30m
 *   reboot window nightly takes 8m
 *   window nightly             # every batch of this service inside the window
 *   skew never-newer-than nova-conductor
 *   takes 6m                   # estimate of the upgrade on one host
 *   precheck [...]  expand [...]  upgrade [...]  health [...] { ... }  ...
 *   cleanup [...]
 * }
 * `template NAME { ... }` has the same body and is planned only through `extends`.
 */
export interface ServiceDecl extends Node {
  readonly type: "service";
  readonly isTemplate: boolean;
  readonly name: Name;
  readonly extends?: Name;
  readonly on?: HostSelection;
  readonly after: readonly Name[];
  readonly tags: readonly { readonly name: ServiceTag; readonly span: Span }[];
  readonly plane?: { readonly value: "control" | "data"; readonly span: Span };
  readonly deploy?: Name;
  readonly connection?: Name;
  readonly vars: readonly VarDecl[];
  readonly rolling?: RollingDecl;
  readonly maintenance?: MaintenanceDecl;
  readonly evacuate?: EvacuateDecl;
  readonly reboot?: RebootDecl;
  readonly window?: Name;
  readonly skew: readonly SkewRule[];
  readonly takes?: DurationLit;
  readonly health?: HealthDecl;
  readonly actions: readonly ActionDecl[];
}
