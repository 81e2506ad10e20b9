/**
 * Runs a plan's notifiers: on each event a notifier names, its command, with the event's
 * JSON on standard input, alongside the upgrade and never in its way. Each notifier's
 * events go out one after another (a receiver sees them in order); notifiers run in
 * parallel. A notifier that fails or outlives its timeout (SIGTERM to its process group,
 * SIGKILL after its grace) is reported on standard error and in the run's log `logs/notify.log`;
 * the run's journal, its steps and their timing never wait for one.
 */
import { spawn } from "node:child_process";
import type { PlanFile, PlanNotifier, VarValue } from "../plan/plan.js";
import { runOptions } from "../plan/plan.js";
import { PACKAGE_ROOT } from "../version.js";
import { join } from "node:path";
import { buildInvocation, expandVarValues } from "./command-line.js";
import { signalGroup, stringEnv } from "./process-executor.js";
import type { NotifyPayload } from "./notify-events.js";
import type { Redactor, SecretValues } from "./secrets.js";

/** Most deliveries waiting behind a slow notifier; beyond it an event is dropped, and said so. */
const MAX_QUEUED = 64;
/** Output kept from a notifier for the report. */
const MAX_OUTPUT = 2000;

export interface NotifyOutcome {
  readonly notifier: string;
  readonly event: string;
  readonly time: string;
  readonly ok: boolean;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  readonly error: string | null;
  readonly seconds: number;
  /** The end of its output, secrets redacted. */
  readonly output: string;
}

export interface NotifiersOptions {
  readonly plan: PlanFile;
  readonly secrets: SecretValues;
  readonly redact: Redactor;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where commands run (the plan file's directory). */
  readonly cwd: string;
  readonly now: () => number;
  /** A line for the operator (a failed delivery). */
  readonly say: (line: string) => void;
}

/** The values of a notifier's placeholders for one event (src/compiler/resolve/placeholders.ts, NOTIFY_PLACEHOLDERS). */
export function notifyVars(plan: PlanFile, notifier: PlanNotifier, event: NotifyPayload): Record<string, VarValue> {
  const p = event.progress;
  const builtins: Record<string, VarValue> = {
    plan: event.plan,
    run: event.run ?? "",
    event: event.event,
    time: event.time,
    outcome: event.outcome ?? "",
    message: event.message ?? "",
    text: event.text,
    failed: event.failed.map((f) => f.step),
    service: event.service ?? "",
    batch: event.batch === null ? "" : String(event.batch),
    done: String(p.done),
    running: String(p.running),
    left: String(p.left),
    total: String(p.total),
    progress: `${p.done}/${p.total}`,
    eta: p.estimatedEnd,
    "planned-end": p.plannedEnd ?? "",
    behind: p.behind === null ? "" : String(p.behind),
    verify: event.verify ?? "",
    stdlib: join(PACKAGE_ROOT, "src", "stdlib"),
    ...(plan.plan.from !== null ? { from: plan.plan.from } : {}),
    ...(plan.plan.to !== null ? { to: plan.plan.to } : {}),
  };
  // The notifier's own vars may be built from the built-ins (`"upgrade of {plan}"`); a built-in is never overridden.
  return { ...expandVarValues({ ...notifier.vars, ...builtins }), ...builtins };
}

export class Notifiers {
  private readonly queues = new Map<string, Promise<void>>();
  private readonly queued = new Map<string, number>();
  private readonly running = new Set<Promise<void>>();
  /** Where each delivery's outcome goes as a JSON line: the run's `notify` log, once the run is known. */
  private log: ((line: string) => void) | null = null;

  constructor(private readonly options: NotifiersOptions) {}

  logTo(write: (line: string) => void): void {
    this.log = write;
  }

  /** The notifiers that fire on `event`. */
  static on(plan: PlanFile, event: string): readonly PlanNotifier[] {
    return (plan.notify ?? []).filter((n) => n.events.includes(event));
  }

  /** Starts the deliveries of `event`; returns at once. */
  fire(event: NotifyPayload): void {
    for (const notifier of Notifiers.on(this.options.plan, event.event)) {
      const waiting = this.queued.get(notifier.name) ?? 0;
      if (waiting >= MAX_QUEUED) {
        this.report({ notifier: notifier.name, event: event.event, time: event.time, ok: false, exitCode: null, signal: null, timedOut: false, error: `dropped: ${waiting} earlier events still wait for this notifier`, seconds: 0, output: "" });
        continue;
      }
      this.queued.set(notifier.name, waiting + 1);
      const previous = this.queues.get(notifier.name) ?? Promise.resolve();
      const next = previous.then(async () => {
        const outcome = await this.deliver(notifier, event);
        this.queued.set(notifier.name, (this.queued.get(notifier.name) ?? 1) - 1);
        this.report(outcome);
      });
      this.queues.set(notifier.name, next);
      this.running.add(next);
      void next.finally(() => this.running.delete(next));
    }
  }

