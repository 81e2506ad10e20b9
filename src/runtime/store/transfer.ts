/**
 * `upgradec state push` and `pull`: a plan's current run moved from one store to another
 * (a directory and a database), verbatim, under both stores' locks, so nobody runs the plan
 * on either side meanwhile. The copy keeps its records' checksums and hash chain and is read
 * back and checked before it is named current.
 */
import type { LockInfo } from "../lock.js";
import type { StateStore } from "./state-store.js";

export type TransferResult =
  | { readonly kind: "copied"; readonly runId: string; readonly records: number; readonly logs: number }
  | { readonly kind: "no-run" }
  | { readonly kind: "damaged"; readonly where: string; readonly reason: string }
  | { readonly kind: "locked"; readonly store: string; readonly holder: LockInfo | null; readonly reason: string }
  /** The target's current run is another one, not finished: copying over it would lose it. */
  | { readonly kind: "target-busy"; readonly runId: string; readonly phase: string };

export async function transferRun(from: StateStore, to: StateStore, user: string, now: number): Promise<TransferResult> {
  const request = { user, fingerprint: "", command: "state", now };
  const fromLock = await from.lock(request);
  if (!fromLock.ok) return { kind: "locked", store: from.where, holder: fromLock.holder, reason: fromLock.reason };
  try {
    const toLock = await to.lock(request);
    if (!toLock.ok) return { kind: "locked", store: to.where, holder: toLock.holder, reason: toLock.reason };
    try {
      const source = await from.currentRun();
      if (source.kind === "none") return { kind: "no-run" };
      if (source.kind === "damaged") return { kind: "damaged", where: source.file, reason: source.reason };
      const target = await to.currentRun();
      if (target.kind === "run" && target.runId !== source.runId && !["finished", "rolled-back"].includes(target.state.phase)) {
        return { kind: "target-busy", runId: target.runId, phase: target.state.phase };
      }
      const copy = await from.exportRun(source.runId);
      await to.importRun(copy);
      const back = await to.currentRun();
      if (back.kind !== "run" || back.runId !== source.runId || back.read.records.length !== copy.records.length) {
        return { kind: "damaged", where: to.where, reason: back.kind === "damaged" ? back.reason : "the copy does not read back as written" };
      }
      return { kind: "copied", runId: source.runId, records: copy.records.length, logs: copy.logs.length };
    } finally {
      await toLock.release();
    }
  } finally {
    await fromLock.release();
  }
}
