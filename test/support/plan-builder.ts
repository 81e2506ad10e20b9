/**
 * Plan files for tests, built in one place. Three ways to get one, for three kinds of test:
 *
 * - by hand, from parts (`host`, `service`, `step`, `window`, `rollingSteps`) with `makePlan`,
 *   which writes the sources and seals the plan as the compiler does: the runtime must work
 *   from any valid plan, and its tests should not wait on the compiler;
 * - `fixturePlan`, a realistic OpenStack plan laid out by a small scheduler of its own, so
 *   the previews can be tested before and apart from the real compiler; `anyFixturePlan` is
 *   its arbitrary for property tests;
 * - `compiledPlan(cloudModel(...))`, compiled from a Model in memory (no parser, no
 *   processes), for the simulation's tests.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import fc from "fast-check";
import { DateTime } from "luxon";
import { buildPlan } from "../../src/compiler/build-plan.js";
import type { Model, ModelService } from "../../src/compiler/model.js";
import { planFingerprint, sha256 } from "../../src/plan/digest.js";
import { planDigest } from "../../src/plan/plan-text.js";
import {
  PLAN_FORMAT,
  type Phase,
  type PlanCheckpoint,
  type PlanCommand,
  type PlanCommandSpec,
  type PlanConnection,
  type PlanFile,
  type PlanHost,
  type PlanRolling,
  type PlanSecret,
  type PlanService,
  type PlanStep,
  type PlanWindow,
  type StepAction,
  type Unavailable,
  type VarValue,
} from "../../src/plan/plan.js";
import { VERSION } from "../../src/version.js";
import * as models from "../compiler/model-builder.js";

// ---------------------------------------------------------------------------------------
// Parts

type SpecOptions = Partial<Omit<PlanCommandSpec, "command">>;

export function spec(command: PlanCommand, options: SpecOptions = {}): PlanCommandSpec {
  return { command, timeout: null, grace: 5, retries: 0, backoff: 1, env: {}, cwd: null, ...options };
}

export function argv(args: readonly string[], options: SpecOptions = {}): PlanCommandSpec {
  return spec({ kind: "argv", argv: args }, options);
}

export function shell(script: string, options: SpecOptions = {}): PlanCommandSpec {
  return spec({ kind: "shell", script }, options);
}

export function rolling(options: Partial<PlanRolling> = {}): PlanRolling {
  return {
    batches: [1],
    maxUnavailable: 1,
    domain: null,
    maxUnavailablePerDomain: null,
    pause: 0,
    maxFailures: { count: 0, scope: "run", cancel: false },
    deadline: null,
    rolling: true,
    ...options,
  };
}

export function service(name: string, hosts: readonly string[], options: Partial<PlanService> = {}): PlanService {
  return {
    name,
    extends: null,
    hosts,
    tags: ["rolling-upgrade"],
    plane: "control",
    after: [],
    vars: {},
    rolling: rolling({ batches: [hosts.length] }),
    window: null,
    version: null,
    evacuate: null,
    skew: [],
    ...options,
  };
}

export function host(name: string, vars: Readonly<Record<string, VarValue>> = {}, connection = "local"): PlanHost {
  return { name, groups: [], vars, connection };
}

export function step(id: string, options: Partial<PlanStep> = {}): PlanStep {
  return {
    id,
    phase: "rollout",
    service: null,
    hosts: [],
    action: "upgrade",
    command: null,
    after: [],
    estimate: { start: 0, duration: 1 },
    window: null,
    unavailable: [],
    batch: null,
    checkpoint: null,
    undo: null,
    done: null,
    health: null,
    ...options,
  };
}

/** A window of the plan file (times as "HH:MM", cutoff in seconds): every night 22:00–06:00 in Berlin unless told. */
export function window(name: string, options: Partial<Omit<PlanWindow, "name">> = {}): PlanWindow {
  return { name, days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], from: "22:00", to: "06:00", zone: "Europe/Berlin", cutoff: 0, ...options };
}

// ---------------------------------------------------------------------------------------
// Whole plans

/** The parts of a plan file a test names; the header's fields are merged one by one. */
export type PlanParts = Partial<Omit<PlanFile, "plan">> & { readonly plan?: Partial<PlanFile["plan"]> };

