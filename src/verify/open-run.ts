/** The current run of a plan, replayed from its journal with the runtime's own reader, for `verify`. */
import { join, resolve as resolvePath } from "node:path";
import { readJournal } from "../runtime/journal.js";
import { replay, type RunState } from "../runtime/run-state.js";
import { readCurrent, statePaths } from "../runtime/state-dir.js";
import type { PlanFile } from "../plan/plan.js";

export type OpenedRun =
  | { readonly kind: "none"; readonly root: string }
  | { readonly kind: "run"; readonly id: string; readonly state: RunState }
  | { readonly kind: "unreadable"; readonly id: string; readonly reason: string };

/** `state` as given on the command line (relative to cwd), else `.upgradec/` beside the plan (as run does). */
export function openCurrentRun(plan: PlanFile, planDir: string, options: { readonly state?: string; readonly cwd: string }): OpenedRun {
  const root = options.state !== undefined ? resolvePath(options.cwd, options.state) : join(planDir, ".upgradec");
  const paths = statePaths(root);
  const id = readCurrent(paths);
  if (id === null) return { kind: "none", root };
  try {
    const read = readJournal(paths.run(id).journal);
    if (read.corruptLine !== null) return { kind: "unreadable", id, reason: `its journal is corrupt at line ${read.corruptLine}` };
    const state = replay(read.records);
    if (state.fingerprint !== null && (state.fingerprint !== plan.fingerprint || state.digest !== plan.digest)) {
      return { kind: "unreadable", id, reason: "it was started from another plan file (its fingerprint differs)" };
    }
    return { kind: "run", id, state };
  } catch (error) {
    return { kind: "unreadable", id, reason: `its journal cannot be read: ${error instanceof Error ? error.message : String(error)}` };
  }
}
