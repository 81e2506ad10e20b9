/**
 * `use haproxy`'s client of HAProxy's runtime API (src/stdlib/haproxy-runtime-api.js),
 * against the real HAProxy of the lab: a drain waits for requests in flight, a drain that
 * times out leaves the server as it was, ready waits for HAProxy's confirmation, and HAProxy's
 * refusals are failures.
 */
import { execa } from "execa";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backendServers, showStat } from "./haproxy-observer.js";
import { type Lab, labDown, labUp, repoRoot } from "./lab-control.js";

const haproxyInstalled = spawnSync("haproxy", ["-v"], { stdio: "ignore" }).status === 0;
const inCI = process.env["CI"] === "true" || process.env["CI"] === "1";
const suite = haproxyInstalled || inCI ? describe : describe.skip;
const client = join(repoRoot, "src", "stdlib", "haproxy-runtime-api.js");

function slow(port: number, ms: number): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: "127.0.0.1", port, path: `/slow?ms=${ms}`, agent: false }, (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      })
      .on("error", reject);
  });
}

suite("use haproxy: the runtime API client against a real HAProxy", { timeout: 30_000 }, () => {
  let dir = "";
  let lab: Lab;
  const api = (...args: string[]) => execa("node", [client, ...args, "--socket", lab.haproxy.socket, "--backend", lab.backend], { reject: false, all: true });
  const status = async (server: string) => backendServers(await showStat(lab.haproxy.socket), lab.backend)[server]?.status;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "upgradec-lab-"));
    lab = await labUp(dir, "1.0.0");
  });
  afterAll(async () => {
    await labDown(dir);
    rmSync(dir, { recursive: true, force: true });
  });

  it("drain waits for the requests in flight, then leaves the server in maintenance; ready brings it back UP", async () => {
    // Two slow requests per server, in flight while api1 drains.
    const inFlight = Array.from({ length: 6 }, () => slow(lab.haproxy.port, 1200));
    await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    const drain = await api("drain", "--server", "api1");
    const took = Date.now() - started;
    expect(drain.exitCode, drain.all).toBe(0);
    expect(drain.all).toMatch(/api\/api1: draining, [1-9]\d* session/);
    expect(took, "the drain waited for the slow requests").toBeGreaterThan(500);
    expect(await status("api1")).toBe("MAINT");
    expect(await Promise.all(inFlight)).toEqual([200, 200, 200, 200, 200, 200]);

    const ready = await api("ready", "--server", "api1");
    expect(ready.exitCode, ready.all).toBe(0);
    expect(await status("api1")).toBe("UP");
  });

  it("a drain that times out puts the server back to ready and fails", async () => {
    const inFlight = Array.from({ length: 6 }, () => slow(lab.haproxy.port, 4000));
    await new Promise((r) => setTimeout(r, 200));
    const drain = await api("drain", "--server", "api2", "--timeout", "1");
    expect(drain.exitCode).toBe(1);
    expect(drain.all).toMatch(/still has \d+ session/);
    expect((await status("api2"))?.startsWith("UP")).toBe(true);
    expect(await Promise.all(inFlight)).toEqual([200, 200, 200, 200, 200, 200]);
  });

  it("HAProxy's refusal is a failure, with its reason", async () => {
    const drain = await api("drain", "--server", "api9");
    expect(drain.exitCode).toBe(1);
    expect(drain.all).toMatch(/api9/);
    const usage = await execa("node", [client, "drain"], { reject: false, all: true });
    expect(usage.exitCode).toBe(2);
  });
});