/**
 * A plan file from the parts given: empty lists, no timing or impact and an update with no
 * releases for the rest. The fingerprint and digest are whatever the parts say (empty
 * unless given): for readers that do not check them, such as the previews.
 */
export function planFile(parts: PlanParts = {}): PlanFile {
  const { plan, ...rest } = parts;
  return {
    format: PLAN_FORMAT,
    fingerprint: "",
    digest: "",
    compiler: { name: "upgradec", version: "0.0.0-test" },
    sources: [],
    entry: "empty.upg",
    plan: { name: "empty", kind: "update", urgent: false, from: null, to: null, start: "2026-12-05T22:00:00.000Z", startSource: "assumed", zone: "UTC", parallelism: 8, ...plan },
    hosts: [],
    services: [],
    windows: [],
    checkpoints: [],
    secrets: [],
    connections: [],
    steps: [],
    timing: { total: 0, criticalPath: [], windowsUsed: [], end: "2026-12-05T22:00:00.000Z" },
    impact: { services: [], hosts: [], instancesMigrated: 0, peakDataPlaneOut: 0, pointOfNoReturn: null },
    ...rest,
  };
}

export interface PlanInput {
  readonly dir: string;
  readonly name?: string;
  readonly hosts: readonly PlanHost[];
  readonly services: readonly PlanService[];
  readonly steps: readonly PlanStep[];
  readonly parallelism?: number;
  readonly windows?: readonly PlanWindow[];
  readonly checkpoints?: readonly PlanCheckpoint[];
  readonly secrets?: readonly PlanSecret[];
  readonly connections?: readonly PlanConnection[];
  /** Source files to write beside the plan and record with their sha256. */
  readonly sources?: readonly { readonly path: string; readonly text: string; readonly kind?: "upg" | "inventory" | "action" }[];
  readonly entry?: string;
}

/**
 * A plan the runtime accepts: its sources written under `dir`, its fingerprint and digest
 * computed as the compiler computes them (so `run` finds it neither stale nor tampered).
 */
export function makePlan(input: PlanInput): PlanFile {
  const sources = (input.sources ?? [{ path: "cloud.upg", text: 'plan "test" { kind upgrade }\n' }]).map((s) => {
    const file = join(input.dir, s.path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, s.text);
    return { path: s.path, sha256: sha256(s.text), kind: s.kind ?? "upg" };
  });
  const total = Math.max(0, ...input.steps.map((s) => s.estimate.start + s.estimate.duration));
  const { digest: _unsealed, ...body } = planFile({
    fingerprint: planFingerprint({ sources, hosts: input.hosts, compilerVersion: VERSION }),
    compiler: { name: "upgradec", version: VERSION },
    sources,
    entry: input.entry ?? sources.find((s) => s.kind === "upg")?.path ?? "cloud.upg",
    plan: {
      name: input.name ?? "test",
      kind: "upgrade",
      from: "zed",
      to: "2023.1",
      start: "2026-12-05T22:00:00.000+01:00",
      startSource: "plan",
      zone: "Europe/Berlin",
      parallelism: input.parallelism ?? 4,
    },
    hosts: input.hosts,
    services: input.services,
    windows: input.windows ?? [],
    checkpoints: input.checkpoints ?? [],
    secrets: input.secrets ?? [],
    connections: input.connections ?? [],
    steps: input.steps,
    timing: { total, criticalPath: [], windowsUsed: [], end: "2026-12-06T00:00:00.000+01:00" },
  });
  return { ...body, digest: planDigest(body) };
}

export function writePlan(dir: string, plan: PlanFile, name = "plan.json"): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(plan, null, 2) + "\n");
  return path;
}

/** A copy of the plan with its steps changed: a plan built by hand, as a broken compiler might emit it. */
export function editSteps(p: PlanFile, edit: (step: PlanStep) => PlanStep): PlanFile {
  return { ...p, steps: p.steps.map(edit) };
}

// ---------------------------------------------------------------------------------------
// Rolling steps by hand

