/**
 * Loading a plan file for a run: it must parse, match the schema, hold together (every id it
 * refers to exists), be unedited since it was compiled (its digest) and be current (every
 * source it was compiled from still has the same content, and the same compiler version).
 */
import type { Code } from "../diagnostics/codes.js";
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve as resolvePath } from "node:path";
import { diag, type Diagnostic } from "../diagnostics/diagnostic.js";
import { planFingerprint, sha256 } from "../plan/digest.js";
import { planDigest } from "../plan/plan-text.js";
import { PLAN_FORMAT, type PlanFile } from "../plan/plan.js";
import { PACKAGE_ROOT, VERSION } from "../version.js";
import { validateAgainstSchema } from "./schema-check.js";

export interface LoadedPlan {
  readonly plan: PlanFile;
  /** Absolute path of the plan file. */
  readonly path: string;
  readonly dir: string;
}

export interface LoadPlanOptions {
  readonly cwd: string;
  /** The running compiler's version (a plan from another version is stale). */
  readonly version?: string;
  /** Where `<stdlib>/...` sources live. */
  readonly stdlibDir?: string;
  readonly readFile?: (path: string) => Buffer | null;
  /** Load a stale plan anyway, with a warning (for `status`, which only reads). */
  readonly allowStale?: boolean;
}

function readBytes(path: string): Buffer | null {
  try {
    return readFileSync(path);
  } catch {
    return null;
  }
}

function problem(code: Code, message: string, help: string, notes: readonly string[] = []): Diagnostic {
  return diag(code, { message, help, ...(notes.length > 0 ? { notes } : {}) });
}

export async function loadPlan(planArg: string, options: LoadPlanOptions): Promise<{ value: LoadedPlan | null; diagnostics: Diagnostic[] }> {
  const path = resolvePath(options.cwd, planArg);
  const dir = dirname(path);
  const read = options.readFile ?? readBytes;
  const recompile = (entry: string) => `compile it again: upgradec compile ${entry} -o ${planArg}`;
  // The plan records its entry relative to its own directory; the command runs where the user is.
  const entryFromCwd = (entry: string) => {
    const rel = relative(options.cwd, resolvePath(dir, entry));
    return rel === "" || isAbsolute(rel) ? resolvePath(dir, entry) : rel;
  };
  const bytes = read(path);
  if (bytes === null) return { value: null, diagnostics: [problem("UPG0701", `cannot read the plan file ${planArg}`, `make one with: upgradec compile FILE.upg -o ${planArg}`)] };
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString("utf8"));
  } catch (error) {
    return {
      value: null,
      diagnostics: [problem("UPG0701", `${planArg} is not JSON: ${error instanceof Error ? error.message : String(error)}`, recompile("FILE.upg"))],
    };
  }
  const entryGuess = typeof (json as { entry?: unknown } | null)?.entry === "string" ? entryFromCwd(String((json as { entry: string }).entry)) : "FILE.upg";
  const schema = await validateAgainstSchema(json);
  if (schema.length > 0) {
    return { value: null, diagnostics: [problem("UPG0702", `${planArg} is not a valid plan file`, recompile(entryGuess), schema.slice(0, 10))] };
  }
  const plan = json as PlanFile;
  const shape = checkIntegrity(plan);
  if (shape.length > 0) return { value: null, diagnostics: [problem("UPG0702", `${planArg} is not a valid plan file`, recompile(entryGuess), shape.slice(0, 10))] };

  if (planDigest(plan) !== plan.digest) {
    return {
      value: null,
      diagnostics: [
        problem("UPG0703", `${planArg} was edited after it was compiled (its digest does not match its content)`, `change the .upg sources instead, then ${recompile(entryFromCwd(plan.entry))}`, [
          "a plan file is the compiler's output; an edit could break what the compiler checked (order, caps, windows)",
        ]),
      ],
    };
  }

  const stale: string[] = [];
  const version = options.version ?? VERSION;
  if (plan.compiler.version !== version) stale.push(`it was compiled by upgradec ${plan.compiler.version}; this is upgradec ${version}`);
  const stdlibDir = options.stdlibDir ?? join(PACKAGE_ROOT, "src", "stdlib");
  for (const source of plan.sources) {
    const file = source.path.startsWith("<stdlib>/")
      ? join(stdlibDir, source.path.slice("<stdlib>/".length))
      : isAbsolute(source.path)
        ? source.path
        : join(dir, source.path);
    const content = read(file);
    if (content === null) stale.push(`${source.path} no longer exists`);
    else if (sha256(content) !== source.sha256) stale.push(`${source.path} changed since the plan was compiled`);
  }
  if (stale.length === 0 && planFingerprint({ sources: plan.sources, hosts: plan.hosts, compilerVersion: version, ...(plan.history ? { history: plan.history } : {}) }) !== plan.fingerprint) {
    stale.push("its fingerprint does not match its sources, hosts and compiler version");
  }
  if (stale.length > 0) {
    const found = problem("UPG0704", `${planArg} is stale: ${stale[0]}`, recompile(entryFromCwd(plan.entry)), stale.slice(1));
    if (options.allowStale === true) return { value: { plan, path, dir }, diagnostics: [{ ...found, severity: "warning" }] };
    return { value: null, diagnostics: [found] };
  }
  return { value: { plan, path, dir }, diagnostics: [] };
}

