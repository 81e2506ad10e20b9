/**
 * What every state store must do, as one suite: each store's test file calls
 * `describeStoreContract` with a way to open that store (a new instance on the same shared
 * state each time, as a second runner or operator would).
 */
import { hostname } from "node:os";
import { afterEach, describe, expect, it } from "vitest";
import { recordChecksum, type JournalRecord } from "../../../src/runtime/journal.js";
import type { StateStore } from "../../../src/runtime/store/state-store.js";

export interface StoreFixture {
  /** Opens the store of `planName` on the shared state. */
  open(planName: string): Promise<StateStore>;
}

const same = (t: string): string => t;

function checkChain(records: readonly JournalRecord[]): void {
  let prev = "";
  records.forEach((r, i) => {
    expect(r.seq).toBe(i + 1);
    expect(r.prev).toBe(prev);
    const { sum, ...rest } = r;
    expect(recordChecksum(rest)).toBe(sum);
    prev = sum;
  });
}

/** Runs `fn` holding the store's lock (a database is written only under it). */
async function locked<T>(store: StateStore, fn: () => Promise<T>): Promise<T> {
  const lock = await store.lock({ user: "rey", fingerprint: "f", command: "run", now: Date.now() });
  if (!lock.ok) throw new Error(`no lock: ${lock.reason}`);
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}

async function startRun(store: StateStore, runId: string, plan: string): Promise<void> {
  const journal = await store.openJournal(runId, null, same);
  journal.record({ type: "run-started", plan, fingerprint: "f", digest: "d" });
  await journal.mark();
  await store.setCurrent(runId);
  journal.record({ type: "step-started", step: "a", attempt: 1 });
  await journal.commit();
  journal.record({ type: "step-succeeded", step: "a", attempt: 1 });
  await journal.close();
}