export interface RollingService {
  readonly name: string;
  readonly hosts: readonly string[];
  readonly batches: readonly number[];
  readonly maxUnavailable: number;
  readonly domain?: string;
  readonly maxUnavailablePerDomain?: number;
  readonly after?: readonly string[];
  readonly maxFailures?: number;
}

/**
 * A rolling upgrade: per service a precheck, then batch after batch, each host going
 * stop → upgrade → start (out of service throughout), then a postcheck. `command` makes each
 * step's command from its id and host.
 */
export function rollingSteps(services: readonly RollingService[], command: (id: string, host: string | null) => PlanCommandSpec): { steps: PlanStep[]; services: PlanService[] } {
  const steps: PlanStep[] = [];
  const out: PlanService[] = [];
  let t = 0;
  const lastOf = new Map<string, string>();
  for (const svc of services) {
    out.push(
      service(svc.name, svc.hosts, {
        after: svc.after ?? [],
        rolling: rolling({
          batches: svc.batches,
          maxUnavailable: svc.maxUnavailable,
          domain: svc.domain ?? null,
          maxUnavailablePerDomain: svc.maxUnavailablePerDomain ?? null,
          maxFailures: { count: svc.maxFailures ?? 0, scope: "run", cancel: false },
        }),
      }),
    );
    const pre = `${svc.name}/precheck`;
    steps.push(step(pre, { phase: "prechecks", action: "precheck", service: svc.name, command: command(pre, null), after: (svc.after ?? []).map((a) => lastOf.get(a) ?? "").filter((x) => x !== ""), estimate: { start: t, duration: 1 } }));
    t += 1;
    let barrier = [pre];
    let index = 0;
    for (let b = 0; b < svc.batches.length; b++) {
      const inBatch = svc.hosts.slice(index, index + (svc.batches[b] ?? 0));
      index += inBatch.length;
      const ends: string[] = [];
      for (const h of inBatch) {
        let prev: string[] = barrier;
        for (const action of ["stop", "upgrade", "start"] as const) {
          const id = `${svc.name}/b${b}/${h}/${action}`;
          steps.push(
            step(id, {
              service: svc.name,
              hosts: [h],
              action,
              batch: b,
              command: command(id, h),
              after: prev,
              unavailable: [{ host: h, service: svc.name }],
              estimate: { start: t, duration: 1 },
            }),
          );
          prev = [id];
        }
        ends.push(prev[0] ?? "");
      }
      barrier = ends;
      t += 3;
    }
    const post = `${svc.name}/postcheck`;
    steps.push(step(post, { phase: "postchecks", action: "postcheck", service: svc.name, command: command(post, null), after: barrier, estimate: { start: t, duration: 1 } }));
    t += 1;
    lastOf.set(svc.name, post);
  }
  return { steps, services: out };
}

// ---------------------------------------------------------------------------------------
// A realistic plan, laid out by hand
//
//   keystone (3 controllers, expand/contract, contract irreversible: the point of no return)
//   glance-api (3 controllers, expand/contract), nova-conductor (3 controllers, pin/unpin,
//   online data migrations), nova-compute (N computes in K availability zones, ramp 1, 25%,
//   max 2 unavailable per az, pause 2m, live migration, reboot, bound to a window),
//   cinder-volume (2 storage hosts, no rolling-upgrade tag: all at once, with downtime).
//
// The window `nightly` (fri, sat 23:00-01:00 Europe/Berlin, cutoff 30m) is too short for
// the whole compute rollout, so the 12-host default uses two of its occurrences.

export interface FixtureOptions {
  /** Compute hosts (default 12). */
  readonly computeHosts?: number;
  /** Availability zones the computes are spread over (default 2). */
  readonly zones?: number;
  /** Most computes out of service at once per zone (default 2). */
  readonly perZone?: number;
  readonly urgent?: boolean;
  readonly startSource?: "plan" | "option" | "assumed";
}

const FIXTURE_ZONE = "Europe/Berlin";
const FIXTURE_START = "2026-12-04T22:00";

