/**
 * The semantic checks over a resolved model: the dependency graph, version skew, the
 * OpenStack release sequence, rolling policies, evacuation capacity, downtime, points of
 * no return, urgent plans and tags. Each check runs on its own: one that throws (a
 * compiler bug) becomes UPG0001 and the others still report.
 */
import { type Diagnostic, internalError } from "../../diagnostics/diagnostic.js";
import type { Model } from "../model.js";
import type { Program } from "../program.js";
import { checkEvacuation } from "./evacuation-check.js";
import { checkGraph } from "./graph-checks.js";
import { checkPlan } from "./plan-checks.js";
import { checkPolicy } from "./policy-checks.js";
import { checkReleases } from "./release-checks.js";
import { checkRolling } from "./rolling-checks.js";
import { checkHostSets } from "./host-set-checks.js";
import { checkTags } from "./tag-checks.js";

const CHECKS: readonly (readonly [string, (model: Model) => Diagnostic[]])[] = [
  ["graph", checkGraph],
  ["releases", checkReleases],
  ["policy", checkPolicy],
  ["rolling", checkRolling],
  ["host-sets", checkHostSets],
  ["evacuation", checkEvacuation],
  ["plan", checkPlan],
  ["tags", checkTags],
];

/** The checks that need the whole resolved model: cycles, policy, windows, evacuation, skew, releases. */
export function checkModel(model: Model, _program: Program): Diagnostic[] {
  return CHECKS.flatMap(([name, check]) => guarded(name, () => check(model)));
}

function guarded(name: string, check: () => Diagnostic[]): Diagnostic[] {
  try {
    return check();
  } catch (error) {
    return [internalError(`in the ${name} checks`, error)];
  }
}
