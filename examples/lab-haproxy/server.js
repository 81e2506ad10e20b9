#!/usr/bin/env node
/**
 * A small API server, one instance of the lab's service. It stands in for an OpenStack API
 * (nova-api, keystone, ...) behind HAProxy: it reports its version, answers a health check,
 * can be asked for slow requests, and stops gracefully on SIGTERM the way a well-behaved
 * API process does (no new connections, in-flight requests finish, then exit).
 *
 *   node server.js --name api1 --port 8081 --version 2.0.0
 *
 *   GET /version     200 {"name","version"}
 *   GET /health      200 "ok", or 503 when the version is broken
 *   GET /slow?ms=N   answers after N milliseconds (at most 10 s)
 *   GET /            200 {"name","version"}
 *
 * A version whose name contains "broken" stands for a release with a bug: it starts and
 * listens, but fails its health check and answers 500 to everything except /version.
 */
import http from "node:http";
import process from "node:process";
import { setTimeout as delay } from "node:timers/promises";
import { setInterval, clearInterval, setTimeout } from "node:timers";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    name: { type: "string", default: "api" },
    port: { type: "string" },
    version: { type: "string", default: "1.0.0" },
    // A hard stop for a drain that never ends (a client that never reads its answer).
    "shutdown-timeout": { type: "string", default: "30000" },
  },
});

const name = values.name;
const version = values.version;
const port = Number(values.port);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  process.stderr.write(`server.js: --port must be a TCP port, got ${String(values.port)}\n`);
  process.exit(2);
}
const broken = version.includes("broken");
let stopping = false;

function json(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

const server = http.createServer(async (req, res) => {
  // Once stopping, answers close their connection so keep-alive clients move on.
  if (stopping) res.setHeader("connection", "close");
  const url = new URL(req.url ?? "/", "http://localhost");
  if (url.pathname === "/version") return json(res, 200, { name, version });
  if (url.pathname === "/health") {
    if (broken || stopping) return json(res, 503, { name, version, healthy: false });
    return json(res, 200, { name, version, healthy: true });
  }
  if (broken) return json(res, 500, { name, version, error: "this release is broken" });
  if (url.pathname === "/slow") {
    const ms = Math.min(10_000, Math.max(0, Number(url.searchParams.get("ms") ?? "1000") || 0));
    await delay(ms);
    return json(res, 200, { name, version, slept: ms });
  }
  if (url.pathname === "/") return json(res, 200, { name, version });
  return json(res, 404, { error: "not found" });
});

// Node's default keep-alive timeout (5 s) is shorter than HAProxy's idle server connections
// may live; a longer one avoids closing a connection just as HAProxy reuses it.
server.keepAliveTimeout = 65_000;

server.on("error", (error) => {
  process.stderr.write(`server.js ${name}: ${error.message}\n`);
  process.exit(1);
});

server.listen(port, "127.0.0.1", () => {
  process.stdout.write(`${name} ${version} listening on 127.0.0.1:${port} (pid ${process.pid})\n`);
});

process.on("SIGTERM", () => {
  if (stopping) return;
  stopping = true;
  process.stdout.write(`${name} ${version}: SIGTERM, finishing in-flight requests\n`);
  // close() stops accepting and waits for every connection to end. Busy connections close
  // after their answer (connection: close above); idle keep-alive ones are closed now and
  // again while waiting, since a connection busy a moment ago may have gone idle since.
  const closeIdle = setInterval(() => server.closeIdleConnections(), 100);
  server.close(() => {
    clearInterval(closeIdle);
    process.stdout.write(`${name} ${version}: stopped\n`);
    process.exit(0);
  });
  server.closeIdleConnections();
  const hardStop = setTimeout(() => {
    process.stderr.write(`${name} ${version}: requests still in flight after the shutdown timeout, exiting\n`);
    process.exit(1);
  }, Number(values["shutdown-timeout"]));
  hardStop.unref();
});