/** The fixture's commands: a longer grace and backoff than `argv`'s, as a real site's would be. */
function fixtureCommand(...args: string[]): PlanCommandSpec {
  return argv(args, { grace: 10, backoff: 5 });
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

/** Ramp sizes: the last entry repeats, percentages round down with a minimum of 1, the last batch holds the remainder. */
function ramp(total: number, entries: readonly (number | `${number}%`)[]): number[] {
  const sizes: number[] = [];
  let left = total;
  let i = 0;
  while (left > 0) {
    const entry = entries[Math.min(i, entries.length - 1)] ?? 1;
    const size = typeof entry === "number" ? entry : Math.max(1, Math.floor((total * Number.parseFloat(entry)) / 100));
    sizes.push(Math.min(size, left));
    left -= Math.min(size, left);
    i++;
  }
  return sizes;
}

interface Occurrence {
  readonly start: number;
  readonly end: number;
  readonly startIso: string;
  readonly endIso: string;
}

/** Occurrences of a window, in seconds from the plan's start, for the next few weeks. */
function occurrences(w: PlanWindow, planStart: DateTime, weeks: number): Occurrence[] {
  const out: Occurrence[] = [];
  const [fh, fm] = w.from.split(":").map(Number) as [number, number];
  const [th, tm] = w.to.split(":").map(Number) as [number, number];
  const firstDay = planStart.setZone(w.zone).startOf("day").minus({ days: 1 });
  for (let d = 0; d < weeks * 7; d++) {
    const day = firstDay.plus({ days: d });
    const weekday = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][day.weekday - 1] ?? "";
    if (!w.days.includes(weekday)) continue;
    const open = day.set({ hour: fh, minute: fm });
    let close = day.set({ hour: th, minute: tm });
    if (close <= open) close = close.plus({ days: 1 });
    const start = Math.round(open.diff(planStart, "seconds").seconds);
    const end = Math.round(close.diff(planStart, "seconds").seconds);
    if (end <= 0) continue;
    out.push({ start, end, startIso: open.toISO() ?? "", endIso: close.toISO() ?? "" });
  }
  return out;
}

