/**
 * A realistic plan file for the preview tests, built the way the compiler builds one
 * (phases, batches, per-host step chains, windows, caps), but by a small scheduler of its
 * own so the previews can be tested before and apart from the real compiler:
 *
 *   keystone (3 controllers, expand/contract, contract irreversible: the point of no return)
 *   glance-api (3 controllers, expand/contract), nova-conductor (3 controllers, pin/unpin,
 *   online data migrations), nova-compute (N computes in K availability zones, ramp 1, 25%,
 *   max 2 unavailable per az, pause 2m, live migration, reboot, bound to a window),
 *   cinder-volume (2 storage hosts, no rolling-upgrade tag: all at once, with downtime).
 *
 * The window `nightly` (fri, sat 23:00-01:00 Europe/Berlin, cutoff 30m) is too short for
 * the whole compute rollout, so the 12-host default uses two of its occurrences.
 */
import { DateTime } from "luxon";
import {
  PLAN_FORMAT,
  type Phase,
  type PlanCommandSpec,
  type PlanFile,
  type PlanHost,
  type PlanService,
  type PlanStep,
  type PlanWindow,
  type StepAction,
  type Unavailable,
} from "../../src/plan/plan.js";

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

const ZONE = "Europe/Berlin";
const START = "2026-12-04T22:00";

