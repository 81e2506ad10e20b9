#!/usr/bin/env node
/**
 * The HAProxy lab: Debian's haproxy on 127.0.0.1 in front of three instances of server.js,
 * every port chosen free at start, all state in one directory.
 *
 *   node lab.js up [--version 1.0.0]       start HAProxy and api1..api3; prints the lab as JSON
 *   node lab.js down                       stop everything the lab started (by pid)
 *   node lab.js status                     each instance's pid and version, and HAProxy's view
 *
 * What the plan's steps call, one instance at a time:
 *   node lab.js stop INSTANCE              SIGTERM, wait until it has finished and exited
 *   node lab.js switch INSTANCE VERSION    the version its next start runs
 *   node lab.js start INSTANCE             start it at its version, wait until it listens
 *   node lab.js health INSTANCE            exit 0 when its /health answers 200
 *   node lab.js version INSTANCE           print the version it reports
 *
 * And the contrast, what not to do:
 *   node lab.js restart-all VERSION        every instance stopped and started at once, no drain
 *
 * The directory: --dir, else $UPGRADEC_LAB_DIR, else the current directory when it holds a
 * lab (lab.json), else $TMPDIR/upgradec-lab-haproxy. It holds lab.json (ports, pids, the
 * admin socket's path), haproxy.cfg, haproxy.sock, haproxy.log, instances/NAME/{pid,
 * version,out.log}, and lab.js, a link to this script: a plan compiled into the directory
 * runs its commands there and finds both by relative paths. Every process is found by its
 * pid file and checked to be the one the lab started before it is signalled.
 */
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import http from "node:http";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import process from "node:process";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const here = dirname(fileURLToPath(import.meta.url));
const serverScript = join(here, "server.js");
const INSTANCES = ["api1", "api2", "api3"];
const BACKEND = "api";

export function labDir(option) {
  if (option !== undefined) return resolve(option);
  if (process.env.UPGRADEC_LAB_DIR) return resolve(process.env.UPGRADEC_LAB_DIR);
  if (existsSync("lab.json")) return process.cwd();
  return join(tmpdir(), "upgradec-lab-haproxy");
}

function readLab(dir) {
  const path = join(dir, "lab.json");
  if (!existsSync(path)) throw new Error(`no lab in ${dir} (run: node lab.js up --dir ${dir})`);
  return JSON.parse(readFileSync(path, "utf8"));
}

function instanceOf(lab, name) {
  const instance = lab.instances.find((i) => i.name === name);
  if (instance === undefined) throw new Error(`no instance ${name}; the lab has ${lab.instances.map((i) => i.name).join(", ")}`);
  return instance;
}

// ---------------------------------------------------------------- processes

/** Alive and not a zombie (a reparented child nobody has reaped yet counts as gone). */
function alive(pid) {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true;
  }
}

/** The pid still runs what the lab started (pids are reused): its command line has the marker. */
function isOurs(pid, marker) {
  if (!alive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").includes(marker);
  } catch {
    return true;
  }
}

function readPid(path) {
  try {
    const pid = Number(readFileSync(path, "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

async function waitGone(pid, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await delay(25);
  }
  return true;
}

/** SIGTERM, wait up to timeoutMs for the process to finish what it is doing, then SIGKILL. */
async function terminate(pid, timeoutMs) {
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return "gone";
  }
  if (await waitGone(pid, timeoutMs)) return "stopped";
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    return "stopped";
  }
  await waitGone(pid, 5000);
  return "killed";
}

function spawnDetached(command, args, logPath, cwd) {
  const log = openSync(logPath, "a");
  try {
    // Detached with its own stdio: the lab (and whatever ran it, such as upgradec) can exit
    // without taking it along or waiting on its pipes.
    const child = spawn(command, args, { cwd, detached: true, stdio: ["ignore", log, log] });
    child.unref();
    return child;
  } finally {
    closeSync(log);
  }
}

function tail(path, lines = 5) {
  try {
    return readFileSync(path, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}

// ---------------------------------------------------------------- HTTP and ports

function get(port, path, timeoutMs = 2000) {
  return new Promise((resolvePromise, reject) => {
    const req = http.get({ host: "127.0.0.1", port, path, agent: false, timeout: timeoutMs }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (body += chunk));
      res.on("end", () => resolvePromise({ status: res.statusCode ?? 0, body }));
    });
    req.on("timeout", () => req.destroy(new Error(`no answer from 127.0.0.1:${port}${path} within ${timeoutMs} ms`)));
    req.on("error", reject);
  });
}

/** Distinct free ports: all held open until every one is chosen. */
async function freePorts(count) {
  const servers = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      await new Promise((ok, fail) => {
        server.once("error", fail);
        server.listen(0, "127.0.0.1", ok);
      });
      servers.push(server);
    }
    return servers.map((s) => s.address().port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((ok) => s.close(ok))));
  }
}

