/**
 * The OpenStack client as a process: `openstack ARGS`, argv only (no shell), with the caller's
 * environment (OS_* or OS_CLOUD), a deadline, and its output bounded.
 */
import { execa } from "execa";
import type { OpenStackClient } from "./gather.js";

/** Listings of a few thousand servers are some MiB of JSON; past this the client's output is refused. */
const MAX_OUTPUT = 256 * 1024 * 1024;

export function openStackCli(command: string, env: Readonly<Record<string, string | undefined>>, timeoutMs: number, extraArgs: readonly string[] = []): OpenStackClient {
  return async (args) => {
    const r = await execa(command, [...extraArgs, ...args], { env: { ...env }, extendEnv: false, reject: false, timeout: timeoutMs, maxBuffer: MAX_OUTPUT, stdin: "ignore" });
    if (r.exitCode === 0 && !r.timedOut) return { stdout: r.stdout };
    if (r.timedOut) return { error: `no answer within ${Math.round(timeoutMs / 1000)}s` };
    const why = [r.stderr, r.stdout, r.message].find((t) => typeof t === "string" && t.trim() !== "") ?? "";
    const tail = String(why).trim().split("\n").slice(-3).join(" ");
    return { error: r.exitCode === undefined ? tail : `exit ${r.exitCode}: ${tail}` };
  };
}
