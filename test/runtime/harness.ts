/** Running the runtime as the operator does: the CLI as a process, or its verbs in-process. */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { execa, type ResultPromise } from "execa";
import type { CliIO } from "../../src/cli/io.js";
import { type JournalRecord, parseJournal } from "../../src/runtime/journal.js";

const ROOT = join(fileURLToPath(import.meta.url), "..", "..", "..");
const TSX = join(ROOT, "node_modules", "tsx", "dist", "esm", "index.mjs");
const ENTRY = join(ROOT, "test", "runtime", "cli-entry.ts");

/** `upgradec ARGS` as a process (from source through tsx). */
export function spawnCli(args: readonly string[], cwd: string, env: Record<string, string> = {}): ResultPromise<{ reject: false; cwd: string; env: Record<string, string> }> {
  return execa(process.execPath, ["--import", TSX, ENTRY, ...args], { reject: false, cwd, env }) as ResultPromise<{ reject: false; cwd: string; env: Record<string, string> }>;
}

export interface Captured {
  readonly io: CliIO;
  out(): string;
  err(): string;
}

export function captureIO(cwd: string, env: Readonly<Record<string, string | undefined>> = process.env): Captured {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (c: Buffer) => (out += c.toString()));
  stderr.on("data", (c: Buffer) => (err += c.toString()));
  return { io: { stdout, stderr, cwd, env }, out: () => out, err: () => err };
}

/** The file naming the current run: the plan's own pointer (`plans/NAME`), else the shared `current` of older layouts. */
export function currentPointerPath(dir: string, state = ".upgradec"): string {
  const root = join(dir, state);
  const plans = existsSync(join(root, "plans")) ? readdirSync(join(root, "plans")).filter((f) => !f.endsWith(".tmp")) : [];
  return plans.length === 1 && plans[0] !== undefined ? join(root, "plans", plans[0]) : join(root, "current");
}

export function currentJournalPath(dir: string, state = ".upgradec"): string {
  const current = readFileSync(currentPointerPath(dir, state), "utf8").trim();
  return join(dir, state, "runs", current, "journal.jsonl");
}

export function journalOf(dir: string, state = ".upgradec"): JournalRecord[] {
  return [...parseJournal(readFileSync(currentJournalPath(dir, state), "utf8")).records];
}

/** Steps started and never finished, per the journal. */
export function interrupted(records: readonly JournalRecord[]): Set<string> {
  const open = new Set<string>();
  for (const r of records) {
    if (r.step === undefined) continue;
    if (r.type === "step-started") open.add(r.step);
    if (r.type === "step-succeeded" || r.type === "step-failed" || r.type === "step-skipped") open.delete(r.step);
  }
  return open;
}

export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path));
    else out.push(path);
  }
  return out;
}

/** Waits until `what` holds, polling; fails after `ms`. */
export async function until(what: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Running, not merely a zombie: a killed process whose parent died too is reparented to
 * pid 1, which in a container may never reap it.
 */
export function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(")") + 2));
  } catch {
    return false;
  }
}

/** A line of a step's own log: "B|E STEP HOST NANOSECONDS", written as its command begins and ends. */
export interface StepLogLine {
  readonly kind: "B" | "E";
  readonly step: string;
  readonly host: string;
  readonly at: bigint;
}

/** The lines the steps of a test plan wrote to `dir/log`; none before the first step began. */
export function readStepLog(dir: string): StepLogLine[] {
  const path = join(dir, "log");
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => {
      const [kind, step, host, at] = l.split(" ");
      return { kind: kind as "B" | "E", step: step ?? "", host: host ?? "", at: BigInt(at ?? "0") };
    });
}
