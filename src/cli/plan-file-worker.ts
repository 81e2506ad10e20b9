/**
 * The thread that writes a plan file for `compile -o` (see plan-file-writer.ts). Messages come
 * in file order; the file is opened at the first piece of text, written beside the target,
 * and renamed over it on `close`. After a failed write it writes nothing more, and the
 * partial file is removed.
 */
import { closeSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { parentPort } from "node:worker_threads";
import { layRun } from "../plan/plan-text.js";
import type { FromWriter, ToWriter } from "./plan-file-writer.js";

const port = parentPort;
if (port === null) throw new Error("plan-file-worker runs as a worker thread");

let partial = "";
let target = "";
let fd: number | null = null;
/** Bytes written so far, and where the digest's line starts. */
let position = 0;
let digestAt = -1;
let failure: string | null = null;

port.on("message", (m: ToWriter) => {
  switch (m.kind) {
    case "open":
      partial = m.partial;
      target = m.target;
      return;
    case "close":
      if (failure === null) {
        attempt(() => {
          if (fd === null) fd = openSync(partial, "w", 0o644);
          closeSync(fd);
          fd = null;
          renameSync(partial, target);
        });
      }
      done(failure);
      return;
    case "abort":
      removePartial();
      done(null);
      return;
  }
  if (failure !== null) return;
  attempt(() => {
    if (fd === null) fd = openSync(partial, "w", 0o644);
    switch (m.kind) {
      case "text":
        position += write(fd, m.text, position);
        return;
      case "run":
        position += write(fd, layRun(m.json, m.between), position);
        return;
      case "digest-line":
        digestAt = position;
        position += write(fd, m.text, position);
        return;
      case "digest":
        if (digestAt >= 0) write(fd, m.text, digestAt);
        return;
    }
  });
});

/** The text's bytes written at `at`; their count. */
function write(file: number, text: string, at: number): number {
  const bytes = Buffer.from(text, "utf8");
  for (let done = 0; done < bytes.length; ) done += writeSync(file, bytes, done, bytes.length - done, at + done);
  return bytes.length;
}

function attempt(work: () => void): void {
  try {
    work();
  } catch (error) {
    failure = error instanceof Error ? error.message : String(error);
    removePartial();
  }
}

/** The partial file closed and removed, if there is one. */
function removePartial(): void {
  if (fd !== null) {
    try {
      closeSync(fd);
    } catch {
      // Closing a file that failed to write can fail too; it is removed either way.
    }
    fd = null;
  }
  if (partial !== "") rmSync(partial, { force: true });
}

function done(error: string | null): void {
  const message: FromWriter = { kind: "done", error };
  port?.postMessage(message);
}
