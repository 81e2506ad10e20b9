#!/usr/bin/env node
/**
 * A client of HAProxy's runtime API (the admin socket, `stats socket PATH level admin`), for
 * the commands of `use haproxy`. Plain Node, no dependency: neither socat nor nc is needed
 * on the host that runs the plan.
 *
 * S is the admin socket's path, or HOST:PORT when HAProxy listens for it on TCP.
 *
 *   node haproxy-runtime-api.js drain --socket S --backend api --server api1 [--timeout 300]
 *       state drain (no new sessions), wait until the server's current sessions (scur) reach
 *       0, then state maint. On timeout or SIGTERM the server is put back to ready, so a
 *       failed drain leaves the backend as it was.
 *   node haproxy-runtime-api.js ready --socket S --backend api --server api1 [--timeout 60]
 *       state ready, then wait until HAProxy reports the server UP. HAProxy routes to it at
 *       once ("UP 1/2": up, not yet confirmed), so call it only once the service's own health
 *       check passes; the wait is for HAProxy's next check to confirm it (plain "UP").
 *   node haproxy-runtime-api.js status --socket S --backend api --server api1
 *       print the server's status as `show stat` reports it (UP, DRAIN, MAINT, DOWN, ...).
 *   node haproxy-runtime-api.js stat --socket S
 *       print `show stat` as it comes.
 *
 * Exit 0 on success, 1 when HAProxy refused or the wait timed out, 2 on bad usage.
 */
/* global AbortController */
import { realpathSync } from "node:fs";
import { createConnection } from "node:net";
import process from "node:process";
import { setTimeout as delay } from "node:timers/promises";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

/** Send one command on the admin socket and return HAProxy's whole answer. */
export function runtimeCommand(socket, command, timeoutMs = 5000) {
  return new Promise((resolve, reject) => {
    // A path (`stats socket /run/haproxy/admin.sock`) or HOST:PORT (`stats socket ipv4@10.0.0.10:9999`).
    const tcp = /^(.+):(\d+)$/.exec(socket);
    const connection = tcp !== null && !socket.includes("/") ? createConnection({ host: tcp[1], port: Number(tcp[2]) }) : createConnection(socket);
    let answer = "";
    connection.setEncoding("utf8");
    connection.setTimeout(timeoutMs, () => connection.destroy(new Error(`no answer from ${socket} within ${timeoutMs} ms`)));
    // Without `prompt`, HAProxy runs one command and closes the connection.
    connection.on("connect", () => connection.end(command + "\n"));
    connection.on("data", (chunk) => (answer += chunk));
    connection.on("error", reject);
    connection.on("close", (hadError) => {
      if (!hadError) resolve(answer);
    });
  });
}

/** `show stat` as rows keyed by the CSV header's column names (pxname, svname, scur, status, ...). */
export function parseStat(csv) {
  const lines = csv.split("\n").filter((line) => line.trim() !== "");
  const header = lines.shift();
  if (header === undefined || !header.startsWith("# ")) throw new Error(`not a show stat answer: ${csv.slice(0, 80)}`);
  const columns = header.slice(2).split(",");
  return lines.map((line) => {
    const cells = line.split(",");
    const row = {};
    columns.forEach((column, i) => {
      if (column !== "") row[column] = cells[i] ?? "";
    });
    return row;
  });
}

export async function serverStat(socket, backend, server) {
  const rows = parseStat(await runtimeCommand(socket, "show stat"));
  const row = rows.find((r) => r.pxname === backend && r.svname === server);
  if (row === undefined) throw new Error(`HAProxy has no server ${backend}/${server}`);
  return row;
}

async function setState(socket, backend, server, state) {
  const answer = (await runtimeCommand(socket, `set server ${backend}/${server} state ${state}`)).trim();
  // Success is an empty answer; anything else is HAProxy saying why not.
  if (answer !== "") throw new Error(`set server ${backend}/${server} state ${state}: ${answer}`);
}

/** UP with no transition pending ("UP 1/2" is a server failing its checks on its way down). */
function isUp(status) {
  return status === "UP";
}

