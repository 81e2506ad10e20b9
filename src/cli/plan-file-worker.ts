/**
 * The thread that writes a plan file for `compile -o` (see plan-file-writer.ts). Messages come
 * in file order. It hashes the compact JSON and answers `digest` through the shared flags;
 * the file is opened at the first piece of text, written beside the target, and renamed over
 * it on `close`. After a failed write it writes nothing more (it still hashes), and the
 * partial file is removed.
 */
import { createHash } from "node:crypto";
import { parentPort } from "node:worker_threads";
import { layRun } from "../plan/plan-text.js";
import { PartialFile } from "./partial-file.js";
import { DIGEST_OFFSET, DIGESTED, STARTED, type FromWriter, type ToWriter } from "./plan-file-protocol.js";

const port = parentPort;
if (port === null) throw new Error("plan-file-worker runs as a worker thread");

const hash = createHash("sha256");
let flags: Int32Array | null = null;
let digestBytes: Uint8Array | null = null;
let file: PartialFile | null = null;
/** Where the digest's line starts. */
let digestAt = -1;
let failure: string | null = null;

// Hashing is done as each message comes; the file's work waits in a queue, a piece at a
// time between messages, so the digest the compiler waits for is never behind the writes.
port.on("message", (m: ToWriter) => {
  switch (m.kind) {
    case "open":
      file = new PartialFile(m.target);
      flags = new Int32Array(m.shared, 0, 2);
      digestBytes = new Uint8Array(m.shared, DIGEST_OFFSET, 64);
      Atomics.store(flags, STARTED, 1);
      return;
    case "text": {
      if (m.compact !== "") hash.update(m.compact);
      const text = m.file;
      if (text !== "") later(() => file?.append(text));
      return;
    }
    case "run": {
      hash.update(m.json);
      const { json, between, count } = m;
      later(() => file?.append(layRun(json, between, count)));
      return;
    }
    case "digest-line": {
      const text = m.text;
      later(() => {
        digestAt = file?.append(text) ?? -1;
      });
      return;
    }
    case "digest":
      if (flags !== null && digestBytes !== null) {
        digestBytes.set(Buffer.from(hash.digest("hex"), "latin1"));
        Atomics.store(flags, DIGESTED, 1);
        Atomics.notify(flags, DIGESTED);
      }
      return;
    case "sealed": {
      const text = m.text;
      later(() => {
        if (digestAt >= 0) file?.writeAt(text, digestAt);
      });
      return;
    }
    case "close":
      later(
        () => file?.commit(),
        () => done(failure),
      );
      return;
    case "abort":
      queue.length = 0;
      file?.discard();
      done(null);
      return;
  }
});

/** File work in file order, and what to do after it whether it failed or not. */
const queue: { readonly work: () => void; readonly then: (() => void) | null }[] = [];
let draining = false;

function later(work: () => void, then: (() => void) | null = null): void {
  queue.push({ work, then });
  if (!draining) {
    draining = true;
    setImmediate(drain);
  }
}

/** One piece of file work, then the messages that came meanwhile, then the next piece. */
function drain(): void {
  const next = queue.shift();
  if (next) {
    attempt(next.work);
    next.then?.();
  }
  if (queue.length > 0) setImmediate(drain);
  else draining = false;
}

/** File work, unless a write has failed: a failure is kept, and the partial file removed. */
function attempt(work: () => void): void {
  if (failure !== null) return;
  try {
    work();
  } catch (error) {
    failure = error instanceof Error ? error.message : String(error);
    file?.discard();
  }
}

function done(error: string | null): void {
  const message: FromWriter = { kind: "done", error };
  port?.postMessage(message);
}