export function describeStoreContract(name: string, fixture: () => StoreFixture): void {
  describe(`state store contract: ${name}`, () => {
    const opened: StateStore[] = [];
    let shared: StoreFixture | null = null;
    const open = async (plan: string): Promise<StateStore> => {
      shared ??= fixture();
      const store = await shared.open(plan);
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close();
    });

    it("has no run before the first", async () => {
      const store = await open("p-none");
      expect((await store.currentRun()).kind).toBe("none");
      expect((await store.holder()).holder).toBeNull();
    });

    it("gives the lock to one holder and names it to the next, until released", async () => {
      const a = await open("p-lock");
      const b = await open("p-lock");
      const first = await a.lock({ user: "rey", fingerprint: "f", command: "run", now: Date.now() });
      expect(first.ok).toBe(true);
      const second = await b.lock({ user: "finn", fingerprint: "f", command: "run", now: Date.now() });
      expect(second.ok).toBe(false);
      if (second.ok || !first.ok) return;
      expect(second.holder).toMatchObject({ user: "rey", host: hostname(), pid: process.pid, command: "run" });
      expect((await b.holder()).holder?.id).toBe(first.lock.id);
      await first.release();
      expect((await b.holder()).holder).toBeNull();
      const third = await b.lock({ user: "finn", fingerprint: "f", command: "resume", now: Date.now() });
      expect(third.ok).toBe(true);
      if (third.ok) await third.release();
    });

    it("removes a lock by its id with --force-unlock, and says whose it was", async () => {
      const a = await open("p-force");
      const b = await open("p-force");
      const first = await a.lock({ user: "rey", fingerprint: "f", command: "run", now: Date.now() });
      if (!first.ok) throw new Error("no lock");
      const wrong = await b.lock({ user: "finn", fingerprint: "f", command: "run", now: Date.now(), forceUnlock: "not-it" });
      expect(wrong.ok).toBe(false);
      const forced = await b.lock({ user: "finn", fingerprint: "f", command: "run", now: Date.now(), forceUnlock: first.lock.id });
      expect(forced.ok).toBe(true);
      if (!forced.ok) return;
      expect(forced.tookOver).toMatchObject({ forced: true, holder: { id: first.lock.id, user: "rey" } });
      // The old holder's release does not remove the new lock.
      await first.release();
      expect((await b.holder()).holder?.id).toBe(forced.lock.id);
      await forced.release();
    });

    it("keeps a run's journal as a hash chain that another instance reads back", async () => {
      const store = await open("p-journal");
      await locked(store, () => startRun(store, "20261205T000000Z-aaaaaa", "p-journal"));
      const other = await open("p-journal");
      const current = await other.currentRun();
      expect(current.kind).toBe("run");
      if (current.kind !== "run") return;
      expect(current.runId).toBe("20261205T000000Z-aaaaaa");
      expect(current.read.records.map((r) => r.type)).toEqual(["run-started", "step-started", "step-succeeded"]);
      checkChain(current.read.records);
      expect(current.state.steps.get("a")?.status).toBe("succeeded");
    });

    it("goes on with a journal after the records read back, one chain", async () => {
      const store = await open("p-resume");
      await locked(store, () => startRun(store, "20261205T000000Z-bbbbbb", "p-resume"));
      await locked(store, async () => {
        const read = await store.readJournal("20261205T000000Z-bbbbbb");
        const journal = await store.openJournal("20261205T000000Z-bbbbbb", read, same);
        journal.record({ type: "run-resumed" });
        journal.record({ type: "run-finished", outcome: "succeeded", message: "s3cret here" });
        await journal.close();
      });
      const again = await (await open("p-resume")).readJournal("20261205T000000Z-bbbbbb");
      expect(again.damage).toBeNull();
      expect(again.records.map((r) => r.type)).toEqual(["run-started", "step-started", "step-succeeded", "run-resumed", "run-finished"]);
      checkChain(again.records);
    });

    it("redacts messages with the function it is given", async () => {
      const store = await open("p-redact");
      await locked(store, async () => {
        const journal = await store.openJournal("20261205T000000Z-cccccc", null, (t) => t.replaceAll("s3cret", "***"));
        journal.record({ type: "run-started", plan: "p-redact", fingerprint: "f", digest: "d", message: "pw s3cret" });
        await journal.close();
      });
      const read = await store.readJournal("20261205T000000Z-cccccc");
      expect(read.records[0]?.message).toBe("pw ***");
    });

    it("commits a group of records at once, all of them durable", async () => {
      const store = await open("p-group");
      await locked(store, async () => {
        const journal = await store.openJournal("20261205T000000Z-dddddd", null, same);
        journal.record({ type: "run-started", plan: "p-group", fingerprint: "f", digest: "d" });
        await journal.mark();
        for (let i = 0; i < 50; i++) journal.record({ type: "step-started", step: `s${i}`, attempt: 1 });
        const first = journal.commit();
        journal.record({ type: "step-started", step: "late", attempt: 1 });
        await Promise.all([first, journal.commit()]);
        const read = await (await open("p-group")).readJournal("20261205T000000Z-dddddd");
        expect(read.records).toHaveLength(52);
        await journal.close();
      });
    });

    it("keeps step logs and shows their tail", async () => {
      const store = await open("p-logs");
      await locked(store, async () => {
        const journal = await store.openJournal("20261205T000000Z-eeeeee", null, same);
        journal.record({ type: "run-started", plan: "p-logs", fingerprint: "f", digest: "d" });
        journal.log("svc/b0/h1/start", "one\ntwo\n");
        journal.log("svc/b0/h1/start", "three\n");
        await journal.close();
      });
      const tail = await store.logTail("20261205T000000Z-eeeeee", "svc/b0/h1/start", 2);
      expect(tail.lines).toEqual(["two", "three"]);
      expect(tail.where).toContain("h1");
    });

    it("keeps two plans apart: each its own lock and current run", async () => {
      const a = await open("p-one");
      const b = await open("p-two");
      const la = await a.lock({ user: "rey", fingerprint: "f1", command: "run", now: Date.now() });
      await startRun(a, "20261205T000000Z-111111", "p-one");
      expect((await b.currentRun()).kind).toBe("none");
      if (a.kind === "postgres") {
        // Per plan: the other plan's lock is free.
        const lb = await b.lock({ user: "finn", fingerprint: "f2", command: "run", now: Date.now() });
        expect(lb.ok).toBe(true);
        if (lb.ok) await lb.release();
      }
      if (la.ok) await la.release();
    });
  });
}
