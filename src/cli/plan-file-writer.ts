/**
 * `compile -o`: the plan file is written by a thread of its own while the compiler makes its
 * text. The compiler hands each piece over as it is made (PlanTextSink); the thread hashes
 * the compact JSON for the digest, lays the runs of steps out a step per line, encodes and
 * writes them, so at 10k hosts most of the 40 MB is on disk by the time the digest is known.
 * The file is written beside the target and renamed over it at the end: a crash or an error
 * never leaves half a plan file, and a write that fails leaves nothing behind.
 */
import { Worker } from "node:worker_threads";
import type { PlanTextSink } from "../plan/plan-text.js";
import { DIGEST_OFFSET, DIGESTED, SHARED_BYTES, STARTED, type FromWriter, type ToWriter } from "./plan-file-protocol.js";

/** How long the compiler waits for the thread's digest before it computes the digest itself. */
const DIGEST_WAIT_MS = 10_000;

/** How writing ended: null when the file is in place. */
export type WriteFailure =
  /** The file could not be written (the thread removed what it had written). */
  | { readonly error: string; readonly thread: false }
  /** The thread itself failed (it could not start): the file is to be written some other way. */
  | { readonly error: string; readonly thread: true };

/** The thread's module: beside this one, as built (dist/) or as source (run through tsx). */
const WORKER = new URL(import.meta.url.endsWith(".ts") ? "./plan-file-worker.ts" : "./plan-file-worker.mjs", import.meta.url);

export class PlanFileWriter implements PlanTextSink {
  private readonly worker: Worker;
  private readonly ended: Promise<WriteFailure | null>;
  private readonly flags: Int32Array;
  private readonly digestBytes: Uint8Array;
  private settled = false;

  /** Starts the thread; nothing is written before the first piece of text. */
  constructor(target: string) {
    const shared = new SharedArrayBuffer(SHARED_BYTES);
    this.flags = new Int32Array(shared, 0, 2);
    this.digestBytes = new Uint8Array(shared, DIGEST_OFFSET, 64);
    this.worker = new Worker(WORKER);
    this.ended = new Promise((resolve) => {
      this.worker.once("message", (m: FromWriter) => resolve(m.error === null ? null : { error: m.error, thread: false }));
      this.worker.once("error", (error) => resolve({ error: error instanceof Error ? error.message : String(error), thread: true }));
      this.worker.once("exit", (code) => resolve({ error: `the plan file's writing thread stopped (exit code ${code})`, thread: true }));
    });
    this.post({ kind: "open", target, shared });
  }

  text(file: string, compact: string): void {
    this.post({ kind: "text", file, compact });
  }

  run(json: string, between: string | null, count: number): void {
    this.post({ kind: "run", json, between, count });
  }

  digestLine(placeholder: string): void {
    this.post({ kind: "digest-line", text: placeholder });
  }

  /**
   * The thread's digest: it has hashed all but the last pieces by now, and the compiler waits
   * for the rest. A thread that has not started, or does not answer, is not waited for (null:
   * the compiler computes the digest itself).
   */
  digest(): string | null {
    this.post({ kind: "digest" });
    if (Atomics.load(this.flags, STARTED) !== 1 || Atomics.wait(this.flags, DIGESTED, 0, DIGEST_WAIT_MS) === "timed-out") return null;
    return Buffer.from(this.digestBytes).toString("latin1");
  }

  sealed(line: string): void {
    this.post({ kind: "sealed", text: line });
  }

  /** Once every piece is written: the file renamed over the target, or why not. */
  async finish(): Promise<WriteFailure | null> {
    return this.end({ kind: "close" });
  }

  /** No plan file after all (the compile failed): what was written is removed. Does nothing once finished. */
  async abort(): Promise<void> {
    await this.end({ kind: "abort" });
  }

  private async end(message: ToWriter): Promise<WriteFailure | null> {
    if (!this.settled) {
      this.settled = true;
      this.post(message);
    }
    const result = await this.ended;
    await this.worker.terminate();
    return result;
  }

  private post(message: ToWriter): void {
    this.worker.postMessage(message);
  }
}