export function fixturePlan(options: FixtureOptions = {}): PlanFile {
  const computeCount = options.computeHosts ?? 12;
  const zones = options.zones ?? 2;
  const perZone = options.perZone ?? 2;
  const width = Math.max(3, String(computeCount).length);
  const planStart = DateTime.fromISO(FIXTURE_START, { zone: FIXTURE_ZONE });

  const controllers = ["ctl01", "ctl02", "ctl03"];
  const computes = Array.from({ length: computeCount }, (_, i) => `cmp${pad(i + 1, width)}`);
  const storage = ["stor01", "stor02"];
  const hosts: PlanHost[] = [
    ...controllers.map((name, i) => ({ name, groups: ["control"], vars: { az: `az${(i % zones) + 1}` }, connection: "ssh" })),
    ...computes.map((name, i) => ({
      name,
      groups: ["compute"],
      vars: { az: `az${(i % zones) + 1}`, instances: (i * 7) % 13 },
      connection: "ssh",
    })),
    ...storage.map((name) => ({ name, groups: ["storage"], vars: { az: "az1" }, connection: "ssh" })),
  ];
  const hostVars = new Map(hosts.map((h) => [h.name, h.vars]));

  const nightly = window("nightly", { days: ["fri", "sat"], from: "23:00", to: "01:00", zone: FIXTURE_ZONE, cutoff: 1800 });
  const nightlyOccurrences = occurrences(nightly, planStart, Math.max(2, Math.ceil(computeCount / 200)));

  const openstack = (name: string, serviceHosts: readonly string[], options: Partial<PlanService> & Pick<PlanService, "rolling">): PlanService =>
    service(name, serviceHosts, { extends: `openstack.${name}`, ...options });
  const computeBatches = ramp(computeCount, [1, "25%"]);
  const services: PlanService[] = [
    openstack("keystone", controllers, { tags: ["rolling-upgrade", "zero-downtime"], rolling: rolling({ batches: [1, 1, 1], maxUnavailable: 1 }) }),
    openstack("glance-api", controllers, { after: ["keystone"], rolling: rolling({ batches: [1, 1, 1], maxUnavailable: 1 }) }),
    openstack("nova-conductor", controllers, {
      after: ["keystone", "glance-api"],
      rolling: rolling({ batches: ramp(3, [1, "50%"]), maxUnavailable: 1 }),
      skew: [{ kind: "needs-new", services: ["keystone"] }],
    }),
    openstack("nova-compute", computes, {
      plane: "data",
      after: ["nova-conductor"],
      tags: ["rolling-upgrade", "zero-downtime"],
      vars: { packages: ["nova-compute", "python3-nova"] },
      rolling: rolling({
        batches: computeBatches,
        maxUnavailable: Math.max(...computeBatches),
        domain: "az",
        maxUnavailablePerDomain: perZone,
        pause: 120,
        maxFailures: { count: 1, scope: "run", cancel: false },
        deadline: { seconds: 7200, onDeadline: "stop" },
      }),
      window: "nightly",
      evacuate: { strategy: "live-migrate", concurrency: 4, timeout: 1800, countVar: "instances", capacityVar: "capacity" },
      skew: [{ kind: "never-newer-than", services: ["nova-conductor"] }],
    }),
    openstack("cinder-volume", storage, {
      tags: [],
      after: ["keystone"],
      rolling: rolling({ batches: [storage.length], maxUnavailable: storage.length, rolling: false }),
    }),
  ];
  const byName = new Map(services.map((s) => [s.name, s]));

  const steps: PlanStep[] = [];
  const ends = new Map<string, number>();
  const add = (id: string, options: Partial<PlanStep> & { start: number; duration: number }): PlanStep => {
    const { start, duration, ...rest } = options;
    const added = step(id, { command: fixtureCommand("true"), ...rest, estimate: { start, duration } });
    steps.push(added);
    ends.set(added.id, start + duration);
    return added;
  };
  const endOf = (ids: readonly string[]): number => Math.max(0, ...ids.map((id) => ends.get(id) ?? 0));

  // Once-per-service phases run their services' steps side by side.
  const oncePhase = (phase: Phase, action: StepAction, names: readonly string[], after: readonly string[], duration: number,
    extra: (name: string) => Partial<PlanStep> = () => ({})): string[] => {
    const t = endOf(after);
    return names.map((name) => {
      const svc = byName.get(name);
      return add(`${name}/${action}`, {
        phase, service: name, hosts: svc ? [svc.hosts[0] ?? ""] : [], action,
        command: fixtureCommand(`${name.split("-")[0]}-manage`, action), after, start: t, duration, ...extra(name),
      }).id;
    });
  };

  const pre = oncePhase("prechecks", "precheck", ["keystone", "glance-api", "nova-conductor", "nova-compute", "cinder-volume"], [], 60,
    (name) => ({ command: fixtureCommand(`${name.split("-")[0]}-status`, "upgrade", "check") }));
  const checkpointStep = add("checkpoint/db-backup", {
    phase: "checkpoint", service: null, hosts: ["ctl01"], action: "checkpoint",
    command: fixtureCommand("mysqldump", "--all-databases", "--result-file=/backup/pre.sql"), after: pre, start: endOf(pre), duration: 900,
    checkpoint: "db-backup",
  });
  const expand = oncePhase("expand", "expand", ["keystone", "glance-api"], [checkpointStep.id], 300, (name) => ({
    command: fixtureCommand(`${name.split("-")[0]}-manage`, "db_sync", "--expand"),
    undo: fixtureCommand("sh", "-c", "mysql < /backup/pre.sql"),
  }));
  const pin = oncePhase("pin", "pin", ["nova-conductor"], expand, 30);

  // Rollout: services in dependency order; batches one after another; hosts of a batch in
  // waves that respect the per-domain cap; each host runs its chain of actions.
  const lastOf = new Map<string, string[]>();
  const windowsUsed = new Map<string, Occurrence>();
  const rolloutOrder = ["keystone", "glance-api", "cinder-volume", "nova-conductor", "nova-compute"];
  for (const name of rolloutOrder) {
    const svc = byName.get(name);
    if (!svc) continue;
    const data = svc.plane === "data";
    const chain: [StepAction, number][] = data
      ? [["maintenance-enter", 10], ["evacuate", 70], ["stop", 30], ["upgrade", 466], ["reboot", 284], ["start", 30], ["health", 199], ["maintenance-exit", 10]]
      : [["stop", 30], ["upgrade", 240], ["start", 30], ["health", 60]];
    const chainTime = chain.reduce((sum, [, d]) => sum + d, 0);
    let entry = [...pin, ...svc.after.flatMap((dep) => lastOf.get(dep) ?? [])];
    let offset = 0;
    for (const [b, size] of svc.rolling.batches.entries()) {
      const batchHosts = svc.hosts.slice(offset, offset + size);
      offset += size;
      const cap = svc.rolling.maxUnavailablePerDomain === null ? batchHosts.length : svc.rolling.maxUnavailablePerDomain * zones;
      const waves = Math.ceil(batchHosts.length / cap);
      let t = endOf(entry);
      const batchTime = waves * chainTime;
      let boundTo: string | null = null;
      if (svc.window !== null) {
        boundTo = svc.window;
        const occ = nightlyOccurrences.find((o) => Math.max(t, o.start) + batchTime <= o.end - nightly.cutoff);
        if (occ) {
          t = Math.max(t, occ.start);
          windowsUsed.set(occ.startIso, occ);
        }
      }
      const lasts: string[] = [];
      for (const [i, h] of batchHosts.entries()) {
        let hostT = t + Math.floor(i / cap) * chainTime;
        let prev: readonly string[] = entry;
        for (const [action, duration] of chain) {
          const unavailable: Unavailable[] = data
            ? [{ host: h }]
            : action === "health" ? [] : [{ host: h, service: name }];
          const added = add(`${name}/b${b + 1}/${h}/${action}`, {
            phase: "rollout", service: name, hosts: [h], action,
            after: prev, start: hostT, duration, window: boundTo, unavailable, batch: b,
            command: action === "reboot" ? fixtureCommand("systemctl", "reboot") : fixtureCommand("systemctl", action, name),
            ...(action === "health" ? { health: { every: 10, within: 600, healthyFor: 30, onDeadline: "stop" as const } } : {}),
            ...(action === "upgrade" ? { undo: fixtureCommand("apt-get", "install", "-y", `${name}={from}`) } : {}),
          });
          prev = [added.id];
          hostT += duration;
        }
        lasts.push(...prev);
      }
      entry = lasts;
      if (b < svc.rolling.batches.length - 1 && svc.rolling.pause > 0) {
        const pause = add(`${name}/b${b + 1}/pause`, {
          phase: "rollout", service: name, hosts: [], action: "batch-pause", command: null,
          after: lasts, start: endOf(lasts), duration: svc.rolling.pause, batch: b,
        });
        entry = [pause.id];
      }
    }
    lastOf.set(name, entry);
  }
  const rolledOut = [...lastOf.values()].flat();
  const migrate = oncePhase("migrate", "migrate", ["nova-conductor"], rolledOut, 600, () => ({
    command: fixtureCommand("nova-manage", "db", "online_data_migrations", "--max-count", "1000"),
  }));
  const unpin = oncePhase("unpin", "unpin", ["nova-conductor"], migrate, 30);
  const contract = oncePhase("contract", "contract", ["keystone", "glance-api"], unpin, 300, (name) => ({
    command: fixtureCommand(`${name.split("-")[0]}-manage`, "db_sync", "--contract"),
    undo: name === "keystone" ? "irreversible" : fixtureCommand("sh", "-c", "mysql < /backup/pre.sql"),
  }));
  const cleanup = oncePhase("cleanup", "cleanup", ["keystone", "glance-api", "nova-conductor", "nova-compute"], contract, 120);
  oncePhase("postchecks", "postcheck", ["keystone", "nova-compute"], cleanup, 60);

  // Impact, from the steps as scheduled.
  const total = Math.max(...steps.map((s) => s.estimate.start + s.estimate.duration));
  const outOfService = new Map<string, number>();
  for (const s of steps) {
    for (const u of s.unavailable) if (!("service" in u)) outOfService.set(u.host, (outOfService.get(u.host) ?? 0) + s.estimate.duration);
    for (const u of s.unavailable) if ("service" in u) outOfService.set(u.host, (outOfService.get(u.host) ?? 0) + s.estimate.duration);
  }
  const impactServices = services.map((svc) => {
    const wave = svc.rolling.rolling
      ? Math.min(...[svc.rolling.maxUnavailablePerDomain === null ? Infinity : svc.rolling.maxUnavailablePerDomain * zones, Math.max(...svc.rolling.batches)])
      : svc.hosts.length;
    const minInService = svc.hosts.length - wave;
    const downSteps = steps.filter((s) => s.service === svc.name && s.action !== "health" && s.unavailable.length > 0);
    const downtime = minInService === 0 && downSteps.length > 0
      ? Math.max(...downSteps.map((s) => s.estimate.start + s.estimate.duration)) - Math.min(...downSteps.map((s) => s.estimate.start))
      : 0;
    return { service: svc.name, instances: svc.hosts.length, minInService, minShare: Math.round((minInService / svc.hosts.length) * 1000) / 1000, downtime };
  });
  const computeWave = Math.min(perZone * zones, Math.max(...computeBatches));
  const instancesMigrated = computes.reduce((sum, h) => sum + Number(hostVars.get(h)?.["instances"] ?? 0), 0);

  // The critical path: from the last step back along its latest-ending predecessor.
  const byId = new Map(steps.map((s) => [s.id, s]));
  let cursor = [...steps].sort((a, b) => b.estimate.start + b.estimate.duration - (a.estimate.start + a.estimate.duration))[0];
  const critical: string[] = [];
  while (cursor) {
    critical.unshift(cursor.id);
    const preds = cursor.after.map((id) => byId.get(id)).filter((s): s is PlanStep => s !== undefined);
    cursor = preds.sort((a, b) => b.estimate.start + b.estimate.duration - (a.estimate.start + a.estimate.duration))[0];
  }

  return planFile({
    fingerprint: "0".repeat(64),
    digest: "1".repeat(64),
    sources: [
      { path: "cloud.upg", sha256: "2".repeat(64), kind: "upg" },
      { path: "inventory/multinode", sha256: "3".repeat(64), kind: "inventory" },
    ],
    entry: "cloud.upg",
    plan: {
      name: "zed-to-2023.1",
      kind: "upgrade",
      urgent: options.urgent ?? false,
      from: "zed",
      to: "2023.1",
      start: planStart.toISO() ?? FIXTURE_START,
      startSource: options.startSource ?? "plan",
      zone: FIXTURE_ZONE,
      parallelism: 8,
    },
    hosts,
    services,
    windows: [nightly],
    checkpoints: [{
      name: "db-backup",
      step: checkpointStep.id,
      restore: fixtureCommand("sh", "-c", "mysql < /backup/pre.sql"),
      note: "restores every database to its state before the schema expand",
    }],
    secrets: [{ name: "os-password", source: "env", ref: "OS_PASSWORD" }],
    connections: [{ name: "ssh", exec: ["ssh", "-o", "BatchMode=yes", "{host}", "--"], probe: fixtureCommand("ssh", "{host}", "true") }],
    steps,
    timing: {
      total,
      criticalPath: critical,
      windowsUsed: [...windowsUsed.values()].map((o) => ({ window: "nightly", start: o.startIso, end: o.endIso })),
      end: planStart.plus({ seconds: total }).toISO() ?? "",
    },
    impact: {
      services: impactServices,
      hosts: hosts.map((h) => ({ host: h.name, outOfService: outOfService.get(h.name) ?? 0 })),
      instancesMigrated,
      peakDataPlaneOut: Math.round((computeWave / computes.length) * 1000) / 1000,
      pointOfNoReturn: { step: "keystone/contract", reason: "keystone's contract drops the old schema and is marked `undo irreversible`" },
    },
  });
}

