/** The current run of a plan, replayed from its journal with the runtime's own reader, for `verify`. */
import { sameIdentity } from "../runtime/current-run.js";
import type { RunState } from "../runtime/run-state.js";
import { resolveStateRoot, statePaths } from "../runtime/state-dir.js";
import { DirectoryStore } from "../runtime/store/directory-store.js";
import { openStateStore } from "../runtime/store/open-store.js";
import type { StoreRun } from "../runtime/store/state-store.js";
import type { PlanFile } from "../plan/plan.js";

export type OpenedRun =
  | { readonly kind: "none"; readonly root: string }
  | { readonly kind: "run"; readonly id: string; readonly state: RunState }
  /** The run cannot be used: its state is damaged, or it was started from another plan file. */
  | { readonly kind: "unreadable"; readonly id: string; readonly reason: string; readonly why: "damaged" | "other-plan" }
  /** `--state` names no store upgradec can use (an unsupported URL scheme): a usage error. */
  | { readonly kind: "bad-state"; readonly message: string; readonly help: string };

/** `state` as given on the command line (relative to cwd), else `.upgradec/` beside the plan (as run does): a directory only. */
export function openCurrentRun(plan: PlanFile, planDir: string, options: { readonly state?: string; readonly cwd: string }): OpenedRun {
  const root = resolveStateRoot(options.state, planDir, options.cwd);
  if (!root.ok) return { kind: "bad-state", message: root.message, help: root.help };
  const store = new DirectoryStore(statePaths(root.root, plan.plan.name), plan.plan.name, () => Date.now());
  return judge(store.currentRunNow(), plan, store.where);
}

/** The same from any store `--state` names (a directory or a database). */
export async function openStoreRun(
  plan: PlanFile,
  planDir: string,
  options: { readonly state?: string; readonly cwd: string; readonly env?: Readonly<Record<string, string | undefined>> },
): Promise<OpenedRun> {
  const opened = await openStateStore({ state: options.state, planDir, cwd: options.cwd, planName: plan.plan.name, ...(options.env !== undefined ? { env: options.env } : {}) });
  if (!opened.ok) return { kind: "bad-state", message: opened.message, help: opened.help };
  try {
    return judge(await opened.store.currentRun(), plan, opened.store.where);
  } finally {
    await opened.store.close();
  }
}

function judge(found: StoreRun, plan: PlanFile, where: string): OpenedRun {
  switch (found.kind) {
    case "none":
      return { kind: "none", root: where };
    case "damaged":
      return { kind: "unreadable", id: found.runId ?? "-", reason: `its state is damaged: ${found.file}${found.line !== null ? `:${found.line}` : ""}: ${found.reason}`, why: "damaged" };
    case "run":
      if (!sameIdentity(found.state, plan)) return { kind: "unreadable", id: found.runId, reason: "it was started from another plan file (its fingerprint differs)", why: "other-plan" };
      return { kind: "run", id: found.runId, state: found.state };
  }
}
