/**
 * Builds resolved Models directly, so the build phases are tested without the parser:
 * `model({ hosts, services })` with `service("nova-compute", { … })`, every field defaulted
 * to the plainest choice.
 */
import type { Span } from "../../src/diagnostics/diagnostic.js";
import type { Model, ModelAction, ModelCheckpoint, ModelHost, ModelRolling, ModelService, ModelWindow } from "../../src/compiler/model.js";
import type { PlanCommandSpec, VarValue } from "../../src/plan/plan.js";

export const SPAN: Span = { file: "test.upg", start: 0, end: 1 };

export function spec(...argv: string[]): PlanCommandSpec {
  return { command: { kind: "argv", argv }, timeout: null, grace: 10, retries: 0, backoff: 5, env: {}, cwd: null };
}

export function action(argv: string[] | string, options: Partial<Omit<ModelAction, "spec">> = {}): ModelAction {
  return {
    spec: spec(...(typeof argv === "string" ? [argv] : argv)),
    takes: null,
    done: null,
    undo: null,
    once: false,
    span: SPAN,
    ...options,
  };
}

export function host(name: string, vars: Record<string, VarValue> = {}, groups: string[] = []): ModelHost {
  return { name, groups, vars, connection: "local" };
}

/** `prefix` + zero-padded numbers 1..n, e.g. hosts("cmp", 3) → cmp001, cmp002, cmp003. */
export function names(prefix: string, n: number, width = 3): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${String(i + 1).padStart(width, "0")}`);
}

export function rolling(options: Partial<ModelRolling> = {}): ModelRolling {
  return {
    rolling: true,
    batches: [1],
    continuous: false,
    maxUnavailable: 1,
    domain: null,
    maxUnavailablePerDomain: null,
    pause: 0,
    maxFailures: { count: 0, scope: "run", cancel: false },
    order: "inventory",
    deadline: null,
    ...options,
  };
}

export function service(name: string, options: Partial<ModelService> = {}): ModelService {
  return {
    name,
    extends: null,
    hosts: [],
    tags: ["rolling-upgrade"],
    plane: "control",
    after: [],
    vars: {},
    rolling: rolling(),
    actions: { upgrade: action(["upgrade", name, "{host}"]) },
    maintenance: null,
    evacuate: null,
    reboot: null,
    window: null,
    skew: [],
    bridged: [],
    takes: null,
    health: null,
    span: SPAN,
    nameSpan: SPAN,
    ...options,
  };
}

export function window(name: string, options: Partial<ModelWindow> = {}): ModelWindow {
  return { name, days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], from: 22 * 60, to: 6 * 60, zone: "Europe/Berlin", cutoff: 0, span: SPAN, ...options };
}

export function checkpoint(name: string, before: ModelCheckpoint["before"], options: Partial<ModelCheckpoint> = {}): ModelCheckpoint {
  return { name, before, run: action(["backup", name]), restore: action(["restore", name]), note: null, span: SPAN, ...options };
}

export function model(options: Partial<Omit<Model, "plan">> & { plan?: Partial<Model["plan"]> } = {}): Model {
  const { plan, ...rest } = options;
  const services = rest.services ?? [];
  const hostNames = new Set(services.flatMap((s) => s.hosts));
  return {
    hosts: rest.hosts ?? [...hostNames].map((h) => host(h)),
    services,
    windows: [],
    checkpoints: [],
    notifiers: [],
    secrets: [],
    connections: [],
    sources: [
      { path: "cloud.upg", sha256: "a".repeat(64), kind: "upg" },
      { path: "<stdlib>/openstack.upg", sha256: "b".repeat(64), kind: "upg" },
      { path: "inventory/hosts.ini", sha256: "c".repeat(64), kind: "inventory" },
    ],
    entry: "cloud.upg",
    inventoryPath: "inventory/hosts.ini",
    ...rest,
    plan: {
      name: "test",
      kind: "upgrade",
      urgent: false,
      from: "zed",
      to: "2023.1",
      start: { local: "2026-12-05T22:00", zone: "Europe/Berlin", span: SPAN },
      parallelism: 1000,
      span: null,
      ...plan,
    },
  };
}

/** A data-plane compute service as the standard library shapes it: maintenance, live migration, reboot, health gate. */
export function computeService(name: string, hostNames: string[], options: Partial<ModelService> = {}): ModelService {
  return service(name, {
    hosts: hostNames,
    plane: "data",
    rolling: rolling({ batches: [1, 2], maxUnavailable: 2 }),
    actions: {
      stop: action(["systemctl", "stop", name]),
      upgrade: action(["apt-get", "install", "-y", name], { takes: 360 }),
      start: action(["systemctl", "start", name]),
      rollback: action(["apt-get", "install", "-y", `${name}={from}`]),
    },
    maintenance: { enter: action(["openstack", "compute", "service", "set", "--disable", "{host}", name]), exit: action(["openstack", "compute", "service", "set", "--enable", "{host}", name]) },
    evacuate: { strategy: "live-migrate", concurrency: 4, timeout: 1800, run: action(["nova-evacuate", "{host}"]), countVar: "instances", capacityVar: null },
    reboot: { action: action(["systemctl", "reboot"]), window: null, takes: 300 },
    health: { action: action(["curl", "-sf", "http://{host}:8774/"]), every: 10, within: 600, healthyFor: 30, onDeadline: "stop" },
    ...options,
  });
}
