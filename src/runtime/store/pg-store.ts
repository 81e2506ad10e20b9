/**
 * The state in PostgreSQL: several operators and deployment hosts share one plan's state, a
 * standby runner takes over from a lost one, and `status` answers from any machine with the
 * URL (docs/state.md).
 *
 * Lock and lease, per plan name: the lock row holds its holder (user, host, pid, since), the
 * lease's end on the database's clock (so hosts' clocks do not matter), and a fencing epoch,
 * one more at every acquisition. The holder renews the lease by heartbeat; a lock whose
 * lease ran out may be taken by another runner, which raises the epoch. Every journal write
 * checks, in its own transaction, that the lock row still names this holder and epoch: a
 * runner whose lease was taken over can no longer write, even if it comes back.
 *
 * The database going away (a restart, a failover) is waited out: writes are retried until
 * they succeed or the lease turns out to be lost; nothing is dropped meanwhile.
 */
import { createHash } from "node:crypto";
import { homedir } from "node:os";
import { join } from "node:path";
import type { Pool, PoolClient } from "pg";
import { checkJournal, chainRecord, type JournalRead, type JournalRecord, type JournalRecordInput } from "../journal.js";
import { isStale, type LockInfo, parseLock, thisProcessLock } from "../lock.js";
import { replay } from "../run-state.js";
import { AttemptRegistry } from "../survivors.js";
import { MIGRATION_LOCK, MIGRATIONS, SCHEMA_TABLE, SCHEMA_VERSION } from "./pg-schema.js";
import type { HolderView, JournalAppender, LockRequest, RunCopy, StateStore, StoreLock, StoreRun } from "./state-store.js";

export interface PgStoreOptions {
  /** The connection URL as given (a password in it is refused before this). */
  readonly url: string;
  readonly planName: string;
  readonly now: () => number;
  /** Seconds a lease lasts without renewal (UPGRADEC_LEASE; default 30). */
  readonly leaseSeconds: number;
  /** Where this host keeps its registry of running commands. */
  readonly localRoot: string;
  /** Says what the store waits for (the database unreachable). */
  readonly say: (text: string) => void;
}

/** The lease this store holds, checked on every write. */
interface Held {
  readonly id: string;
  readonly epoch: string;
  readonly lost: AbortController;
  lostTo: LockInfo | null;
}

/** Thrown by a write after the lease was taken over: the runner must stop. */
export class LeaseLostError extends Error {
  constructor(readonly holder: LockInfo | null) {
    super(`the lease on this plan's state was taken over${holder ? ` by ${holder.user}@${holder.host} (pid ${holder.pid})` : ""}: this runner can no longer write`);
  }
}

