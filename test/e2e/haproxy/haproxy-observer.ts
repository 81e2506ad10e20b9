/**
 * HAProxy's own view of the backend, sampled on the admin socket (`show stat`) while the
 * test runs. Written apart from the `use haproxy` module's client on purpose: the witness
 * should not share a bug with what it watches.
 */
import { createConnection } from "node:net";
import { setTimeout as delay } from "node:timers/promises";

export interface ServerSample {
  readonly status: string;
  /** Current sessions. */
  readonly scur: number;
}

export interface Sample {
  readonly at: number;
  readonly servers: Readonly<Record<string, ServerSample>>;
}

export function showStat(socket: string, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const connection = createConnection(socket);
    let answer = "";
    connection.setEncoding("utf8");
    connection.setTimeout(timeoutMs, () => connection.destroy(new Error("show stat: no answer")));
    connection.on("connect", () => connection.end("show stat\n"));
    connection.on("data", (chunk: string) => (answer += chunk));
    connection.on("error", reject);
    connection.on("close", (hadError) => {
      if (!hadError) resolve(answer);
    });
  });
}

/** The servers of one backend, from `show stat`'s CSV. */
export function backendServers(csv: string, backend: string): Record<string, ServerSample> {
  const lines = csv.split("\n").filter((line) => line.trim() !== "");
  const header = (lines.shift() ?? "").replace(/^# /, "").split(",");
  const col = (name: string): number => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`show stat has no ${name} column`);
    return i;
  };
  const [px, sv, status, scur] = [col("pxname"), col("svname"), col("status"), col("scur")];
  const servers: Record<string, ServerSample> = {};
  for (const line of lines) {
    const cells = line.split(",");
    const name = cells[sv] ?? "";
    if (cells[px] !== backend || name === "FRONTEND" || name === "BACKEND") continue;
    servers[name] = { status: cells[status] ?? "", scur: Number(cells[scur] ?? "0") };
  }
  return servers;
}

/**
 * In service: HAProxy sends it new requests. "UP" and "UP 1/2" (up, one check failed) are;
 * DRAIN, MAINT, DOWN and "DOWN 1/2" (down, on its way up) are not.
 */
export function inService(sample: ServerSample): boolean {
  return sample.status.startsWith("UP");
}

export interface Observation {
  readonly samples: readonly Sample[];
  /** Samples that could not be taken (socket errors), with why. */
  readonly errors: readonly string[];
}

export interface RunningObserver {
  stop(): Promise<Observation>;
}

export function observe(socket: string, backend: string, everyMs: number): RunningObserver {
  const samples: Sample[] = [];
  const errors: string[] = [];
  let stopping = false;
  const loop = (async () => {
    while (!stopping) {
      const at = Date.now();
      try {
        samples.push({ at, servers: backendServers(await showStat(socket), backend) });
      } catch (error) {
        errors.push(error instanceof Error ? error.message : String(error));
      }
      await delay(Math.max(0, everyMs - (Date.now() - at)));
    }
  })();
  return {
    async stop() {
      stopping = true;
      await loop;
      return { samples, errors };
    },
  };
}

/** The fewest servers in service in any sample. */
export function minInService(observation: Observation): number {
  let min = Infinity;
  for (const sample of observation.samples) min = Math.min(min, Object.values(sample.servers).filter(inService).length);
  return min;
}

/** Each server's statuses in the order they were seen, repeats collapsed: ["UP", "DRAIN", "MAINT", "UP 1/2", "UP"]. */
export function statusHistory(observation: Observation): Record<string, string[]> {
  const history: Record<string, string[]> = {};
  for (const sample of observation.samples) {
    for (const [name, server] of Object.entries(sample.servers)) {
      const seen = (history[name] ??= []);
      if (seen[seen.length - 1] !== server.status) seen.push(server.status);
    }
  }
  return history;
}

/** Per server, the most sessions it still had while HAProxy showed it draining. */
export function sessionsWhileDraining(observation: Observation): Record<string, number> {
  const most: Record<string, number> = {};
  for (const sample of observation.samples) {
    for (const [name, server] of Object.entries(sample.servers)) {
      if (server.status.startsWith("DRAIN")) most[name] = Math.max(most[name] ?? 0, server.scur);
    }
  }
  return most;
}

/** Wait until `predicate` holds for the backend's servers, or fail after timeoutMs. */
export async function waitForServers(socket: string, backend: string, predicate: (servers: Record<string, ServerSample>) => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: Record<string, ServerSample> | string = "no answer yet";
  while (Date.now() < deadline) {
    try {
      last = backendServers(await showStat(socket), backend);
      if (predicate(last)) return;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await delay(50);
  }
  throw new Error(`HAProxy's backend ${backend} did not reach the expected state within ${timeoutMs} ms: ${JSON.stringify(last)}`);
}
