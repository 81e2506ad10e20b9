/** The store contract against a real PostgreSQL 15 (pg-cluster.ts), and what only a database store does. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PgStore } from "../../../src/runtime/store/pg-store.js";
import type { StateStore } from "../../../src/runtime/store/state-store.js";
import { describeStoreContract } from "./store-contract.js";
import { type PgCluster, requirePostgres, startCluster } from "./pg-cluster.js";

const enabled = requirePostgres();

function openPg(url: string, plan: string, leaseSeconds = 30): Promise<PgStore> {
  return PgStore.open({ url, planName: plan, now: () => Date.now(), leaseSeconds, localRoot: "/tmp/upgradec-test-attempts", say: () => undefined });
}

describe.runIf(enabled)("PostgreSQL state store", () => {
  let cluster: PgCluster;
  let db = 0;
  beforeAll(async () => {
    cluster = await startCluster();
  }, 60_000);
  afterAll(async () => {
    await cluster.destroy();
  });
  const freshDb = (): string => {
    const name = `store${++db}`;
    cluster.createDatabase(name);
    return cluster.url(name);
  };

  describeStoreContract("postgres", () => {
    const url = freshDb();
    return { open: (plan) => openPg(url, plan) };
  });

  it("creates its schema once, and two stores opening at once agree on it", async () => {
    const url = freshDb();
    const stores = await Promise.all([openPg(url, "a"), openPg(url, "b"), openPg(url, "c")]);
    for (const s of stores) await s.close();
  });

  it("lets another take the lock when the holder's lease runs out; the old holder can no longer write", async () => {
    const url = freshDb();
    const a: StateStore = await openPg(url, "lease", 1);
    const b: StateStore = await openPg(url, "lease", 1);
    try {
      const first = await a.lock({ user: "rey", fingerprint: "f", command: "run", now: Date.now() });
      if (!first.ok) throw new Error(first.reason);
      const journal = await a.openJournal("20261205T000000Z-aaaaaa", null, (t) => t);
      journal.record({ type: "run-started", plan: "lease", fingerprint: "f", digest: "d" });
      await journal.mark();
      // The holder stops renewing (as a killed runner does): its heartbeat is stopped by hand.
      (a as unknown as { stopHeartbeat(): void }).stopHeartbeat();
      expect((await b.lock({ user: "finn", fingerprint: "f", command: "run", now: Date.now() })).ok).toBe(false);
      await new Promise((r) => setTimeout(r, 1500));
      expect((await b.holder()).gone).toBe(true);
      const second = await b.lock({ user: "finn", fingerprint: "f", command: "run", now: Date.now() });
      expect(second.ok).toBe(true);
      if (!second.ok) return;
      expect(second.tookOver?.holder?.user).toBe("rey");
      // The fencing epoch: the old holder's next write is refused, and it learns it lost the lease.
      journal.record({ type: "step-started", step: "x", attempt: 1 });
      await expect(journal.commit()).rejects.toThrow(/taken over by finn@/);
      expect(first.lost.aborted).toBe(true);
      const read = await b.readJournal("20261205T000000Z-aaaaaa");
      expect(read.records.map((r) => r.type)).toEqual(["run-started"]);
      await second.release();
    } finally {
      await a.close();
      await b.close();
    }
  });
});