  /** Resolves when every delivery started so far has ended (each is bounded by its timeout and grace). */
  async settle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private report(outcome: NotifyOutcome): void {
    const { redact, say } = this.options;
    const log = this.log;
    if (log !== null) {
      try {
        log(redact(JSON.stringify(outcome)) + "\n");
      } catch {
        // The report on standard error below still says it.
      }
    }
    if (outcome.ok) return;
    const why = outcome.timedOut ? outcome.error ?? "timed out" : outcome.error ?? (outcome.exitCode !== null ? `exit ${outcome.exitCode}` : `killed by ${outcome.signal ?? "a signal"}`);
    const tail = outcome.output.trim().split("\n").slice(-3).join(" | ");
    say(redact(`notifier '${outcome.notifier}' on ${outcome.event} failed: ${why}${tail !== "" ? `: ${tail}` : ""} (the upgrade goes on; see notify.log)`));
  }

  private deliver(notifier: PlanNotifier, event: NotifyPayload): Promise<NotifyOutcome> {
    const started = this.options.now();
    const base = { notifier: notifier.name, event: event.event, time: new Date(started).toISOString() };
    const result = (r: Omit<NotifyOutcome, "notifier" | "event" | "time" | "seconds">): NotifyOutcome => ({ ...base, ...r, seconds: Math.round(this.options.now() - started) / 1000 });
    const command = notifier.command.command;
    if (command.kind === "module") return Promise.resolve(result({ ok: false, exitCode: null, signal: null, timedOut: false, error: "a notifier runs a program, not a module", output: "" }));
    const run = runOptions(notifier.command);
    const built = buildInvocation(command, { vars: notifyVars(this.options.plan, notifier, event), secrets: this.options.secrets }, run.env, []);
    if (!built.ok) return Promise.resolve(result({ ok: false, exitCode: null, signal: null, timedOut: false, error: built.error, output: "" }));
    const { file, args, env } = built.invocation;
    return new Promise((resolve) => {
      let output = "";
      let timedOut = false;
      let killTimer: NodeJS.Timeout | undefined;
      const child = spawn(file, [...args], {
        cwd: this.options.cwd,
        env: { ...stringEnv(this.options.env), ...env },
        // Its own process group: a timeout reaches what a shell started too.
        detached: true,
        stdio: ["pipe", "pipe", "pipe"],
      });
      const keep = (chunk: Buffer): void => {
        output = (output + chunk.toString("utf8")).slice(-MAX_OUTPUT);
      };
      child.stdout.on("data", keep);
      child.stderr.on("data", keep);
      // A notifier that does not read its input (logger) closes it: not an error.
      child.stdin.on("error", () => undefined);
      child.stdin.end(JSON.stringify(event) + "\n");
      const timeout =
        run.timeout === null
          ? undefined
          : setTimeout(() => {
              timedOut = true;
              signalGroup(child.pid, "SIGTERM");
              killTimer = setTimeout(() => {
                signalGroup(child.pid, "SIGKILL");
                // A process that left the group may hold its output open: stop waiting for it.
                killTimer = setTimeout(() => end({ ok: false, exitCode: null, signal: "SIGKILL", timedOut, error: `timed out after ${run.timeout}s` }), 1000);
              }, run.grace * 1000);
            }, run.timeout * 1000);
      let ended = false;
      const end = (r: Omit<NotifyOutcome, "notifier" | "event" | "time" | "seconds" | "output">): void => {
        if (ended) return;
        ended = true;
        clearTimeout(timeout);
        clearTimeout(killTimer);
        // Whatever it left in its group goes with it.
        signalGroup(child.pid, "SIGKILL");
        resolve(result({ ...r, output: this.options.redact(output) }));
      };
      child.on("error", (error) => end({ ok: false, exitCode: null, signal: null, timedOut: false, error: `cannot start ${file}: ${error.message}` }));
      child.on("close", (code, signal) =>
        end({
          ok: code === 0 && !timedOut,
          exitCode: code,
          signal,
          timedOut,
          error: timedOut ? `timed out after ${run.timeout}s` : null,
        }),
      );
    });
  }
}