// ---------------------------------------------------------------- HAProxy

function haproxyConfig(lab) {
  const servers = lab.instances.map((i) => `    server ${i.server} 127.0.0.1:${i.port} check`).join("\n");
  // The defaults are kolla-ansible's (redispatch, 3 retries); the check interval is short so
  // the lab moves fast.
  return `# Written by lab.js up. One frontend, one backend of three API servers.
global
    stats socket ${lab.haproxy.socket} mode 600 level admin
    stats timeout 10s
    maxconn 4000

defaults
    mode http
    option redispatch
    retries 3
    timeout http-request 10s
    timeout queue 1m
    timeout connect 10s
    timeout client 1m
    timeout server 1m
    timeout check 2s
    maxconn 4000

frontend api-in
    bind 127.0.0.1:${lab.haproxy.port}
    default_backend ${BACKEND}

backend ${BACKEND}
    balance roundrobin
    option httpchk GET /health
    http-check expect status 200
    default-server inter 250ms fastinter 100ms downinter 250ms rise 2 fall 2
${servers}
`;
}

function runtimeCommand(socket, command) {
  return new Promise((resolvePromise, reject) => {
    const connection = createConnection(socket);
    let answer = "";
    connection.setEncoding("utf8");
    connection.setTimeout(5000, () => connection.destroy(new Error(`no answer from ${socket}`)));
    connection.on("connect", () => connection.end(command + "\n"));
    connection.on("data", (chunk) => (answer += chunk));
    connection.on("error", reject);
    connection.on("close", (hadError) => {
      if (!hadError) resolvePromise(answer);
    });
  });
}

/** Each server's status as HAProxy reports it: { api1: "UP", api2: "MAINT", ... }. */
async function serverStatuses(lab) {
  const lines = (await runtimeCommand(lab.haproxy.socket, "show stat")).split("\n").filter((l) => l.trim() !== "");
  const columns = (lines.shift() ?? "").replace(/^# /, "").split(",");
  const at = (name) => columns.indexOf(name);
  const statuses = {};
  for (const line of lines) {
    const cells = line.split(",");
    if (cells[at("pxname")] === BACKEND && !["FRONTEND", "BACKEND"].includes(cells[at("svname")])) {
      statuses[cells[at("svname")]] = cells[at("status")];
    }
  }
  return statuses;
}

// ---------------------------------------------------------------- instances

function instancePaths(dir, name) {
  const base = join(dir, "instances", name);
  return { base, pid: join(base, "pid"), version: join(base, "version"), log: join(base, "out.log") };
}

const marker = (name) => `--name ${name} `;

async function startInstance(dir, lab, name) {
  const instance = instanceOf(lab, name);
  const paths = instancePaths(dir, name);
  const running = readPid(paths.pid);
  if (running !== null && isOurs(running, marker(name))) throw new Error(`${name} is already running (pid ${running})`);
  const version = readFileSync(paths.version, "utf8").trim();
  const child = spawnDetached(process.execPath, [serverScript, "--name", name, "--port", String(instance.port), "--version", version], paths.log, dir);
  writeFileSync(paths.pid, `${child.pid}\n`);
  // Up means listening and reporting the version it was started with; health is the plan's
  // health gate's business (a broken version starts fine and fails it).
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (!alive(child.pid)) throw new Error(`${name} exited at start:\n${tail(paths.log)}`);
    const answer = await get(instance.port, "/version", 500).catch(() => null);
    if (answer !== null && answer.status === 200 && JSON.parse(answer.body).version === version) break;
    if (Date.now() > deadline) throw new Error(`${name} does not answer on 127.0.0.1:${instance.port} 10 s after start`);
    await delay(25);
  }
  return `${name}: started ${version} (pid ${child.pid}, port ${instance.port})`;
}