/** The URL as messages show it: without a password, should one be there. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    u.password = "";
    return u.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, "//…@");
  }
}

/** A connection failure (server restarting, network) rather than an error in what was asked. */
export function isConnectionError(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === "string" ? e.code : "";
  if (["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN"].includes(code)) return true;
  if (/^(08|57P)/.test(code)) return true;
  const message = typeof e?.message === "string" ? e.message : "";
  return /Connection terminated|connection error|Client was closed|terminating connection|timeout exceeded when trying to connect/i.test(message);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class PgStore implements StateStore {
  readonly kind = "postgres";
  private held: Held | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private closed = false;

  private constructor(
    private readonly pool: Pool,
    private readonly options: PgStoreOptions,
  ) {}

  /** Connects, creates or migrates the schema, and returns the store; a failure is a message. */
  static async open(options: PgStoreOptions): Promise<PgStore> {
    const { default: pg } = await import("pg");
    const pool = new pg.Pool({ connectionString: options.url, max: 4, connectionTimeoutMillis: 5000, application_name: "upgradec" });
    // A connection dropped by a server restart (idle, or in use: then its query fails too and
    // is retried): the next query reconnects.
    pool.on("error", () => undefined);
    pool.on("connect", (client) => client.on("error", () => undefined));
    const store = new PgStore(pool, options);
    try {
      await store.retry(() => store.migrate(), 15_000);
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
    return store;
  }

  get where(): string {
    return displayUrl(this.options.url);
  }

  now(): number {
    return this.options.now();
  }

  get lockWhere(): string {
    return `the upgradec_plans row of plan ${JSON.stringify(this.options.planName)} in ${this.where}`;
  }

  /** Runs `fn` again while the database cannot be reached, for at most `limitMs`. */
  private async retry<T>(fn: () => Promise<T>, limitMs: number): Promise<T> {
    const start = Date.now();
    let said = false;
    for (let wait = 100; ; wait = Math.min(wait * 2, 2000)) {
      try {
        const value = await fn();
        if (said) this.options.say(`the state database is back (after ${((Date.now() - start) / 1000).toFixed(1)}s)\n`);
        return value;
      } catch (error) {
        if (!isConnectionError(error) || this.closed || Date.now() - start > limitMs) throw error;
        if (!said) this.options.say(`the state database ${this.where} cannot be reached (${(error as Error).message}): waiting for it; nothing new starts meanwhile\n`);
        said = true;
        await sleep(wait);
      }
    }
  }

  private async tx<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      const value = await fn(client);
      await client.query("COMMIT");
      client.release();
      return value;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      // A broken connection is not given back to the pool.
      client.release(isConnectionError(error) ? (error as Error) : undefined);
      throw error;
    }
  }

  private async migrate(): Promise<void> {
    await this.tx(async (c) => {
      await c.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
      await c.query(SCHEMA_TABLE);
      const row = (await c.query<{ version: number }>("SELECT version FROM upgradec_schema")).rows[0];
      const version = row?.version ?? 0;
      if (version > SCHEMA_VERSION) throw new Error(`the state database has schema version ${version}, newer than this upgradec knows (${SCHEMA_VERSION}): use a newer upgradec`);
      for (let v = version; v < SCHEMA_VERSION; v++) await c.query(MIGRATIONS[v] ?? "");
      if (row === undefined) await c.query("INSERT INTO upgradec_schema (version) VALUES ($1)", [SCHEMA_VERSION]);
      else if (version < SCHEMA_VERSION) await c.query("UPDATE upgradec_schema SET version = $1", [SCHEMA_VERSION]);
    });
  }

  async lock(request: LockRequest): Promise<StoreLock> {
    const info = thisProcessLock(request);
    const plan = this.options.planName;
    const result = await this.retry(
      () =>
        this.tx(async (c) => {
          await c.query("INSERT INTO upgradec_plans (plan) VALUES ($1) ON CONFLICT DO NOTHING", [plan]);
          const row = (await c.query<{ lock_id: string | null; holder: unknown; expired: boolean | null }>("SELECT lock_id, holder, lease_until < now() AS expired FROM upgradec_plans WHERE plan = $1 FOR UPDATE", [plan])).rows[0];
          const holder = row?.holder ? parseLock(JSON.stringify(row.holder)) : null;
          let tookOver: StoreLockTaken = null;
          if (row?.lock_id) {
            const forced = request.forceUnlock !== undefined && request.forceUnlock === row.lock_id;
            const gone = row.expired === true || (holder !== null && isStale(holder));
            if (!forced && !gone) {
              const reason = request.forceUnlock !== undefined ? `--force-unlock ${request.forceUnlock} does not name this lock (its id is ${row.lock_id})` : "another run holds the lock (its lease is being renewed)";
              return { ok: false as const, holder, reason, damagedId: null };
            }
            tookOver = { holder, forced };
          }
          const epoch = (await c.query<{ epoch: string }>(
            `UPDATE upgradec_plans SET lock_id = $2, holder = $3, lease_until = now() + make_interval(secs => $4), epoch = epoch + 1 WHERE plan = $1 RETURNING epoch::text`,
            [plan, info.id, JSON.stringify(info), this.options.leaseSeconds],
          )).rows[0]?.epoch;
          return { ok: true as const, epoch: epoch ?? "0", tookOver };
        }),
      15_000,
    );
    if (!result.ok) return result;
    const held: Held = { id: info.id, epoch: result.epoch, lost: new AbortController(), lostTo: null };
    this.held = held;
    this.startHeartbeat(held);
    return { ok: true, lock: info, tookOver: result.tookOver, lost: held.lost.signal, release: () => this.release(held) };
  }

  /** Renews the lease every third of its length; a renewal that finds the lock taken over marks it lost. */
  private startHeartbeat(held: Held): void {
    const every = Math.max(200, (this.options.leaseSeconds * 1000) / 3);
    let busy = false;
    this.heartbeat = setInterval(() => {
      if (busy || held.lost.signal.aborted) return;
      busy = true;
      this.retry(() => this.tx((c) => this.fence(c, held)), Number.POSITIVE_INFINITY)
        .catch(() => undefined)
        .finally(() => (busy = false));
    }, every);
    this.heartbeat.unref();
  }

  /**
   * Inside a write's transaction: the lock row still names this holder and epoch (then the
   * lease is renewed), or the lease is lost and the write must not happen.
   */
  private async fence(c: PoolClient, held: Held): Promise<void> {
    if (held.lost.signal.aborted) throw new LeaseLostError(held.lostTo);
    const renewed = await c.query(
      "UPDATE upgradec_plans SET lease_until = now() + make_interval(secs => $4) WHERE plan = $1 AND lock_id = $2 AND epoch = $3::bigint",
      [this.options.planName, held.id, held.epoch, this.options.leaseSeconds],
    );
    if (renewed.rowCount === 1) return;
    const row = (await c.query<{ holder: unknown }>("SELECT holder FROM upgradec_plans WHERE plan = $1", [this.options.planName])).rows[0];
    held.lostTo = row?.holder ? parseLock(JSON.stringify(row.holder)) : null;
    held.lost.abort(new LeaseLostError(held.lostTo));
    throw new LeaseLostError(held.lostTo);
  }

  private async release(held: Held): Promise<void> {
    this.stopHeartbeat();
    if (this.held === held) this.held = null;
    if (held.lost.signal.aborted) return;
    await this.retry(
      () => this.pool.query("UPDATE upgradec_plans SET lock_id = NULL, holder = NULL, lease_until = NULL WHERE plan = $1 AND lock_id = $2 AND epoch = $3::bigint", [this.options.planName, held.id, held.epoch]),
      15_000,
    ).catch(() => undefined);
  }

  private stopHeartbeat(): void {
    if (this.heartbeat !== null) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  async holder(): Promise<HolderView> {
    const row = (await this.retry(() => this.pool.query<{ holder: unknown; expired: boolean | null }>("SELECT holder, lease_until < now() AS expired FROM upgradec_plans WHERE plan = $1", [this.options.planName]), 15_000)).rows[0];
    const holder = row?.holder ? parseLock(JSON.stringify(row.holder)) : null;
    return { holder, gone: holder !== null && (row?.expired === true || isStale(holder)) };
  }

  async currentRun(): Promise<StoreRun> {
    const row = (await this.retry(() => this.pool.query<{ current_run: string | null }>("SELECT current_run FROM upgradec_plans WHERE plan = $1", [this.options.planName]), 15_000)).rows[0];
    const runId = row?.current_run ?? null;
    if (runId === null) return { kind: "none" };
    const read = await this.readJournal(runId);
    const known = read.records.length > 0 ? replay(read.records) : null;
    const file = `the journal of run ${runId} in ${this.where}`;
    if (read.damage !== null) return { kind: "damaged", file: read.damage.file === "mark" ? `the mark of run ${runId} in ${this.where}` : file, line: read.damage.line, reason: read.damage.reason, runId, known };
    const owner = read.records[0]?.plan;
    if (owner !== this.options.planName) {
      return { kind: "damaged", file: this.lockWhere, line: null, reason: `it names run ${runId}, a run of plan ${JSON.stringify(owner ?? "?")}, not of ${JSON.stringify(this.options.planName)}`, runId, known };
    }
    return { kind: "run", runId, read, state: replay(read.records) };
  }

  async setCurrent(runId: string): Promise<void> {
    const held = this.mustHold();
    await this.retry(
      () =>
        this.tx(async (c) => {
          await this.fence(c, held);
          await c.query("UPDATE upgradec_plans SET current_run = $2 WHERE plan = $1", [this.options.planName, runId]);
        }),
      Number.POSITIVE_INFINITY,
    );
  }

  private mustHold(): Held {
    if (this.held === null) throw new Error("the state database is written only under its lock");
    return this.held;
  }

  async readJournal(runId: string): Promise<JournalRead> {
    const [lines, mark] = await this.retry(
      async () =>
        [
          (await this.pool.query<{ line: string }>("SELECT line FROM upgradec_journal WHERE run_id = $1 ORDER BY seq", [runId])).rows,
          (await this.pool.query<{ mark: string }>("SELECT mark FROM upgradec_marks WHERE run_id = $1", [runId])).rows[0]?.mark ?? null,
        ] as const,
      15_000,
    );
    if (lines.length === 0) return { records: [], tornTail: false, chained: false, damage: { file: "journal", line: null, reason: "the journal is missing" } };
    return checkJournal(lines.map((l) => l.line).join("\n") + "\n", mark, runId);
  }

  async openJournal(runId: string, existing: JournalRead | null, redact: (text: string) => string): Promise<JournalAppender> {
    const held = this.mustHold();
    return Promise.resolve(new PgJournal(this, held, runId, existing, redact));
  }

  /** One fenced write of records, logs and (optionally) the mark, retried while the database is away. */
  async write(held: Held, runId: string, records: readonly JournalRecord[], logs: readonly { step: string; chunk: string }[], mark: string | null): Promise<void> {
    await this.retry(
      () =>
        this.tx(async (c) => {
          await this.fence(c, held);
          if (records.length > 0) {
            // A retry after a commit whose answer was lost finds its records there: the same lines.
            await c.query(
              `INSERT INTO upgradec_journal (run_id, seq, plan, line, epoch) SELECT $1, s, $2, l, $3::bigint FROM unnest($4::int[], $5::text[]) AS t(s, l) ON CONFLICT (run_id, seq) DO NOTHING`,
              [runId, this.options.planName, held.epoch, records.map((r) => r.seq), records.map((r) => JSON.stringify(r))],
            );
            const last = records[records.length - 1];
            const stored = (await c.query<{ line: string }>("SELECT line FROM upgradec_journal WHERE run_id = $1 AND seq = $2", [runId, last?.seq])).rows[0]?.line;
            if (stored !== JSON.stringify(last)) throw new Error(`record ${last?.seq ?? "?"} of run ${runId} is already in the database with other content: another runner wrote this run`);
          }
          if (logs.length > 0) {
            await c.query("INSERT INTO upgradec_logs (run_id, step, chunk) SELECT $1, s, k FROM unnest($2::text[], $3::text[]) AS t(s, k)", [runId, logs.map((l) => l.step), logs.map((l) => l.chunk)]);
          }
          if (mark !== null) await c.query("INSERT INTO upgradec_marks (run_id, mark) VALUES ($1, $2) ON CONFLICT (run_id) DO UPDATE SET mark = EXCLUDED.mark", [runId, mark]);
        }),
      Number.POSITIVE_INFINITY,
    );
  }

  async logTail(runId: string, stepId: string, lines: number): Promise<{ readonly where: string; readonly lines: readonly string[] }> {
    const rows = (await this.retry(() => this.pool.query<{ chunk: string }>("SELECT chunk FROM upgradec_logs WHERE run_id = $1 AND step = $2 ORDER BY id", [runId, stepId]), 15_000)).rows;
    const all = rows.map((r) => r.chunk).join("").split("\n");
    if (all[all.length - 1] === "") all.pop();
    return { where: `the log of ${stepId} (run ${runId}) in ${this.where}: upgradec state pull`, lines: all.slice(-lines) };
  }

  attempts(): AttemptRegistry {
    return new AttemptRegistry(this.options.localRoot);
  }

  async exportRun(runId: string): Promise<RunCopy> {
    const read = await this.readJournal(runId);
    const rows = (await this.retry(() => this.pool.query<{ step: string; text: string }>("SELECT step, string_agg(chunk, '' ORDER BY id) AS text FROM upgradec_logs WHERE run_id = $1 GROUP BY step", [runId]), 15_000)).rows;
    return { runId, records: read.records, logs: rows };
  }

  async importRun(copy: RunCopy): Promise<void> {
    const held = this.mustHold();
    const last = copy.records[copy.records.length - 1];
    const mark = last !== undefined ? JSON.stringify({ seq: last.seq, sum: last.sum }) + "\n" : null;
    await this.write(held, copy.runId, copy.records, copy.logs.map((l) => ({ step: l.step, chunk: l.text })), mark);
    await this.setCurrent(copy.runId);
  }

  async close(): Promise<void> {
    this.stopHeartbeat();
    this.closed = true;
    await this.pool.end().catch(() => undefined);
  }
}

type StoreLockTaken = { readonly holder: LockInfo | null; readonly forced: boolean } | null;

/** A run's journal in the database: records and logs buffered, written together at each commit (group commit). */
class PgJournal implements JournalAppender {
  private records: JournalRecord[] = [];
  private logs: { step: string; chunk: string }[] = [];
  private seq: number;
  private lastSum: string;
  /** The write in progress; the next commit waits for it, then writes what gathered meanwhile. */
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: PgStore,
    private readonly held: Held,
    private readonly runId: string,
    existing: JournalRead | null,
    private readonly redact: (text: string) => string,
  ) {
    const last = existing?.records[existing.records.length - 1];
    this.seq = last?.seq ?? 0;
    this.lastSum = last?.sum ?? "";
  }

  record(input: JournalRecordInput): JournalRecord {
    this.seq += 1;
    const record = chainRecord(input, { seq: this.seq, time: new Date(this.now()).toISOString(), run: this.runId, prev: this.lastSum }, this.redact);
    this.lastSum = record.sum;
    this.records.push(record);
    return record;
  }

  private now(): number {
    return this.store.now();
  }

  commit(): Promise<void> {
    return this.flush(false);
  }

  mark(): Promise<void> {
    return this.flush(true);
  }

  private flush(withMark: boolean): Promise<void> {
    const next = this.writing.then(() => {
      const records = this.records;
      const logs = this.logs;
      this.records = [];
      this.logs = [];
      const mark = withMark && this.seq > 0 ? JSON.stringify({ seq: this.seq, sum: this.lastSum }) + "\n" : null;
      if (records.length === 0 && logs.length === 0 && mark === null) return;
      return this.store.write(this.held, this.runId, records, logs, mark);
    });
    // A failed write fails its callers; the next one still tries.
    this.writing = next.catch(() => undefined);
    return next;
  }

  log(stepId: string, text: string): void {
    this.logs.push({ step: stepId, chunk: text });
  }

  close(): Promise<void> {
    return this.mark();
  }
}

/** This host's registry of running commands for a plan kept in `url`: local, as the processes are. */
export function localRootFor(url: string, planName: string, env: Readonly<Record<string, string | undefined>>): string {
  const base = env["UPGRADEC_LOCAL_STATE"] ?? join(env["XDG_STATE_HOME"] ?? join(homedir(), ".local", "state"), "upgradec");
  return join(base, "pg-" + createHash("sha256").update(displayUrl(url) + "\n" + planName).digest("hex").slice(0, 16));
}