/** The fixture's options a property test ranges over: size, zones, caps, urgency and where the start came from. */
export const anyFixtureOptions: fc.Arbitrary<FixtureOptions> = fc.record({
  computeHosts: fc.integer({ min: 1, max: 60 }),
  zones: fc.integer({ min: 1, max: 4 }),
  perZone: fc.integer({ min: 1, max: 4 }),
  urgent: fc.boolean(),
  startSource: fc.constantFrom("plan" as const, "option" as const, "assumed" as const),
});

/** Any plan the fixture can build: the arbitrary for property tests over plan files. */
export const anyFixturePlan: fc.Arbitrary<PlanFile> = anyFixtureOptions.map((options) => fixturePlan(options));

// ---------------------------------------------------------------------------------------
// Plans compiled from Models in memory: a small cloud with a control plane (schema phases,
// RPC pin, a checkpoint) and computes with maintenance, live migration and reboots in
// failure domains.

/** The plan the compiler builds from the model; a model that does not build is a broken test. */
export function compiledPlan(m: Model): PlanFile {
  const built = buildPlan(m, { now: new Date("2026-12-01T00:00:00Z"), compilerVersion: "test" });
  if (built.value === null) throw new Error(`the test model does not build: ${built.diagnostics.map((d) => d.message).join("; ")}`);
  return built.value;
}

