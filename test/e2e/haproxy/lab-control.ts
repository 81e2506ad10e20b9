/**
 * The HAProxy lab from a test: started and stopped through its own command line, the way a
 * person runs it, and cleaned up by pid whatever happens.
 */
import { execa } from "execa";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import http from "node:http";
import { join } from "node:path";

export const repoRoot = join(import.meta.dirname, "..", "..", "..");
export const labDirInRepo = join(repoRoot, "examples", "lab-haproxy");
const labScript = join(labDirInRepo, "lab.js");

export interface Lab {
  readonly dir: string;
  readonly backend: string;
  readonly haproxy: { readonly port: number; readonly socket: string; readonly config: string; readonly pid: number };
  readonly instances: readonly { readonly name: string; readonly server: string; readonly port: number }[];
}

export async function labCommand(dir: string, ...args: string[]): Promise<{ exitCode: number | undefined; stdout: string; stderr: string }> {
  const r = await execa("node", [labScript, ...args, "--dir", dir], { reject: false, timeout: 60_000 });
  return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr };
}

export async function labUp(dir: string, version: string): Promise<Lab> {
  const r = await labCommand(dir, "up", "--version", version);
  if (r.exitCode !== 0) throw new Error(`lab up failed (${r.exitCode}): ${r.stderr}`);
  return JSON.parse(r.stdout) as Lab;
}

/** Every pid the lab recorded: HAProxy's and each instance's. */
export function labPids(dir: string): number[] {
  const pids: number[] = [];
  try {
    const lab = JSON.parse(readFileSync(join(dir, "lab.json"), "utf8")) as { haproxy: { pid: number | null } };
    if (lab.haproxy.pid !== null) pids.push(lab.haproxy.pid);
  } catch {
    // No lab.json: nothing was started.
  }
  const instances = join(dir, "instances");
  if (existsSync(instances)) {
    for (const name of readdirSync(instances)) {
      try {
        const pid = Number(readFileSync(join(instances, name, "pid"), "utf8").trim());
        if (Number.isInteger(pid) && pid > 0) pids.push(pid);
      } catch {
        // Not running.
      }
    }
  }
  return pids;
}

export function isAlive(pid: number): boolean {
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

/**
 * `lab down`, then SIGKILL by pid for anything still alive (a stuck process must not
 * outlive the test). Returns the pids that had to be killed.
 */
export async function labDown(dir: string): Promise<number[]> {
  const before = labPids(dir);
  await labCommand(dir, "down").catch(() => null);
  const killed: number[] = [];
  for (const pid of new Set([...before, ...labPids(dir)])) {
    if (!isAlive(pid)) continue;
    try {
      process.kill(pid, "SIGKILL");
      killed.push(pid);
    } catch {
      // Gone in between.
    }
  }
  return killed;
}

/** GET a path and return the `version` the answer names. */
export function versionAt(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: "127.0.0.1", port, path: "/version", agent: false, timeout: 2000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => {
        if (res.statusCode !== 200) return reject(new Error(`GET /version on ${port}: ${res.statusCode} ${body}`));
        resolve((JSON.parse(body) as { version: string }).version);
      });
    });
    req.on("timeout", () => req.destroy(new Error(`GET /version on ${port}: timeout`)));
    req.on("error", reject);
  });
}