function argv(...args: string[]): PlanCommandSpec {
  return { command: { kind: "argv", argv: args }, timeout: null, grace: 10, retries: 0, backoff: 5, env: {}, cwd: null };
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
function occurrences(window: PlanWindow, planStart: DateTime, weeks: number): Occurrence[] {
  const out: Occurrence[] = [];
  const [fh, fm] = window.from.split(":").map(Number) as [number, number];
  const [th, tm] = window.to.split(":").map(Number) as [number, number];
  const firstDay = planStart.setZone(window.zone).startOf("day").minus({ days: 1 });
  for (let d = 0; d < weeks * 7; d++) {
    const day = firstDay.plus({ days: d });
    const weekday = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][day.weekday - 1] ?? "";
    if (!window.days.includes(weekday)) continue;
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
  const planStart = DateTime.fromISO(START, { zone: ZONE });

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

  const nightly: PlanWindow = { name: "nightly", days: ["fri", "sat"], from: "23:00", to: "01:00", zone: ZONE, cutoff: 1800 };
  const nightlyOccurrences = occurrences(nightly, planStart, Math.max(2, Math.ceil(computeCount / 200)));

  const rollingOf = (batches: number[], maxUnavailable: number, extra: Partial<PlanService["rolling"]> = {}): PlanService["rolling"] => ({
    batches,
    maxUnavailable,
    domain: null,
    maxUnavailablePerDomain: null,
    pause: 0,
    maxFailures: { count: 0, scope: "run", cancel: false },
    deadline: null,
    rolling: true,
    ...extra,
  });
  const service = (s: Partial<PlanService> & Pick<PlanService, "name" | "hosts" | "rolling">): PlanService => ({
    extends: `openstack.${s.name}`,
    tags: ["rolling-upgrade"],
    plane: "control",
    after: [],
    vars: {},
    window: null,
    evacuate: null,
    version: null,
    skew: [],
    ...s,
  });
  const computeBatches = ramp(computeCount, [1, "25%"]);
  const services: PlanService[] = [
    service({ name: "keystone", hosts: controllers, tags: ["rolling-upgrade", "zero-downtime"], rolling: rollingOf([1, 1, 1], 1) }),
    service({ name: "glance-api", hosts: controllers, after: ["keystone"], rolling: rollingOf([1, 1, 1], 1) }),
    service({
      name: "nova-conductor",
      hosts: controllers,
      after: ["keystone", "glance-api"],
      rolling: rollingOf(ramp(3, [1, "50%"]), 1),
      skew: [{ kind: "needs-new", services: ["keystone"] }],
    }),
    service({
      name: "nova-compute",
      hosts: computes,
      plane: "data",
      after: ["nova-conductor"],
      tags: ["rolling-upgrade", "zero-downtime"],
      vars: { packages: ["nova-compute", "python3-nova"] },
      rolling: rollingOf(computeBatches, Math.max(...computeBatches), {
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
    service({
      name: "cinder-volume",
      hosts: storage,
      tags: [],
      after: ["keystone"],
      rolling: rollingOf([storage.length], storage.length, { rolling: false }),
    }),
  ];
  const byName = new Map(services.map((s) => [s.name, s]));

  const steps: PlanStep[] = [];
  const ends = new Map<string, number>();
  const add = (s: Omit<PlanStep, "estimate" | "window" | "unavailable" | "batch" | "checkpoint" | "undo" | "done" | "health" | "command"> &
    Partial<PlanStep> & { start: number; duration: number }): PlanStep => {
    const { start, duration, ...rest } = s;
    const step: PlanStep = {
      command: argv("true"),
      window: null,
      unavailable: [],
      batch: null,
      checkpoint: null,
      undo: null,
      done: null,
      health: null,
      ...rest,
      estimate: { start, duration },
    };
    steps.push(step);
    ends.set(step.id, start + duration);
    return step;
  };
  const endOf = (ids: readonly string[]): number => Math.max(0, ...ids.map((id) => ends.get(id) ?? 0));

  // Once-per-service phases run their services' steps side by side.
  const oncePhase = (phase: Phase, action: StepAction, names: readonly string[], after: readonly string[], duration: number,
    extra: (name: string) => Partial<PlanStep> = () => ({})): string[] => {
    const t = endOf(after);
    return names.map((name) => {
      const svc = byName.get(name);
      return add({
        id: `${name}/${action}`, phase, service: name, hosts: svc ? [svc.hosts[0] ?? ""] : [], action,
        command: argv(`${name.split("-")[0]}-manage`, action), after, start: t, duration, ...extra(name),
      }).id;
    });
  };

  const pre = oncePhase("prechecks", "precheck", ["keystone", "glance-api", "nova-conductor", "nova-compute", "cinder-volume"], [], 60,
    (name) => ({ command: argv(`${name.split("-")[0]}-status`, "upgrade", "check") }));
  const checkpointStep = add({
    id: "checkpoint/db-backup", phase: "checkpoint", service: null, hosts: ["ctl01"], action: "checkpoint",
    command: argv("mysqldump", "--all-databases", "--result-file=/backup/pre.sql"), after: pre, start: endOf(pre), duration: 900,
    checkpoint: "db-backup",
  });
  const expand = oncePhase("expand", "expand", ["keystone", "glance-api"], [checkpointStep.id], 300, (name) => ({
    command: argv(`${name.split("-")[0]}-manage`, "db_sync", "--expand"),
    undo: argv("sh", "-c", "mysql < /backup/pre.sql"),
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
      let window: string | null = null;
      if (svc.window !== null) {
        window = svc.window;
        const occ = nightlyOccurrences.find((o) => Math.max(t, o.start) + batchTime <= o.end - nightly.cutoff);
        if (occ) {
          t = Math.max(t, occ.start);
          windowsUsed.set(occ.startIso, occ);
        }
      }
      const lasts: string[] = [];
      for (const [i, host] of batchHosts.entries()) {
        let hostT = t + Math.floor(i / cap) * chainTime;
        let prev: readonly string[] = entry;
        for (const [action, duration] of chain) {
          const unavailable: Unavailable[] = data
            ? [{ host }]
            : action === "health" ? [] : [{ host, service: name }];
          const step = add({
            id: `${name}/b${b + 1}/${host}/${action}`, phase: "rollout", service: name, hosts: [host], action,
            after: prev, start: hostT, duration, window, unavailable, batch: b,
            command: action === "reboot" ? argv("systemctl", "reboot") : argv("systemctl", action, name),
            ...(action === "health" ? { health: { every: 10, within: 600, healthyFor: 30, onDeadline: "stop" as const } } : {}),
            ...(action === "upgrade" ? { undo: argv("apt-get", "install", "-y", `${name}={from}`) } : {}),
          });
          prev = [step.id];
          hostT += duration;
        }
        lasts.push(...prev);
      }
      entry = lasts;
      if (b < svc.rolling.batches.length - 1 && svc.rolling.pause > 0) {
        const pause = add({
          id: `${name}/b${b + 1}/pause`, phase: "rollout", service: name, hosts: [], action: "batch-pause", command: null,
          after: lasts, start: endOf(lasts), duration: svc.rolling.pause, batch: b,
        });
        entry = [pause.id];
      }
    }
    lastOf.set(name, entry);
  }
  const rolledOut = [...lastOf.values()].flat();
  const migrate = oncePhase("migrate", "migrate", ["nova-conductor"], rolledOut, 600, () => ({
    command: argv("nova-manage", "db", "online_data_migrations", "--max-count", "1000"),
  }));
  const unpin = oncePhase("unpin", "unpin", ["nova-conductor"], migrate, 30);
  const contract = oncePhase("contract", "contract", ["keystone", "glance-api"], unpin, 300, (name) => ({
    command: argv(`${name.split("-")[0]}-manage`, "db_sync", "--contract"),
    undo: name === "keystone" ? "irreversible" : argv("sh", "-c", "mysql < /backup/pre.sql"),
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

  const start = planStart.toISO() ?? START;
  return {
    format: PLAN_FORMAT,
    fingerprint: "0".repeat(64),
    digest: "1".repeat(64),
    compiler: { name: "upgradec", version: "0.0.0-test" },
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
      start,
      startSource: options.startSource ?? "plan",
      zone: ZONE,
      parallelism: 8,
    },
    hosts,
    services,
    windows: [nightly],
    checkpoints: [{
      name: "db-backup",
      step: checkpointStep.id,
      restore: argv("sh", "-c", "mysql < /backup/pre.sql"),
      note: "restores every database to its state before the schema expand",
    }],
    secrets: [{ name: "os-password", source: "env", ref: "OS_PASSWORD" }],
    connections: [{ name: "ssh", exec: ["ssh", "-o", "BatchMode=yes", "{host}", "--"], probe: argv("ssh", "{host}", "true") }],
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
  };
}