export interface CloudShape {
  readonly controllers?: number;
  readonly computes?: number;
  readonly domains?: number;
  readonly instances?: number;
  readonly capacity?: number | null;
  readonly batches?: readonly number[];
  readonly maxUnavailable?: number;
  readonly perDomain?: number | null;
  readonly maxFailures?: number;
  readonly checkpoint?: boolean;
  readonly contract?: boolean;
  /** Add heat-api, a control service without the rolling-upgrade tag: all its hosts at once. */
  readonly allAtOnce?: boolean;
}

export function controlService(name: string, hosts: readonly string[], options: Partial<ModelService> = {}): ModelService {
  return models.service(name, {
    hosts: [...hosts],
    actions: {
      stop: models.action(["systemctl", "stop", name]),
      upgrade: models.action(["apt-get", "install", name], { takes: 120 }),
      start: models.action(["systemctl", "start", name]),
      rollback: models.action(["apt-get", "install", `${name}={from}`]),
    },
    ...options,
  });
}

export function cloudModel(shape: CloudShape = {}): Model {
  const { action, checkpoint, computeService, names, model, SPAN } = models;
  const ctl = names("ctl", shape.controllers ?? 2, 1);
  const cmp = names("cmp", shape.computes ?? 6);
  const domains = shape.domains ?? 2;
  const hosts = [
    ...ctl.map((h) => models.host(h)),
    ...cmp.map((h, i) => models.host(h, { az: `az${(i % domains) + 1}`, instances: shape.instances ?? 3, ...(shape.capacity != null ? { capacity: shape.capacity } : {}) })),
  ];
  const contract = shape.contract ?? true;
  const keystone = controlService("keystone", ctl, {
    actions: {
      ...controlService("keystone", ctl).actions,
      expand: action(["keystone-manage", "db_sync", "--expand"], { undo: null }),
      migrate: action(["keystone-manage", "db_sync", "--migrate"]),
      ...(contract ? { contract: action(["keystone-manage", "db_sync", "--contract"], { undo: "irreversible" }) } : {}),
      postcheck: action(["openstack", "token", "issue"]),
    },
  });
  const conductor = controlService("nova-conductor", ctl, {
    after: ["keystone"],
    actions: { ...controlService("nova-conductor", ctl).actions, pin: action(["nova-pin"]), unpin: action(["nova-unpin"]) },
  });
  const compute = computeService("nova-compute", cmp, {
    after: ["nova-conductor"],
    skew: [{ kind: "never-newer-than", services: ["nova-conductor"], span: SPAN }],
    rolling: models.rolling({
      batches: shape.batches ?? [1, 2],
      maxUnavailable: shape.maxUnavailable ?? 2,
      domain: shape.perDomain != null ? "az" : null,
      maxUnavailablePerDomain: shape.perDomain ?? null,
      maxFailures: { count: shape.maxFailures ?? 0, scope: "run", cancel: false },
    }),
  });
  return model({
    hosts,
    services: [
      keystone,
      conductor,
      compute,
      ...(shape.allAtOnce === true ? [controlService("heat-api", ctl, { after: ["keystone"], tags: [], rolling: models.rolling({ rolling: false, batches: [ctl.length], maxUnavailable: ctl.length }) })] : []),
    ],
    checkpoints: shape.checkpoint === false ? [] : [checkpoint("db-backup", "expand")],
  });
}
