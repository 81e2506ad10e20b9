/**
 * The tables a PostgreSQL state store keeps, created and migrated by upgradec itself: each
 * migration is applied once, in order, under an advisory lock (two runners starting at once
 * do not both migrate), and the version it reached is recorded. A database whose version is
 * newer than this upgradec knows is refused rather than written with an older layout.
 *
 *   upgradec_schema    the version (one row)
 *   upgradec_plans     per plan name: its current run, and its lock: the holder (user, host,
 *                      pid, since, ...), the lease's end (the database's clock), and the
 *                      fencing epoch (one more at every acquisition)
 *   upgradec_journal   the runs' records, one row per record: the exact JSON line the
 *                      directory's journal would hold (its checksum and hash chain kept), and
 *                      the epoch of the lock it was written under
 *   upgradec_marks     how far each run's journal went at a session's start and end
 *   upgradec_logs      the steps' output, in chunks
 */
export const SCHEMA_VERSION = 1;

/** MIGRATIONS[n] takes a database from version n to n + 1. */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE upgradec_plans (
     plan text PRIMARY KEY,
     current_run text,
     lock_id text,
     holder jsonb,
     lease_until timestamptz,
     epoch bigint NOT NULL DEFAULT 0
   );
   CREATE TABLE upgradec_journal (
     run_id text NOT NULL,
     seq integer NOT NULL,
     plan text NOT NULL,
     line text NOT NULL,
     epoch bigint NOT NULL,
     written timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (run_id, seq)
   );
   CREATE TABLE upgradec_marks (run_id text PRIMARY KEY, mark text NOT NULL);
   CREATE TABLE upgradec_logs (id bigserial PRIMARY KEY, run_id text NOT NULL, step text NOT NULL, chunk text NOT NULL);
   CREATE INDEX upgradec_logs_step ON upgradec_logs (run_id, step, id);`,
];

export const SCHEMA_TABLE = `CREATE TABLE IF NOT EXISTS upgradec_schema (one boolean PRIMARY KEY DEFAULT true CHECK (one), version integer NOT NULL)`;

/** The advisory lock key the migrations are applied under (any constant; "upgr" in ASCII). */
export const MIGRATION_LOCK = 0x75706772;