/** What the runtime relies on beyond the schema: ids unique, references resolve. */
export function checkIntegrity(plan: PlanFile): string[] {
  const out: string[] = [];
  if (plan.format !== PLAN_FORMAT) out.push(`format is ${JSON.stringify(plan.format)}, expected ${JSON.stringify(PLAN_FORMAT)}`);
  if (!Array.isArray(plan.steps) || !Array.isArray(plan.hosts) || !Array.isArray(plan.services)) {
    out.push("steps, hosts and services must be lists");
    return out;
  }
  const ids = new Set<string>();
  for (const step of plan.steps) {
    if (ids.has(step.id)) out.push(`step id ${step.id} appears twice`);
    ids.add(step.id);
  }
  const hosts = new Set(plan.hosts.map((h) => h.name));
  const services = new Set(plan.services.map((s) => s.name));
  const windows = new Set((plan.windows ?? []).map((w) => w.name));
  const connections = new Set(["local", ...(plan.connections ?? []).map((c) => c.name)]);
  for (const step of plan.steps) {
    for (const dep of step.after) if (!ids.has(dep)) out.push(`step ${step.id}: after ${dep}, which is not a step`);
    for (const host of step.hosts) if (!hosts.has(host)) out.push(`step ${step.id}: host ${host} is not in hosts`);
    if (step.service !== null && !services.has(step.service)) out.push(`step ${step.id}: service ${step.service} is not in services`);
    if (step.window !== null && !windows.has(step.window)) out.push(`step ${step.id}: window ${step.window} is not in windows`);
  }
  for (const host of plan.hosts) if (!connections.has(host.connection)) out.push(`host ${host.name}: connection ${host.connection} is not in connections`);
  if (out.length === 0) {
    const cycle = findCycle(plan);
    if (cycle !== null) out.push(`steps depend on each other in a cycle: ${cycle.join(" -> ")}`);
  }
  return out;
}

function findCycle(plan: PlanFile): string[] | null {
  const after = new Map(plan.steps.map((s) => [s.id, s.after]));
  const state = new Map<string, 1 | 2>();
  const path: string[] = [];
  const visit = (id: string): string[] | null => {
    state.set(id, 1);
    path.push(id);
    for (const dep of after.get(id) ?? []) {
      if (state.get(dep) === 1) return [...path.slice(path.indexOf(dep)), dep];
      if (state.get(dep) === undefined) {
        const found = visit(dep);
        if (found) return found;
      }
    }
    path.pop();
    state.set(id, 2);
    return null;
  };
  for (const step of plan.steps) {
    if (state.get(step.id) === undefined) {
      const found = visit(step.id);
      if (found) return found;
    }
  }
  return null;
}
