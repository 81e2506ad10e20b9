/**
 * Notifications with real parts, through the built binary: a plan whose webhook notifier
 * (the standard library's, through real curl) posts to an HTTP receiver on 127.0.0.1
 * started here. The run stops on a failed host, is resumed and finishes; the receiver sees
 * every event once, in order, with its JSON. A second notifier that hangs far longer than
 * its timeout changes nothing in the journal and does not slow the steps.
 */
import { execa, execaSync } from "execa";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JournalRecord } from "../../src/runtime/journal.js";
import type { NotifyPayload } from "../../src/runtime/notify-events.js";
import { journalOf, running, until } from "./harness.js";

const root = join(import.meta.dirname, "..", "..");
const inCI = process.env["CI"] === "true" || process.env["CI"] === "1";
const curlInstalled = execaSync("sh", ["-c", "command -v curl"], { reject: false }).exitCode === 0;
/** Real curl is the point: without it the test skips, except in CI (.ci/run installs it), where it fails. */
const withCurl = curlInstalled || inCI ? describe : describe.skip;
const bin = join(root, "bin", "upgradec.js");

interface Post {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: NotifyPayload;
}

let server: Server;
let port = 0;
const posts: Post[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      try {
        posts.push({ path: req.url ?? "", headers: req.headers, body: JSON.parse(body) as NotifyPayload });
        res.end("ok");
      } catch {
        // A post cut short: answered as an error, and missing from `posts`, which the tests see.
        res.statusCode = 400;
        res.end("not JSON");
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** The hanging notifier's timeout (seconds): longer than the steps take, far shorter than its hang. It writes its pid to hang.pids, so the test can see it was stopped. */
const HANG_TIMEOUT = 5;

function project(path: string, hang: boolean, upgrade = 'shell "test ! -e fail-{host}"'): string {
  const dir = mkdtempSync(join(tmpdir(), "upgradec-notify-"));
  writeFileSync(join(dir, "hosts.ini"), "[app]\nh1\nh2\nh3\n");
  const hanging = hang
    ? `
notify stuck {
  on run-started, run-resumed
  run shell "echo $$ >> hang.pids; exec sleep 120" { timeout ${HANG_TIMEOUT}s grace 1s }
}
`
    : "";
  writeFileSync(
    join(dir, "cloud.upg"),
    `plan "notify-lab" {
  kind update
  from "1.0" to "1.1"
}

use notify
inventory "hosts.ini"

service app {
  on app
  tags rolling-upgrade
  rolling { batch 1 }
  upgrade ${upgrade}
  postcheck ["true"]
}

notify team extends notify.webhook {
  on run-started, run-resumed, batch-finished, run-stopped, run-finished, lock-taken-over
  var url = "http://127.0.0.1:${port}${path}"
}
${hanging}`,
  );
  return dir;
}

async function upgradec(dir: string, ...args: string[]) {
  return execa("node", [bin, ...args], { cwd: dir, reject: false, env: { NO_COLOR: "1", PATH: process.env["PATH"] ?? "" } });
}

/** The journal without what differs between two runs of the same plan: ids, times, sums. */
function shape(records: readonly JournalRecord[]): unknown[] {
  return records.map((r) => [r.type, r.step ?? null, r.host ?? null, r.outcome ?? null, r.message ?? null]);
}

function spanSeconds(records: readonly JournalRecord[], from: JournalRecord["type"], to: JournalRecord["type"]): number {
  const a = records.find((r) => r.type === from);
  const b = records.find((r) => r.type === to);
  if (a === undefined || b === undefined) throw new Error(`no ${from} or ${to}`);
  return (Date.parse(b.time) - Date.parse(a.time)) / 1000;
}

/** Run that stops at h2, then resume after the fault is gone. */
async function stopThenResume(dir: string): Promise<{ run: Awaited<ReturnType<typeof upgradec>>; resume: Awaited<ReturnType<typeof upgradec>> }> {
  const compiled = await upgradec(dir, "compile", "cloud.upg", "-o", "plan.json");
  expect(compiled.exitCode, compiled.stderr).toBe(0);
  // The preview says who hears about the run, and on what.
  expect(compiled.stdout).toMatch(/\nNotifications\n {2}team: on run-started, run-resumed, batch-finished, run-stopped, run-finished, lock-taken-over: `curl /);
  writeFileSync(join(dir, "fail-h2"), "");
  const run = await upgradec(dir, "run", "plan.json", "--skip-checks", "--events", "events.jsonl");
  rmSync(join(dir, "fail-h2"));
  const resume = await upgradec(dir, "resume", "plan.json", "--events", "events.jsonl");
  return { run, resume };
}

withCurl("notifications (real curl, an HTTP receiver on 127.0.0.1)", () => {
  it("posts each event of a run that stops on a failure, is resumed and finishes, in order, as JSON", { timeout: 120_000 }, async () => {
    const dir = project("/plain", false);
    const { run, resume } = await stopThenResume(dir);
    expect(run.exitCode, run.stderr).toBe(3);
    expect(resume.exitCode, resume.stderr).toBe(0);

    const got = posts.filter((p) => p.path === "/plain");
    expect(got.map((p) => [p.body.event, p.body.service, p.body.batch])).toEqual([
      ["run-started", null, null],
      ["batch-finished", "app", 1],
      ["run-stopped", null, null],
      ["run-resumed", null, null],
      ["batch-finished", "app", 2],
      ["batch-finished", "app", 3],
      ["run-finished", null, null],
    ]);
    // Through curl, as JSON.
    for (const p of got) {
      expect(p.headers["user-agent"]).toMatch(/^curl\//);
      expect(p.headers["content-type"]).toBe("application/json");
    }
    const journal = journalOf(dir);
    const runId = journal[0]?.run;
    for (const p of got) {
      expect(p.body).toMatchObject({ format: "upgradec.event/1", plan: "notify-lab", run: runId });
      expect(p.body.progress.total).toBe(7);
      expect(p.body.alerts[0]?.labels).toMatchObject({ alertname: "UpgradecRun", plan: "notify-lab", event: p.body.event });
      expect(p.body.text).not.toMatch(/\n/);
    }
    const [started, b1, stopped, resumed, , , finished] = got.map((p) => p.body);
    expect(started?.progress).toMatchObject({ done: 0, left: 7, running: 0, failed: 0 });
    expect(started?.progress.plannedEnd).toBe(new Date(Date.parse(journal[0]?.time ?? "") + (started?.progress.planned ?? 0) * 1000).toISOString());
    // Batch 1 is its host's upgrade and the pause after it.
    expect(b1?.progress.done).toBe(2);
    expect(stopped).toMatchObject({ outcome: "stopped", status: "firing", failed: [{ step: "app/b2/h2/upgrade", host: "h2", tolerated: false }] });
    expect(stopped?.message).toMatch(/max-failures/);
    expect(stopped?.text).toContain("STOPPED");
    expect(resumed?.failed).toEqual([{ step: "app/b2/h2/upgrade", host: "h2", message: "exit code 1 on h2", tolerated: false }]);
    expect(finished).toMatchObject({ outcome: "succeeded", status: "resolved", failed: [] });
    expect(finished?.progress).toMatchObject({ done: 7, left: 0, remaining: 0 });
    expect(finished?.verify).toContain("post-checks passed: 1 of 1; no host left out");

    // The events stream carries the same progress, and the batches as lines of their own.
    const stream = readFileSync(join(dir, "events.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { type: string; progress?: { done: number }; seq?: number });
    expect(stream.filter((e) => e.type === "batch-finished").map((e) => e.progress?.done)).toEqual([2, 4, 6]);
    expect(stream.find((e) => e.type === "run-finished")?.progress?.done).toBe(7);
    expect(stream.filter((e) => e.seq !== undefined)).toHaveLength(journal.length);

    // status --json: progress and ETA.
    const status = await upgradec(dir, "status", "plan.json", "--json");
    expect(JSON.parse(status.stdout)).toMatchObject({ phase: "finished", progress: { total: 7, done: 7, left: 0, running: 0 } });
    // Every delivery is in the run's notify.log, all of them successful.
    const log = readFileSync(join(dir, ".upgradec", "runs", runId ?? "", "logs", "notify.log"), "utf8").trim().split("\n");
    expect(log.map((l) => (JSON.parse(l) as { ok: boolean }).ok)).toEqual(got.map(() => true));
    rmSync(dir, { recursive: true, force: true });
  });

  it("a notifier that hangs past its timeout is stopped and reported, and changes nothing in the journal or the steps' timing", { timeout: 120_000 }, async () => {
    const plain = project("/reference", false);
    const hung = project("/with-hang", true);
    await stopThenResume(plain);
    const { run, resume } = await stopThenResume(hung);
    expect(run.exitCode, run.stderr).toBe(3);
    expect(resume.exitCode, resume.stderr).toBe(0);

    const reference = journalOf(plain);
    const journal = journalOf(hung);
    expect(shape(journal)).toEqual(shape(reference));
    // The hang began with the run: had the steps waited for it, the run would have taken its timeout.
    expect(spanSeconds(journal, "run-started", "run-stopped")).toBeLessThan(HANG_TIMEOUT);
    const resumedAt = journal.findIndex((r) => r.type === "run-resumed");
    expect(spanSeconds(journal.slice(resumedAt), "run-resumed", "run-finished")).toBeLessThan(HANG_TIMEOUT);

    // The webhook notifier's posts are the same, in the same order.
    const events = (path: string): string[] => posts.filter((p) => p.path === path).map((p) => p.body.event);
    expect(events("/with-hang")).toEqual(events("/reference"));

    // Reported on stderr and in notify.log, and stopped: no process of it is left.
    expect(run.stderr).toContain(`notifier 'stuck' on run-started failed: timed out after ${HANG_TIMEOUT}s`);
    expect(resume.stderr).toContain(`notifier 'stuck' on run-resumed failed: timed out after ${HANG_TIMEOUT}s`);
    const runId = journal[0]?.run ?? "";
    const log = readFileSync(join(hung, ".upgradec", "runs", runId, "logs", "notify.log"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { notifier: string; event: string; timedOut: boolean });
    expect(log.filter((l) => l.notifier === "stuck").map((l) => [l.event, l.timedOut])).toEqual([
      ["run-started", true],
      ["run-resumed", true],
    ]);
    const pids = readFileSync(join(hung, "hang.pids"), "utf8").trim().split("\n").map(Number);
    expect(pids).toHaveLength(2);
    for (const pid of pids) expect(running(pid)).toBe(false);
    for (const dir of [plain, hung]) rmSync(dir, { recursive: true, force: true });
  });
});

withCurl("notifications of a lock taken over (real curl)", () => {
  it("tells that a resume took over the lock of a runner killed with kill -9", { timeout: 120_000 }, async () => {
    const dir = project("/takeover", false, 'shell "if [ -e hold-{host} ]; then exec sleep 60; fi"');
    const compiled = await upgradec(dir, "compile", "cloud.upg", "-o", "plan.json");
    expect(compiled.exitCode, compiled.stderr).toBe(0);
    writeFileSync(join(dir, "hold-h2"), "");
    const child = execa("node", [bin, "run", "plan.json", "--skip-checks"], { cwd: dir, reject: false, env: { NO_COLOR: "1", PATH: process.env["PATH"] ?? "" } });
    const startedOnH2 = (): boolean => {
      try {
        return journalOf(dir).some((r) => r.type === "step-started" && r.host === "h2");
      } catch {
        return false; // no run yet
      }
    };
    // Killed once batch 1 is told: a post cut by the kill would be no one's fault but the test's.
    await until(() => startedOnH2() && posts.some((p) => p.path === "/takeover" && p.body.event === "batch-finished"), 60_000);
    child.kill("SIGKILL");
    await child;
    rmSync(join(dir, "hold-h2"));
    const resume = await upgradec(dir, "resume", "plan.json", "--kill-survivors");
    expect(resume.exitCode, resume.stderr).toBe(0);

    const got = posts.filter((p) => p.path === "/takeover").map((p) => p.body);
    expect(got.map((p) => p.event)).toEqual(["run-started", "batch-finished", "lock-taken-over", "run-resumed", "batch-finished", "batch-finished", "run-finished"]);
    const takeover = got[2];
    expect(takeover).toMatchObject({ status: "firing", run: journalOf(dir)[0]?.run, lock: { forced: false, holder: { pid: child.pid, command: "run" } } });
    expect(takeover?.text).toContain("took over the lock");
    rmSync(dir, { recursive: true, force: true });
  });
});

describe("the library's mail notifier", () => {
  it("hands sendmail a message to mail-to: the event's line as the subject, its JSON as the body", { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "upgradec-notify-mail-"));
    // A stand-in for the local MTA: what it was given, arguments and message, into files.
    mkdirSync(join(dir, "bin"));
    writeFileSync(join(dir, "bin", "sendmail"), '#!/bin/sh\nprintf "%s\\n" "$@" > "$MAIL_DIR/args"\ncat > "$MAIL_DIR/message"\n', { mode: 0o755 });
    writeFileSync(join(dir, "hosts.ini"), "[app]\nh1\n");
    writeFileSync(
      join(dir, "cloud.upg"),
      `plan "mail-lab" { kind update from "1.0" to "1.1" }
use notify
inventory "hosts.ini"
service app { on app  upgrade ["true"] }
notify ops extends notify.mail {
  on run-finished
  var mail-to = "ops@example.org"
}
`,
    );
    const env = { NO_COLOR: "1", PATH: `${join(dir, "bin")}:${process.env["PATH"] ?? ""}`, MAIL_DIR: dir };
    expect((await execa("node", [bin, "compile", "cloud.upg", "-o", "plan.json"], { cwd: dir, reject: false, env })).exitCode).toBe(0);
    const run = await execa("node", [bin, "run", "plan.json", "--skip-checks"], { cwd: dir, reject: false, env });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(readFileSync(join(dir, "args"), "utf8").split("\n")).toEqual(["-i", "--", "ops@example.org", ""]);
    const message = readFileSync(join(dir, "message"), "utf8");
    // Headers, a blank line, the event in one line, a blank line, the event's JSON.
    const [head = "", line = "", body = ""] = message.split("\n\n");
    expect(head).toMatch(/^To: ops@example\.org\nSubject: upgradec: plan mail-lab run \S+ finished: 2\/2 steps done; no post-checks in the plan; no host left out; /);
    expect(head.split("\n")).toHaveLength(2);
    expect(line).toBe(head.split("\n")[1]?.slice("Subject: upgradec: ".length));
    expect(JSON.parse(body)).toMatchObject({ event: "run-finished", plan: "mail-lab", outcome: "succeeded", text: line });
    rmSync(dir, { recursive: true, force: true });
  });
});

describe("simulate", () => {
  it("runs no notifier, and lists what each would have been told", { timeout: 60_000 }, async () => {
    const dir = project("/simulated", true);
    const compiled = await upgradec(dir, "compile", "cloud.upg", "-o", "plan.json");
    expect(compiled.exitCode, compiled.stderr).toBe(0);
    const before = posts.length;
    const r = await upgradec(dir, "simulate", "plan.json");
    expect(r.exitCode, r.stderr).toBe(0);
    expect(posts.length).toBe(before);
    // It says what each notifier would have been told.
    expect(r.stdout).toContain("notifier team (not run by simulate) would be told: run-started, batch-finished ×3, run-finished");
    expect(r.stdout).toContain("notifier stuck (not run by simulate) would be told: run-started");
    expect(existsSync(join(dir, "hang.pids"))).toBe(false);
    expect(readdirSync(dir).some((f) => f === ".upgradec")).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  });
});
