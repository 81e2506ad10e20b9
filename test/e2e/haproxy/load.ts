/**
 * A bounded HTTP load against the lab's frontend: concurrent clients, each opening a new
 * connection per request (no keep-alive, so every request is routed afresh), some of them
 * asking for slow answers so requests are in flight whenever a server is drained.
 *
 * Bounded three ways: it stops when asked, when the request budget is spent, or when the
 * time limit is reached; `stoppedBy` says which, so a test can insist the load covered what
 * it measured.
 */
import http from "node:http";
import { setTimeout as delay } from "node:timers/promises";

export interface LoadOptions {
  readonly port: number;
  /** Clients asking `/` (fast). */
  readonly fastClients: number;
  /** Clients asking `/slow?ms=slowMs`. */
  readonly slowClients: number;
  readonly slowMs: number;
  /** Pause between two requests of one fast client, to keep the load steady rather than maximal. */
  readonly pauseMs: number;
  /** Most requests in all. */
  readonly budget: number;
  /** Most time, from start. */
  readonly timeLimitMs: number;
  /** Per-request timeout; a request that takes longer counts as failed. */
  readonly requestTimeoutMs: number;
}

export interface LoadResult {
  readonly total: number;
  readonly ok: number;
  readonly failed: number;
  /** Failures by reason ("503", "ECONNRESET", "timeout", ...). */
  readonly failures: Readonly<Record<string, number>>;
  /** Answers by the version that gave them. */
  readonly versions: Readonly<Record<string, number>>;
  readonly slowCompleted: number;
  readonly stoppedBy: "stop" | "budget" | "time";
  readonly durationMs: number;
}

export interface RunningLoad {
  /** Stop issuing requests, wait for those in flight, and report. */
  stop(): Promise<LoadResult>;
  /** Requests answered or failed so far. */
  completed(): number;
}

interface Answer {
  readonly status: number;
  readonly version: string | null;
}

function request(port: number, path: string, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    // agent: false: a fresh connection, closed after the answer (no keep-alive).
    const req = http.get({ host: "127.0.0.1", port, path, agent: false, timeout: timeoutMs }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("error", reject);
      res.on("end", () => {
        let version: string | null = null;
        try {
          const parsed = JSON.parse(body) as { version?: unknown };
          version = typeof parsed.version === "string" ? parsed.version : null;
        } catch {
          version = null;
        }
        resolve({ status: res.statusCode ?? 0, version });
      });
    });
    req.on("timeout", () => req.destroy(Object.assign(new Error("timeout"), { code: "timeout" })));
    req.on("error", reject);
  });
}

export function startLoad(options: LoadOptions): RunningLoad {
  const started = Date.now();
  let issued = 0;
  let done = 0;
  let ok = 0;
  let slowCompleted = 0;
  let stopping = false;
  let stoppedBy: LoadResult["stoppedBy"] | null = null;
  const failures: Record<string, number> = {};
  const versions: Record<string, number> = {};

  const mayIssue = (): boolean => {
    if (stopping) return false;
    if (issued >= options.budget) {
      stoppedBy ??= "budget";
      return false;
    }
    if (Date.now() - started >= options.timeLimitMs) {
      stoppedBy ??= "time";
      return false;
    }
    return true;
  };

  const client = async (slow: boolean): Promise<void> => {
    const path = slow ? `/slow?ms=${options.slowMs}` : "/";
    while (mayIssue()) {
      issued += 1;
      try {
        const answer = await request(options.port, path, options.requestTimeoutMs);
        if (answer.status >= 200 && answer.status < 300) {
          ok += 1;
          if (slow) slowCompleted += 1;
          if (answer.version !== null) versions[answer.version] = (versions[answer.version] ?? 0) + 1;
        } else {
          failures[String(answer.status)] = (failures[String(answer.status)] ?? 0) + 1;
        }
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        const reason = typeof code === "string" ? code : error instanceof Error ? error.message : String(error);
        failures[reason] = (failures[reason] ?? 0) + 1;
      }
      done += 1;
      if (!slow && options.pauseMs > 0) await delay(options.pauseMs);
    }
  };

  const clients = [
    ...Array.from({ length: options.fastClients }, () => client(false)),
    ...Array.from({ length: options.slowClients }, () => client(true)),
  ];
  const finished = Promise.all(clients);

  return {
    completed: () => done,
    async stop() {
      if (stoppedBy === null) stoppedBy = "stop";
      stopping = true;
      await finished;
      const failed = Object.values(failures).reduce((a, b) => a + b, 0);
      return { total: done, ok, failed, failures, versions, slowCompleted, stoppedBy, durationMs: Date.now() - started };
    },
  };
}
