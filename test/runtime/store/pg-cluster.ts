/**
 * A throwaway PostgreSQL 15 cluster for tests (Debian's `postgresql` package): initdb in a
 * temporary directory, listening on 127.0.0.1 only, on a free port, trust authentication
 * (nothing else can reach it), stopped by the postmaster's pid. As root, the server runs as
 * the `postgres` user (PostgreSQL refuses to run as root).
 *
 * Without the binaries, tests that need it are skipped, except when CI=true: then they fail.
 */
import { execFileSync, spawn } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const PG_BIN = process.env["UPGRADEC_PG_BIN"] ?? "/usr/lib/postgresql/15/bin";

export function postgresAvailable(): boolean {
  return existsSync(join(PG_BIN, "postgres")) && existsSync(join(PG_BIN, "initdb"));
}

/** Whether the PostgreSQL tests run: they do when the binaries are there; under CI they must. */
export function requirePostgres(): boolean {
  if (postgresAvailable()) return true;
  if (process.env["CI"] === "true") throw new Error(`PostgreSQL 15 is not installed (${PG_BIN}): CI needs Debian's postgresql package (.ci/run installs it)`);
  return false;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function uidOf(user: string): { uid: number; gid: number } | null {
  try {
    const uid = Number(execFileSync("id", ["-u", user], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", user], { encoding: "utf8" }).trim());
    return { uid, gid };
  } catch {
    return null;
  }
}

export interface PgCluster {
  readonly port: number;
  /** postgres://upgradec@127.0.0.1:PORT/DB */
  url(db: string): string;
  createDatabase(db: string): void;
  /** Stops the server (fast shutdown, by its pid) and starts it again on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it and removes its files. */
  destroy(): Promise<void>;
}

/** `fsync`: make commits durable as a production server does (the benchmark); tests leave it off. */
export async function startCluster(options: { readonly fsync?: boolean } = {}): Promise<PgCluster> {
  const dir = mkdtempSync(join(tmpdir(), "upgradec-pg-"));
  const data = join(dir, "data");
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? uidOf("postgres") : null;
  if (asRoot && owner === null) throw new Error("running as root, and there is no postgres user to run PostgreSQL as");
  if (owner !== null) chownSync(dir, owner.uid, owner.gid);
  const opts = owner !== null ? { uid: owner.uid, gid: owner.gid } : {};
  execFileSync(join(PG_BIN, "initdb"), ["-D", data, "-U", "upgradec", "--auth=trust", "-E", "UTF8", "--no-sync"], { ...opts, stdio: "ignore", cwd: dir });
  const port = await freePort();
  writeFileSync(join(data, "postgresql.auto.conf"), `listen_addresses = '127.0.0.1'\nport = ${port}\nunix_socket_directories = '${dir}'\nfsync = ${options.fsync === true ? "on" : "off"}\n`);
  const log = join(dir, "server.log");

  const pidOf = (): number | null => {
    try {
      const pid = Number(readFileSync(join(data, "postmaster.pid"), "utf8").split("\n")[0]);
      return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
    } catch {
      return null;
    }
  };
  const psql = (sql: string): void => {
    execFileSync(join(PG_BIN, "psql"), ["-h", "127.0.0.1", "-p", String(port), "-U", "upgradec", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-q", "-c", sql], { stdio: "ignore" });
  };
  const ready = async (): Promise<void> => {
    for (let i = 0; i < 200; i++) {
      try {
        execFileSync(join(PG_BIN, "pg_isready"), ["-h", "127.0.0.1", "-p", String(port)], { stdio: "ignore" });
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    throw new Error(`PostgreSQL did not start: ${readFileSync(log, "utf8").slice(-2000)}`);
  };
  const start = async (): Promise<void> => {
    const child = spawn(join(PG_BIN, "postgres"), ["-D", data], { ...opts, stdio: ["ignore", "ignore", "ignore"], detached: true, cwd: dir, env: { ...process.env, PGDATA: data } });
    child.unref();
    await ready();
  };
  const stop = async (): Promise<void> => {
    const pid = pidOf();
    if (pid === null) return;
    try {
      process.kill(pid, "SIGINT");
    } catch {
      return;
    }
    for (let i = 0; i < 400; i++) {
      try {
        process.kill(pid, 0);
      } catch {
        return;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    process.kill(pid, "SIGKILL");
  };
  await start();
  return {
    port,
    url: (db) => `postgres://upgradec@127.0.0.1:${port}/${db}`,
    createDatabase: (db) => psql(`CREATE DATABASE "${db}"`),
    stop,
    start,
    destroy: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