async function stopInstance(dir, lab, name, timeoutMs = 30_000) {
  instanceOf(lab, name);
  const paths = instancePaths(dir, name);
  const pid = readPid(paths.pid);
  if (pid === null || !isOurs(pid, marker(name))) {
    rmSync(paths.pid, { force: true });
    return `${name}: not running`;
  }
  const how = await terminate(pid, timeoutMs);
  rmSync(paths.pid, { force: true });
  if (how === "killed") throw new Error(`${name} (pid ${pid}) did not stop within ${timeoutMs / 1000} s of SIGTERM and was killed`);
  return `${name}: stopped (pid ${pid})`;
}

function switchInstance(dir, lab, name, version) {
  instanceOf(lab, name);
  if (!/^[A-Za-z0-9._+-]+$/.test(version)) throw new Error(`not a version: ${JSON.stringify(version)}`);
  const paths = instancePaths(dir, name);
  const before = existsSync(paths.version) ? readFileSync(paths.version, "utf8").trim() : null;
  writeFileSync(paths.version, `${version}\n`);
  return `${name}: ${before ?? "(none)"} -> ${version} at next start`;
}

// ---------------------------------------------------------------- verbs

async function up(dir, version) {
  if (existsSync(join(dir, "lab.json"))) {
    const old = readLab(dir);
    if (old.haproxy.pid !== null && isOurs(old.haproxy.pid, "haproxy")) throw new Error(`a lab is already up in ${dir} (node lab.js down --dir ${dir})`);
  }
  mkdirSync(dir, { recursive: true });
  const [frontend, ...ports] = await freePorts(1 + INSTANCES.length);
  const lab = {
    dir,
    backend: BACKEND,
    haproxy: { port: frontend, socket: join(dir, "haproxy.sock"), config: join(dir, "haproxy.cfg"), pid: null },
    instances: INSTANCES.map((name, i) => ({ name, server: name, port: ports[i] })),
  };
  writeFileSync(lab.haproxy.config, haproxyConfig(lab));
  writeFileSync(join(dir, "lab.json"), JSON.stringify(lab, null, 2) + "\n");
  // The plan's commands run in the plan's directory: compiled into the lab directory, they
  // find the control script and the admin socket there by relative paths.
  rmSync(join(dir, "lab.js"), { force: true });
  symlinkSync(fileURLToPath(import.meta.url), join(dir, "lab.js"));
  for (const { name } of lab.instances) {
    mkdirSync(instancePaths(dir, name).base, { recursive: true });
    switchInstance(dir, lab, name, version);
  }
  await Promise.all(lab.instances.map(({ name }) => startInstance(dir, lab, name)));
  rmSync(lab.haproxy.socket, { force: true });
  const haproxy = spawnDetached("haproxy", ["-f", lab.haproxy.config, "-db"], join(dir, "haproxy.log"), dir);
  const spawned = await new Promise((ok) => {
    haproxy.once("spawn", () => ok(null));
    haproxy.once("error", (error) => ok(error));
  });
  if (spawned !== null) throw new Error(`cannot start haproxy (is Debian's haproxy package installed?): ${spawned.message}`);
  lab.haproxy.pid = haproxy.pid;
  writeFileSync(join(dir, "lab.json"), JSON.stringify(lab, null, 2) + "\n");
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (!alive(haproxy.pid)) throw new Error(`haproxy exited at start:\n${tail(join(dir, "haproxy.log"), 20)}`);
    const statuses = await serverStatuses(lab).catch(() => null);
    if (statuses !== null && lab.instances.every((i) => statuses[i.server] === "UP")) break;
    if (Date.now() > deadline) throw new Error(`the backend's servers are not all UP 15 s after start: ${JSON.stringify(statuses)}`);
    await delay(50);
  }
  return lab;
}

