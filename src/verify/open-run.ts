/** The current run of a plan, replayed from its journal with the runtime's own reader, for `verify`. */
import { findCurrentRun, sameIdentity } from "../runtime/current-run.js";
import type { RunState } from "../runtime/run-state.js";
import { resolveStateRoot, statePaths } from "../runtime/state-dir.js";
import type { PlanFile } from "../plan/plan.js";

export type OpenedRun =
  | { readonly kind: "none"; readonly root: string }
  | { readonly kind: "run"; readonly id: string; readonly state: RunState }
  /** The run cannot be used: its state is damaged, or it was started from another plan file. */
  | { readonly kind: "unreadable"; readonly id: string; readonly reason: string; readonly why: "damaged" | "other-plan" }
  /** `--state` is not a directory (an unsupported URL scheme): a usage error. */
  | { readonly kind: "bad-state"; readonly message: string; readonly help: string };

/** `state` as given on the command line (relative to cwd), else `.upgradec/` beside the plan (as run does). */
export function openCurrentRun(plan: PlanFile, planDir: string, options: { readonly state?: string; readonly cwd: string }): OpenedRun {
  const root = resolveStateRoot(options.state, planDir, options.cwd);
  if (!root.ok) return { kind: "bad-state", message: root.message, help: root.help };
  const found = findCurrentRun(statePaths(root.root, plan.plan.name), plan.plan.name);
  switch (found.kind) {
    case "none":
      return { kind: "none", root: root.root };
    case "damaged":
      return { kind: "unreadable", id: found.runId ?? "-", reason: `its state is damaged: ${found.file}${found.line !== null ? `:${found.line}` : ""}: ${found.reason}`, why: "damaged" };
    case "run":
      if (!sameIdentity(found.state, plan)) return { kind: "unreadable", id: found.runId, reason: "it was started from another plan file (its fingerprint differs)", why: "other-plan" };
      return { kind: "run", id: found.runId, state: found.state };
  }
}