/**
 * Take a server out of rotation without cutting a request: drain, wait for its sessions to
 * end, then maintenance. Resolves when the server is in MAINT; on failure (timeout, abort,
 * HAProxy error) it is put back to ready and the error is thrown.
 */
export async function drainServer(socket, backend, server, { timeoutMs = 300_000, intervalMs = 100, signal, log = () => {} } = {}) {
  await setState(socket, backend, server, "drain");
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  try {
    for (;;) {
      if (signal?.aborted) throw new Error(`drain of ${backend}/${server} cancelled`);
      const row = await serverStat(socket, backend, server);
      const sessions = Number(row.scur) + Number(row.qcur || 0);
      if (sessions !== last) log(`${backend}/${server}: draining, ${sessions} session(s) in flight`);
      last = sessions;
      if (sessions === 0) break;
      if (Date.now() > deadline) throw new Error(`${backend}/${server} still has ${sessions} session(s) after ${timeoutMs / 1000}s`);
      await delay(intervalMs, undefined, { signal }).catch(() => {});
    }
    await setState(socket, backend, server, "maint");
  } catch (error) {
    await setState(socket, backend, server, "ready").catch(() => {});
    throw error;
  }
  const row = await serverStat(socket, backend, server);
  if (!row.status.startsWith("MAINT")) throw new Error(`${backend}/${server} is ${row.status}, not MAINT, after set state maint`);
  log(`${backend}/${server}: no session left, in maintenance`);
}

/** Put a server back into rotation and wait until HAProxy's own health check has it UP. */
export async function readyServer(socket, backend, server, { timeoutMs = 60_000, intervalMs = 100, signal, log = () => {} } = {}) {
  await setState(socket, backend, server, "ready");
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = await serverStat(socket, backend, server);
    if (isUp(row.status)) {
      log(`${backend}/${server}: UP, in rotation`);
      return;
    }
    if (signal?.aborted) throw new Error(`ready of ${backend}/${server} cancelled while ${row.status}`);
    if (Date.now() > deadline) throw new Error(`${backend}/${server} is ${row.status}, not UP, ${timeoutMs / 1000}s after set state ready`);
    await delay(intervalMs, undefined, { signal }).catch(() => {});
  }
}

async function main(argv) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      socket: { type: "string" },
      backend: { type: "string" },
      server: { type: "string" },
      timeout: { type: "string" },
    },
  });
  const [verb] = positionals;
  const usage = "usage: haproxy-runtime-api.js drain|ready|status|stat --socket PATH [--backend NAME --server NAME] [--timeout SECONDS]";
  if (values.socket === undefined || verb === undefined) {
    process.stderr.write(usage + "\n");
    return 2;
  }
  if (verb === "stat") {
    process.stdout.write(await runtimeCommand(values.socket, "show stat"));
    return 0;
  }
  if (values.backend === undefined || values.server === undefined) {
    process.stderr.write(usage + "\n");
    return 2;
  }
  const log = (line) => process.stdout.write(line + "\n");
  const timeoutMs = values.timeout === undefined ? undefined : Number(values.timeout) * 1000;
  // The runtime stops a step with SIGTERM (timeout, cancel): abort the wait so a drain puts
  // the server back to ready before exiting.
  const abort = new AbortController();
  process.once("SIGTERM", () => abort.abort());
  process.once("SIGINT", () => abort.abort());
  const options = { log, signal: abort.signal, ...(timeoutMs === undefined ? {} : { timeoutMs }) };
  switch (verb) {
    case "drain":
      await drainServer(values.socket, values.backend, values.server, options);
      return 0;
    case "ready":
      await readyServer(values.socket, values.backend, values.server, options);
      return 0;
    case "status":
      process.stdout.write((await serverStat(values.socket, values.backend, values.server)).status + "\n");
      return 0;
    default:
      process.stderr.write(`unknown verb ${verb}\n${usage}\n`);
      return 2;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error) => {
      process.stderr.write(`haproxy: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