async function down(dir) {
  if (!existsSync(join(dir, "lab.json"))) return [`no lab in ${dir}`];
  const lab = readLab(dir);
  const done = await Promise.all(lab.instances.map(({ name }) => stopInstance(dir, lab, name, 10_000).catch((e) => e.message)));
  if (lab.haproxy.pid !== null && isOurs(lab.haproxy.pid, "haproxy")) {
    await terminate(lab.haproxy.pid, 5000);
    done.push(`haproxy: stopped (pid ${lab.haproxy.pid})`);
  }
  rmSync(lab.haproxy.socket, { force: true });
  return done;
}

async function status(dir) {
  const lab = readLab(dir);
  const statuses = await serverStatuses(lab).catch((e) => ({ error: e.message }));
  const instances = await Promise.all(
    lab.instances.map(async ({ name, port }) => {
      const pid = readPid(instancePaths(dir, name).pid);
      const answer = await get(port, "/version", 1000).catch(() => null);
      return { name, port, pid, running: pid !== null && isOurs(pid, marker(name)), version: answer?.status === 200 ? JSON.parse(answer.body).version : null, haproxy: statuses[name] ?? null };
    }),
  );
  return { dir, frontend: `http://127.0.0.1:${lab.haproxy.port}/`, instances };
}

/** The naive way: every instance stopped at once (gracefully, still), then started at once. */
async function restartAll(dir, lab, version) {
  for (const { name } of lab.instances) switchInstance(dir, lab, name, version);
  await Promise.all(lab.instances.map(({ name }) => stopInstance(dir, lab, name)));
  await Promise.all(lab.instances.map(({ name }) => startInstance(dir, lab, name)));
  return `restarted ${lab.instances.map((i) => i.name).join(", ")} at ${version}, all at once, no drain`;
}

const USAGE = `usage: node lab.js <verb> [--dir DIR]
  up [--version V] | down | status
  start NAME | stop NAME | switch NAME VERSION | health NAME | version NAME
  restart-all VERSION`;

export async function main(argv) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { dir: { type: "string" }, version: { type: "string", default: "1.0.0" }, timeout: { type: "string" } },
  });
  const [verb, name, arg] = positionals;
  const dir = labDir(values.dir);
  const out = (line) => process.stdout.write(line + "\n");
  const needName = () => {
    if (name === undefined) throw new Error(`${verb} needs an instance name\n${USAGE}`);
    return name;
  };
  switch (verb) {
    case "up":
      out(JSON.stringify(await up(dir, values.version), null, 2));
      process.stderr.write(
        `The lab is up in ${dir}: HAProxy on http://127.0.0.1:${readLab(dir).haproxy.port}/. Compile a plan into it and run it there:\n` +
          `  cd ${dir} && upgradec compile ${join(here, "upgrade.upg")} -o plan.json && upgradec run plan.json\n`,
      );
      return 0;
    case "down":
      for (const line of await down(dir)) out(line);
      return 0;
    case "status":
      out(JSON.stringify(await status(dir), null, 2));
      return 0;
    case "start":
      out(await startInstance(dir, readLab(dir), needName()));
      return 0;
    case "stop":
      out(await stopInstance(dir, readLab(dir), needName(), values.timeout === undefined ? 30_000 : Number(values.timeout) * 1000));
      return 0;
    case "switch":
      if (arg === undefined) throw new Error(`switch needs a version\n${USAGE}`);
      out(switchInstance(dir, readLab(dir), needName(), arg));
      return 0;
    case "health": {
      const answer = await get(instanceOf(readLab(dir), needName()).port, "/health", 2000).catch((e) => ({ status: 0, body: e.message }));
      out(`${name}: ${answer.status} ${answer.body}`);
      return answer.status === 200 ? 0 : 1;
    }
    case "version": {
      const answer = await get(instanceOf(readLab(dir), needName()).port, "/version", 2000);
      out(JSON.parse(answer.body).version);
      return 0;
    }
    case "restart-all":
      if (name === undefined) throw new Error(`restart-all needs a version\n${USAGE}`);
      out(await restartAll(dir, readLab(dir), name));
      return 0;
    default:
      process.stderr.write(USAGE + "\n");
      return 2;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error) => {
      process.stderr.write(`lab: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
