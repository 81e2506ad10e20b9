/**
 * Plans for the simulation tests, built from Models in memory (no parser, no processes):
 * a small cloud with a control plane (schema phases, RPC pin, a checkpoint) and computes
 * with maintenance, live migration and reboots in failure domains.
 */
import { buildPlan } from "../../src/compiler/build-plan.js";
import type { Model, ModelService } from "../../src/compiler/model.js";
import type { PlanFile } from "../../src/plan/plan.js";
import { SPAN, action, checkpoint, computeService, host, model, names, rolling, service } from "../compiler/model-builder.js";

export function plan(m: Model): PlanFile {
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
  return service(name, {
    hosts: [...hosts],
    actions: {
      stop: action(["systemctl", "stop", name]),
      upgrade: action(["apt-get", "install", name], { takes: 120 }),
      start: action(["systemctl", "start", name]),
      rollback: action(["apt-get", "install", `${name}={from}`]),
    },
    ...options,
  });
}

export function cloudModel(shape: CloudShape = {}): Model {
  const ctl = names("ctl", shape.controllers ?? 2, 1);
  const cmp = names("cmp", shape.computes ?? 6);
  const domains = shape.domains ?? 2;
  const hosts = [
    ...ctl.map((h) => host(h)),
    ...cmp.map((h, i) => host(h, { az: `az${(i % domains) + 1}`, instances: shape.instances ?? 3, ...(shape.capacity != null ? { capacity: shape.capacity } : {}) })),
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
    rolling: rolling({
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
      ...(shape.allAtOnce === true ? [controlService("heat-api", ctl, { after: ["keystone"], tags: [], rolling: rolling({ rolling: false, batches: [ctl.length], maxUnavailable: ctl.length }) })] : []),
    ],
    checkpoints: shape.checkpoint === false ? [] : [checkpoint("db-backup", "expand")],
  });
}

/** A copy of the plan with its steps changed: a plan built by hand, as a broken compiler might emit it. */
export function editSteps(p: PlanFile, edit: (step: PlanFile["steps"][number]) => PlanFile["steps"][number]): PlanFile {
  return { ...p, steps: p.steps.map(edit) };
}
