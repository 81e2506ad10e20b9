/**
 * A service's `version` action (the command that prints what is installed) is part of the
 * model, not of the plan file: the runtime never runs it. For a plan file, `check` and
 * `verify` take it from the plan's sources, compiled again; the plan's fingerprint (checked
 * on load) guarantees they are the sources the plan was compiled from.
 */
import { dirname, relative, resolve as resolvePath } from "node:path";
import { compileFile } from "../compiler/compile.js";
import type { Model } from "../compiler/model.js";
import { nodeLoadHost } from "../compiler/node-host.js";
import type { PlanCommandSpec } from "../plan/plan.js";
import { VERSION } from "../version.js";

/** Service name → its version query. */
export type VersionProbes = ReadonlyMap<string, PlanCommandSpec>;

export function versionProbesFromModel(model: Model | null): VersionProbes {
  const out = new Map<string, PlanCommandSpec>();
  for (const service of model?.services ?? []) {
    const action = service.actions.version;
    if (action) out.set(service.name, action.spec);
  }
  return out;
}

/**
 * The version queries of a loaded plan's sources: its entry compiled again, resolve only.
 * `null` when the sources no longer give a model (the caller says versions were not checked).
 */
export function versionProbesFromSources(planPath: string, entry: string): VersionProbes | null {
  const planDir = dirname(planPath);
  const entryPath = resolvePath(planDir, entry);
  const result = compileFile(relative(planDir, entryPath) || entry, nodeLoadHost(planDir), { now: new Date(), compilerVersion: VERSION, checkOnly: true });
  return result.model === null ? null : versionProbesFromModel(result.model);
}
