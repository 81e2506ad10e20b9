/**
 * Plan files for the runtime's tests, built directly (not compiled): the runtime must work
 * from any valid plan, and its tests should not wait on the compiler.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { afterAll } from "vitest";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { planFingerprint, sha256 } from "../../src/plan/digest.js";
import { planDigest } from "../../src/plan/plan-text.js";
import {
  PLAN_FORMAT,
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
  type VarValue,
} from "../../src/plan/plan.js";
import { VERSION } from "../../src/version.js";

/** The directories tempDir made (some 300 in a test run), removed after each test file. */
const made: string[] = [];
const removeMade = (): void => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
};
// Under vitest, after the file's tests; elsewhere (bench/runtime.ts), when the process exits.
if (process.env["VITEST"]) afterAll(removeMade);
else process.on("exit", removeMade);

/** A new directory under the system's temporary one, removed after the test file (or the process). */
export function tempDir(prefix = "upgradec-rt-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export function spec(command: PlanCommand, options: Partial<Omit<PlanCommandSpec, "command">> = {}): PlanCommandSpec {
  return { command, timeout: null, grace: 5, retries: 0, backoff: 1, env: {}, cwd: null, ...options };
}

export function argv(args: readonly string[], options: Partial<Omit<PlanCommandSpec, "command">> = {}): PlanCommandSpec {
  return spec({ kind: "argv", argv: args }, options);
}

export function shell(script: string, options: Partial<Omit<PlanCommandSpec, "command">> = {}): PlanCommandSpec {
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

export function makePlan(input: PlanInput): PlanFile {
  const sources = (input.sources ?? [{ path: "cloud.upg", text: 'plan "test" { kind upgrade }\n' }]).map((s) => {
    const file = join(input.dir, s.path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, s.text);
    return { path: s.path, sha256: sha256(s.text), kind: s.kind ?? "upg" };
  });
  const total = Math.max(0, ...input.steps.map((s) => s.estimate.start + s.estimate.duration));
  const body: Omit<PlanFile, "digest"> = {
    format: PLAN_FORMAT,
    fingerprint: planFingerprint({ sources, hosts: input.hosts, compilerVersion: VERSION }),
    compiler: { name: "upgradec", version: VERSION },
    sources,
    entry: input.entry ?? sources.find((s) => s.kind === "upg")?.path ?? "cloud.upg",
    plan: {
      name: input.name ?? "test",
      kind: "upgrade",
      urgent: false,
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
    impact: { services: [], hosts: [], instancesMigrated: 0, peakDataPlaneOut: 0, pointOfNoReturn: null },
  };
  return { ...body, digest: planDigest(body) };
}

export function writePlan(dir: string, plan: PlanFile, name = "plan.json"): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(plan, null, 2) + "\n");
  return path;
}

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
