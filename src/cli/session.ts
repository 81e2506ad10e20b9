/**
 * The verbs that run a plan, as the CLI calls them: open a session (runtime/open-session.ts
 * loads the plan, locks its state and says why it would not), open the journal, run the
 * scheduler with real effects (or the ones passed in), and report. They print and choose the
 * exit code, so they live in the CLI; the runtime below them returns values. Nothing here
 * exits the process.
 */
import { resolve as resolvePath } from "node:path";
import { ExitCode, type ExitCodeValue } from "./exit-codes.js";
import type { CliIO } from "./io.js";
import { type Diagnostic, diag } from "../diagnostics/diagnostic.js";
import type { PlanFile } from "../plan/plan.js";
import type { Clock, Executor, StateSink } from "../runtime/effects.js";
import type { EngineResult } from "../runtime/engine.js";
import { EventsFile } from "../runtime/events.js";
import { RunFeed } from "../runtime/run-feed.js";
import { sameIdentity } from "../runtime/current-run.js";
import { leftOutReason, runForward, type Scope } from "../runtime/forward.js";
import type { JournalRead, JournalRecord, JournalRecordInput } from "../runtime/journal.js";
import { loadPlan, type LoadedPlan } from "../runtime/plan-load.js";
import type { Launcher } from "../runtime/launcher.js";
import { type ProcessExecutor, processExecutor, stringEnv } from "../runtime/process-executor.js";
import { spawnerLauncher } from "../runtime/spawner.js";
import { liveProgress, plainProgress, type ProgressView } from "../runtime/progress.js";
import { planUndo, runRollback } from "../runtime/rollback.js";
import { replay, type RunState } from "../runtime/run-state.js";
import type { Redactor } from "../runtime/secrets.js";
import { newRunId } from "../runtime/state-dir.js";
import { moduleDirOf, type StepExecContext } from "../runtime/step-exec.js";
import { runStatus } from "../runtime/status.js";
import { type WayBack, wayBack } from "../plan/way-back.js";
import { openPlanState, openSession, type Session, type SessionRefusal, shownPath, type StopSignals } from "../runtime/open-session.js";
import { abandonedRun, damagedState, newRunRefusal, otherPlan, type RunRefusal, runToContinue, type RunToContinue } from "../runtime/which-run.js";
import { LeaseLostError } from "../runtime/store/pg-store.js";
import type { JournalAppender, StateStore, StoreRun } from "../runtime/store/state-store.js";

export interface SessionEffects {
  readonly clock?: Clock;
  readonly executor?: Executor;
  /** What starts the commands of the executor the session makes (by default a spawner, runtime/spawner.ts). */
  readonly launcher?: Launcher;
  /** Stop gracefully on SIGINT/SIGTERM/SIGHUP (the CLI; not in-process tests). */
  readonly handleSignals?: boolean;
}

export interface CommonOptions {
  readonly plan: string;
  readonly state?: string;
  readonly events?: string;
  readonly forceUnlock?: string;
  /** Lines of a failed step's output to show. */
  readonly tail?: number;
  /** Stop the commands of an earlier attempt still running (after a kill -9) instead of waiting for them. */
  readonly killSurvivors?: boolean;
  /** Wait for the lock (a database lease) instead of refusing, then take the run over (docs/state.md). */
  readonly standby?: boolean;
}

export interface RunOptions extends CommonOptions {
  /** Abandon this plan's current run (damaged or unfinished) and start a new one. */
  readonly startOver?: boolean;
  readonly only?: readonly string[];
  readonly hosts?: readonly string[];
  /** The pre-upgrade checks' outcome, recorded in the run-started record. */
  readonly checks?: string;
  /**
   * The pre-upgrade checks, run once the lock is held (a second run is refused before it
   * probes anything) and before the first step; their outcome replaces `checks`.
   */
  readonly preflight?: (loaded: LoadedPlan) => Promise<{ readonly proceed: boolean; readonly exitCode: number; readonly checks: string }>;
}

export interface ResumeOptions extends CommonOptions {
  readonly skip?: readonly string[];
  readonly yesIFixedIt?: boolean;
}

export interface RollbackOptions extends CommonOptions {
  readonly to?: string;
}

export interface StatusOptions {
  readonly plan: string;
  readonly state?: string;
  readonly json?: boolean;
}

/** Diagnostics as the runtime prints them: they have no source span to underline. */
export function formatProblems(diagnostics: readonly Diagnostic[]): string {
  return diagnostics
    .map((d) => {
      const lines = [`${d.severity} ${d.code}: ${d.message}`];
      for (const note of d.notes ?? []) lines.push(`  = note: ${note}`);
      if (d.help !== undefined) lines.push(`  = help: ${d.help}`);
      return lines.join("\n") + "\n";
    })
    .join("");
}

function fail(io: CliIO, verb: string, code: number, diagnostic: Diagnostic): number {
  io.stderr.write(`upgradec ${verb}: ` + formatProblems([diagnostic]));
  return code;
}

/** This plan's state (`--state`, else `.upgradec/` beside it), or the exit code of a refused `--state`. */
async function planState(loaded: LoadedPlan, state: string | undefined, io: CliIO, verb: string): Promise<StateStore | number> {
  const opened = await openPlanState(loaded, { state, cwd: io.cwd, env: io.env, say: (text) => io.stderr.write(`upgradec ${verb}: ${text}`) });
  return opened.ok ? opened.store : fail(io, verb, ExitCode.Usage, opened.problem);
}

function shown(io: CliIO, path: string): string {
  return shownPath(io.cwd, path);
}

/** The exit code of a session that was not opened. */
const REFUSAL_EXIT: Readonly<Record<SessionRefusal, ExitCodeValue>> = {
  "invalid-plan": ExitCode.InvalidPlan,
  usage: ExitCode.Usage,
  locked: ExitCode.Locked,
  "state-damaged": ExitCode.StateDamaged,
  stopped: ExitCode.Stopped,
};

/** The session, or the exit code of its refusal once its problems are printed (a plan's load problems as they are, the others after the verb). */
async function openVerbSession(verb: string, options: CommonOptions, io: CliIO, effects: SessionEffects, signals: Signals): Promise<Session | number> {
  const opened = await openSession({
    verb,
    plan: options.plan,
    state: options.state,
    forceUnlock: options.forceUnlock,
    killSurvivors: options.killSurvivors,
    standby: options.standby,
    cwd: io.cwd,
    env: io.env,
    clock: effects.clock,
    signals,
    say: (text) => io.stderr.write(`upgradec ${verb}: ${text}`),
  });
  if (opened.ok) return opened.session;
  if (opened.refusal === "invalid-plan") io.stderr.write(formatProblems(opened.problems));
  else if (opened.problems.length > 0) io.stderr.write(`upgradec ${verb}: ` + formatProblems(opened.problems));
  if (opened.note !== null) io.stderr.write(`upgradec ${verb}: ${opened.note}\n`);
  return REFUSAL_EXIT[opened.refusal];
}

/** A verb whose lease was taken over: it stopped, and what it could not write the new holder's run shows. */
function leaseLost(io: CliIO, verb: string, error: LeaseLostError): number {
  return fail(io, verb, ExitCode.Locked, diag("UPG0801", {
    message: error.message,
    notes: ["another runner took the run over after this one's lease ran out (it could not renew it in time); this runner wrote nothing after that"],
    help: "see where the run stands: upgradec status PLAN --state URL",
  }));
}

/** The scheduler's sink over a store's journal, with the events file and the progress view beside it. */
class StoreSink implements StateSink {
  readonly made: JournalRecord[] = [];
  constructor(
    private readonly journal: JournalAppender,
    private readonly redact: Redactor,
    private readonly progress: ProgressView,
    private readonly events: EventsFile | null,
    /** The events stream and the notifiers, fed each record as the journal makes it. */
    readonly feed: RunFeed,
  ) {}
  record(input: JournalRecordInput): void {
    const record = this.journal.record(input);
    this.made.push(record);
    this.feed.onRecord(record);
    this.progress.onRecord(record);
  }
  async commit(): Promise<void> {
    await this.journal.commit();
    this.progress.flush();
  }
  /** Commit and mark how far the journal goes (at a session's start; close marks its end). */
  async mark(): Promise<void> {
    await this.journal.mark();
    this.progress.flush();
  }
  log(stepId: string, text: string): void {
    this.journal.log(stepId, this.redact(text));
  }
  async close(): Promise<void> {
    try {
      await this.journal.close();
    } catch (error) {
      // The lease is gone: the new holder's run is the truth now; nothing more is written.
      if (!(error instanceof LeaseLostError)) throw error;
    } finally {
      this.events?.close();
      this.progress.close();
    }
  }
}

function progressFor(plan: PlanFile, io: CliIO, clock: Clock): ProgressView {
  return io.stdout.isTTY === true ? liveProgress(plan, io.stdout, () => clock.now()) : plainProgress((t) => io.stdout.write(t));
}

/** A run's journal opened for a session: its sink, and the run's id (for its logs). */
interface OpenedRun {
  readonly sink: StoreSink;
  readonly runId: string;
  /** The executors made for it, closed with it. */
  readonly executors: ProcessExecutor[];
}

async function openRun(session: Session, runId: string, existing: JournalRead | null, options: CommonOptions, io: CliIO): Promise<OpenedRun> {
  const journal = await session.store.openJournal(runId, existing, session.redact);
  const eventsPath = options.events !== undefined ? resolvePath(io.cwd, options.events) : null;
  const events = eventsPath === null ? null : new EventsFile(eventsPath);
  // Each delivery's outcome in the run's log `notify`, beside its steps' logs.
  session.notifiers.logTo((line) => journal.log("notify", line));
  const feed = new RunFeed(session.loaded.plan, runId, existing?.records ?? [], { events, notifiers: session.notifiers }, () => session.clock.now());
  if (session.takeOver !== null) feed.lockTakenOver(session.takeOver);
  return { sink: new StoreSink(journal, session.redact, progressFor(session.loaded.plan, io, session.clock), events, feed), runId, executors: [] };
}

/** The run's journal closed, and the executors made for it (their scratch files). */
async function closeRun(opened: OpenedRun): Promise<void> {
  for (const executor of opened.executors.splice(0)) executor.close();
  await opened.sink.close();
}

function execContext(session: Session, effects: SessionEffects, opened: OpenedRun, io: CliIO): StepExecContext {
  const plan = session.loaded.plan;
  const moduleDir = moduleDirOf(plan, session.loaded.dir);
  const sink = opened.sink;
  let executor = effects.executor;
  if (executor === undefined) {
    const launcher = effects.launcher;
    const made = processExecutor({ baseDir: session.loaded.dir, moduleDir, env: io.env, clock: session.clock, registry: session.registry, ...(launcher ? { launcher } : {}) });
    opened.executors.push(made);
    executor = made;
  }
  return {
    plan,
    planDir: session.loaded.dir,
    clock: session.clock,
    executor,
    halt: session.halt,
    secrets: session.secrets,
    redact: session.redact,
    log: (stepId, text) => sink.log(stepId, text),
  };
}

/**
 * A verb that runs commands, with a spawner for them started first, while the plan loads, and
 * ended with the verb (unless the caller gave the executor or the launcher).
 */
async function withSpawner(io: CliIO, effects: SessionEffects, verb: (effects: SessionEffects) => Promise<number>): Promise<number> {
  if (effects.executor !== undefined || effects.launcher !== undefined) return verb(effects);
  const launcher = spawnerLauncher(stringEnv(io.env));
  try {
    return await verb(launcher === null ? effects : { ...effects, launcher });
  } finally {
    await launcher?.close();
  }
}

/** The operator's stops (the first signal: no new step starts; the second: the running commands are stopped too), and their handlers' removal. */
interface Signals extends StopSignals {
  dispose(): void;
}

/** The signals that stop a session; SIGHUP is a dropped ssh session to the deployment host. */
const STOP_SIGNALS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/**
 * A session of a verb that runs steps, with its signal handling: signals are handled from the
 * start, as a wait for an earlier attempt's commands may be stopped too. The handlers are
 * removed when no session opens; otherwise the verb removes them when it ends.
 */
async function openWithSignals(verb: string, options: CommonOptions, io: CliIO, effects: SessionEffects): Promise<{ session: Session; signals: Signals } | number> {
  const signals = withSignals(effects, io, verb);
  try {
    const session = await openVerbSession(verb, options, io, effects, signals);
    if (typeof session === "number") signals.dispose();
    return typeof session === "number" ? session : { session, signals };
  } catch (error) {
    signals.dispose();
    throw error;
  }
}

/**
 * The first SIGINT, SIGTERM or SIGHUP stops gracefully: no new step starts, the running ones
 * finish and are journaled. The second stops the running commands too (SIGTERM to each
 * process group, SIGKILL after its grace); they are journaled as interrupted (started, not
 * finished), the run as stopped, and the lock is released before the exit.
 */
function withSignals(effects: SessionEffects, io: CliIO, verb: string): Signals {
  const controller = new AbortController();
  const halt = new AbortController();
  if (!effects.handleSignals) return { signal: controller.signal, halt: halt.signal, dispose() {} };
  const say = (text: string): void => {
    try {
      io.stderr.write(text);
    } catch {
      // The terminal is gone (SIGHUP): the journal and the logs still say what happens.
    }
  };
  // After a hang-up, writes to the terminal fail: they must not end the session.
  const ignore = (): void => undefined;
  io.stdout.on("error", ignore);
  io.stderr.on("error", ignore);
  const onSignal = (signal: NodeJS.Signals): void => {
    if (halt.signal.aborted) {
      say(`\nupgradec ${verb}: ${signal}: already stopping the running commands; the lock is released when they have ended\n`);
    } else if (controller.signal.aborted) {
      say(`\nupgradec ${verb}: ${signal}: stopping the running commands (SIGTERM, SIGKILL after their grace); they are journaled as interrupted\n`);
      halt.abort();
    } else {
      say(`\nupgradec ${verb}: ${signal}: stopping: no new step starts; the running ones finish (a second signal stops them too)\n`);
      controller.abort();
    }
  };
  for (const s of STOP_SIGNALS) process.on(s, onSignal);
  return {
    signal: controller.signal,
    halt: halt.signal,
    dispose() {
      for (const s of STOP_SIGNALS) process.off(s, onSignal);
      io.stdout.off("error", ignore);
      io.stderr.off("error", ignore);
    },
  };
}

/** A refusal of the verb's run printed after the verb, and its exit code. */
function refuse(io: CliIO, verb: string, r: RunRefusal): number {
  return fail(io, verb, REFUSAL_EXIT[r.refusal], r.problem);
}

async function loadRunJournal(session: Session, verb: string, options: CommonOptions, io: CliIO): Promise<RunToContinue | number> {
  const found = await session.store.currentRun();
  if (found.kind === "run" && found.read.tornTail) io.stderr.write(`upgradec ${verb}: the journal's last line was torn (a crash while writing it); it is ignored\n`);
  const run = runToContinue(found, session.store, session.loaded.plan, options.plan, io.cwd);
  return "refusal" in run ? refuse(io, verb, run) : run;
}

async function reportStop(
  io: CliIO,
  verb: "run" | "rollback",
  planArg: string,
  run: { readonly store: StateStore; readonly runId: string },
  result: EngineResult,
  reason: string,
  made: readonly JournalRecord[],
  tailLines: number,
  way: WayBack | null = null,
): Promise<void> {
  const failures = made.filter((r) => r.type === (verb === "run" ? "step-failed" : "undo-failed"));
  const out: string[] = [];
  out.push(`\nupgradec ${verb}: stopped: ${reason}`);
  for (const f of failures) {
    out.push(`\n${verb === "run" ? "failed" : "undo failed"}: ${f.step ?? ""}${f.host ? ` on ${f.host}` : ""}: ${f.message ?? ""}`);
    const { where, lines } = await run.store.logTail(run.runId, f.step ?? "", tailLines);
    if (lines.length > 0) {
      out.push(`last ${lines.length} line(s) of ${shown(io, where)}:`);
      for (const l of lines) out.push(`  | ${l}`);
    }
  }
  const waiting = result.notStarted.filter((n) => n.why.startsWith("cap:") || n.why.startsWith("window"));
  if (failures.length === 0 && waiting.length > 0) {
    out.push("\ncould not start:");
    for (const n of waiting.slice(0, 5)) out.push(`  ${n.id}: ${n.why}`);
  }
  const first = failures[0]?.step ?? "STEP";
  if (verb === "run") {
    out.push("\nThe state is kept. Ways forward:", `  retry the failed step(s) and go on:  upgradec resume ${planArg}`);
    // Rollback is offered only when it is possible (the same answer rollback itself gives).
    if (way === null || way.possible) out.push(`  undo what was done:                  upgradec rollback ${planArg}${way?.possible === true ? `  (${way.summary})` : ""}`);
    out.push(`  fixed it by hand:                    upgradec resume ${planArg} --skip ${first} --yes-i-fixed-it`);
    if (way !== null && !way.possible) {
      out.push(`  no rollback: ${way.reason}`);
      if (way.insteadTo !== null) out.push(`  roll back further:                   upgradec rollback ${planArg} --to ${way.insteadTo}`);
    }
  } else {
    const why = failures.length > 0 ? "Fix what made the undo fail, then continue it:" : "Continue it:";
    out.push(`\nThe rollback is journaled. ${why}`, `  upgradec rollback ${planArg}`);
  }
  io.stderr.write(out.join("\n") + "\n");
}

async function finishForward(
  session: Session,
  opened: OpenedRun,
  result: EngineResult,
  stopped: boolean,
  options: CommonOptions,
  io: CliIO,
  effects: SessionEffects,
  stop: AbortSignal,
): Promise<number> {
  const { sink, runId } = opened;
  if (result.failed.length === 0 && result.notStarted.length === 0) {
    sink.record({ type: "run-finished", outcome: "succeeded" });
    await sink.commit();
    return ExitCode.Ok;
  }
  const leftOut = stopped ? null : leftOutReason(session.loaded.plan, result);
  const reason = result.stopReason ?? leftOut ?? (stopped ? "stopped by the operator" : result.failed.length > 0 ? "steps failed" : "some steps could not start");
  // A second signal's stop names the interrupted steps as its reason; it is the operator's stop all the same.
  const byOperator = stopped && (result.stopReason === null || session.halt.aborted);
  const outcome = result.rollbackRequested ? "rollback" : leftOut !== null ? "hosts-left-out" : byOperator ? "interrupted" : "stopped";
  sink.record({ type: "run-stopped", message: reason, outcome });
  await sink.commit();
  if (result.rollbackRequested && !stop.aborted) {
    io.stderr.write(`upgradec run: ${reason}: rolling back\n`);
    const state = replay((await session.store.readJournal(runId)).records);
    const back = await rollbackWith(session, opened, state, undefined, options, io, effects, stop);
    // The run stopped; its own rollback refused leaves it stopped, state kept.
    return back === ExitCode.RollbackRefused ? ExitCode.Stopped : back;
  }
  const way = wayBack(session.loaded.plan, replay((await session.store.readJournal(runId)).records));
  await reportStop(io, "run", options.plan, { store: session.store, runId }, result, reason, sink.made, options.tail ?? 20, way);
  return ExitCode.Stopped;
}

export function runPlan(options: RunOptions, io: CliIO, effects: SessionEffects = {}): Promise<number> {
  return withSpawner(io, effects, (e) => runVerb(options, io, e));
}

async function runVerb(options: RunOptions, io: CliIO, effects: SessionEffects): Promise<number> {
  const opened0 = await openWithSignals("run", options, io, effects);
  if (typeof opened0 === "number") return opened0;
  const { session, signals } = opened0;
  try {
    const current = await session.store.currentRun();
    if (options.standby === true) {
      const taken = await takeOver(session, current, options, io, effects);
      if (taken !== null) return taken;
    }
    const inTheWay = options.startOver === true ? null : newRunRefusal(current, session.loaded.plan, options.plan, io.cwd);
    if (inTheWay !== null) return refuse(io, "run", inTheWay);
    let checks = options.checks;
    if (options.preflight) {
      const gate = await options.preflight(session.loaded);
      if (!gate.proceed) return gate.exitCode;
      checks = gate.checks;
    }
    const plan = session.loaded.plan;
    const runId = newRunId(session.clock.now());
    const opened = await openRun(session, runId, null, options, io);
    try {
      const abandoned = options.startOver === true ? abandonedRun(current) : null;
      opened.sink.record({
        type: "run-started",
        plan: plan.plan.name,
        fingerprint: plan.fingerprint,
        digest: plan.digest,
        ...(abandoned !== null ? { abandoned } : {}),
        ...(options.only && options.only.length > 0 ? { only: [...options.only] } : {}),
        ...(options.hosts && options.hosts.length > 0 ? { hostFilter: [...options.hosts] } : {}),
        ...(checks !== undefined ? { checks } : {}),
      });
      // The first record and the mark are durable before the pointer names the run: a
      // pointer never names a journal that could be empty.
      await opened.sink.mark();
      await session.store.setCurrent(runId);
      if (abandoned !== null) io.stderr.write(`upgradec run: started over: run ${abandoned} is abandoned (its files stay in ${shown(io, session.store.where)})\n`);
      const scope: Scope = {
        only: options.only && options.only.length > 0 ? new Set(options.only) : null,
        hosts: options.hosts && options.hosts.length > 0 ? new Set(options.hosts) : null,
      };
      const unknown = [...(scope.only ?? [])].filter((id) => !plan.steps.some((s) => s.id === id));
      if (unknown.length > 0) io.stderr.write(`upgradec run: warning: --only ${unknown.join(", ")}: no such step in the plan\n`);
      const exec = execContext(session, effects, opened, io);
      const result = await runForward({ exec, sink: opened.sink, state: replay([]), scope, stop: session.stop });
      return await finishForward(session, opened, result, session.stop.aborted, options, io, effects, session.stop);
    } finally {
      await closeRun(opened);
    }
  } catch (error) {
    if (error instanceof LeaseLostError) return leaseLost(io, "run", error);
    throw error;
  } finally {
    signals.dispose();
    await session.release();
    // After the lock is released: a slow notifier holds up no one, and each ends by its timeout.
    await session.notifiers.settle();
  }
}

export function resumePlan(options: ResumeOptions, io: CliIO, effects: SessionEffects = {}): Promise<number> {
  return withSpawner(io, effects, (e) => resumeVerb(options, io, e));
}

async function resumeVerb(options: ResumeOptions, io: CliIO, effects: SessionEffects): Promise<number> {
  if ((options.skip ?? []).length > 0 && options.yesIFixedIt !== true) {
    io.stderr.write(
      formatProblems([
        diag("UPG0807", {
          message: `--skip ${options.skip?.join(", ")} marks the step as done without running it`,
          notes: ["the steps after it will assume its effect is in place; if it is not, they may fail or do harm"],
          help: `if you have done by hand what the step does, say so: upgradec resume ${options.plan} --skip ${options.skip?.[0] ?? "STEP"} --yes-i-fixed-it`,
        }),
      ]),
    );
    return ExitCode.Usage;
  }
  const opened0 = await openWithSignals("resume", options, io, effects);
  if (typeof opened0 === "number") return opened0;
  const { session, signals } = opened0;
  try {
    const loaded = await loadRunJournal(session, "resume", options, io);
    if (typeof loaded === "number") return loaded;
    return await continueRun(session, loaded, options, io, effects);
  } catch (error) {
    if (error instanceof LeaseLostError) return leaseLost(io, "resume", error);
    throw error;
  } finally {
    signals.dispose();
    await session.release();
    // After the lock is released: a slow notifier holds up no one, and each ends by its timeout.
    await session.notifiers.settle();
  }
}

/**
 * --standby, once it holds the lock: a run its holder left unfinished while running (killed,
 * its host lost) is taken over: resumed, or its rollback continued. Null when there is nothing
 * to take over and `run` goes on as without --standby.
 */
async function takeOver(session: Session, current: StoreRun, options: RunOptions, io: CliIO, effects: SessionEffects): Promise<number | null> {
  if (current.kind !== "run") return null;
  const phase = current.state.phase;
  if (phase === "finished" || phase === "rolled-back") {
    io.stderr.write(`upgradec run: run ${current.runId} ended (${phase}) before this standby took the lock: nothing to take over\n`);
    return phase === "finished" ? ExitCode.Ok : ExitCode.RolledBack;
  }
  if (phase !== "running" && phase !== "rolling-back") return null;
  const loaded = await loadRunJournal(session, "run", options, io);
  if (typeof loaded === "number") return loaded;
  io.stderr.write(`upgradec run: taking over run ${loaded.runId} (${phase})${session.inFlight !== null && session.inFlight.size > 0 ? `; in flight on the lost runner: ${[...session.inFlight.keys()].join(", ")}` : ""}\n`);
  if (phase === "rolling-back") {
    const opened = await openRun(session, loaded.runId, loaded.read, options, io);
    try {
      return await rollbackWith(session, opened, loaded.state, undefined, options, io, effects, session.stop);
    } finally {
      await closeRun(opened);
    }
  }
  return continueRun(session, loaded, { ...options, skip: [] }, io, effects);
}

/** Resume a run: its journal is this plan's, unfinished; --skip marks steps done first. */
async function continueRun(session: Session, loaded: { runId: string; read: JournalRead; state: RunState }, options: ResumeOptions, io: CliIO, effects: SessionEffects): Promise<number> {
  {
    let state = loaded.state;
    if (state.phase === "rolling-back" || state.phase === "rollback-stopped") {
      return fail(io, "resume", ExitCode.Usage, diag("UPG0806", {
        message: `run ${loaded.runId} is being rolled back`,
        help: `finish the rollback first: upgradec rollback ${options.plan}`,
      }));
    }
    if (state.phase === "finished") {
      io.stderr.write(`upgradec resume: run ${loaded.runId} finished; nothing to resume\n`);
      return ExitCode.Ok;
    }
    const plan = session.loaded.plan;
    for (const id of options.skip ?? []) {
      const s = state.steps.get(id)?.status;
      if (!plan.steps.some((st) => st.id === id)) {
        return fail(io, "resume", ExitCode.Usage, diag("UPG0807", { message: `--skip ${id}: no such step in the plan`, help: "give a step id as `upgradec status` shows it" }));
      }
      if (s === "succeeded" || s === "skipped") {
        return fail(io, "resume", ExitCode.Usage, diag("UPG0807", { message: `--skip ${id}: that step is already done`, help: `upgradec resume ${options.plan}` }));
      }
    }
    const opened = await openRun(session, loaded.runId, loaded.read, options, io);
    try {
      for (const id of options.skip ?? []) {
        opened.sink.record({ type: "step-skipped", step: id, message: `marked done by ${session.lock.user} (--skip --yes-i-fixed-it)` });
      }
      opened.sink.record({ type: "run-resumed", ...(options.skip && options.skip.length > 0 ? { message: `skipping ${options.skip.join(", ")}` } : {}) });
      await opened.sink.mark();
      state = replay([...loaded.read.records, ...opened.sink.made]);
      const scope: Scope = { only: state.only ? new Set(state.only) : null, hosts: state.hostFilter ? new Set(state.hostFilter) : null };
      const exec = execContext(session, effects, opened, io);
      const result = await runForward({ exec, sink: opened.sink, state, scope, stop: session.stop, ...(session.inFlight !== null ? { inFlight: session.inFlight } : {}) });
      return await finishForward(session, opened, result, session.stop.aborted, options, io, effects, session.stop);
    } finally {
      await closeRun(opened);
    }
  }
}

async function rollbackWith(
  session: Session,
  opened: OpenedRun,
  state: RunState,
  to: string | undefined,
  options: CommonOptions,
  io: CliIO,
  effects: SessionEffects,
  stop: AbortSignal,
): Promise<number> {
  const plan = session.loaded.plan;
  const undo = planUndo(plan, state, to, options.plan);
  if (!undo.ok) {
    io.stderr.write(
      "upgradec rollback: " +
        formatProblems([diag("UPG0808", { message: `cannot roll back: ${undo.reason}`, notes: ["nothing was undone; the run's state is kept"], help: undo.instead.join("; or ") })]),
    );
    return ExitCode.RollbackRefused;
  }
  const continuing = state.phase === "rolling-back" || state.phase === "rollback-stopped";
  if (!continuing) opened.sink.record({ type: "rollback-started", to: undo.plan.target });
  else opened.sink.record({ type: "rollback-started", to: undo.plan.target, message: "continuing" });
  await opened.sink.commit();
  const exec = execContext(session, effects, opened, io);
  const result = await runRollback({ exec, sink: opened.sink, state, undo: undo.plan, stop });
  if (result.failed.length === 0 && result.notStarted.length === 0) {
    opened.sink.record({ type: "rollback-finished", to: undo.plan.target, outcome: "rolled-back" });
    await opened.sink.commit();
    io.stderr.write(`upgradec rollback: rolled back to ${undo.plan.target === null ? "the start" : `checkpoint ${undo.plan.target}`}\n`);
    return ExitCode.RolledBack;
  }
  const reason = result.stopReason ?? (stop.aborted ? "stopped by the operator" : "undos could not run");
  opened.sink.record({ type: "rollback-stopped", message: reason, outcome: "stopped" });
  await opened.sink.commit();
  await reportStop(io, "rollback", options.plan, { store: session.store, runId: opened.runId }, result, reason, opened.sink.made, options.tail ?? 20);
  return ExitCode.Stopped;
}

export function rollbackPlan(options: RollbackOptions, io: CliIO, effects: SessionEffects = {}): Promise<number> {
  return withSpawner(io, effects, (e) => rollbackVerb(options, io, e));
}

async function rollbackVerb(options: RollbackOptions, io: CliIO, effects: SessionEffects): Promise<number> {
  const opened0 = await openWithSignals("rollback", options, io, effects);
  if (typeof opened0 === "number") return opened0;
  const { session, signals } = opened0;
  try {
    const loaded = await loadRunJournal(session, "rollback", options, io);
    if (typeof loaded === "number") return loaded;
    if (loaded.state.phase === "rolled-back" && options.to === undefined) {
      io.stderr.write(`upgradec rollback: run ${loaded.runId} is already rolled back\n`);
      return ExitCode.RolledBack;
    }
    const opened = await openRun(session, loaded.runId, loaded.read, options, io);
    try {
      return await rollbackWith(session, opened, loaded.state, options.to, options, io, effects, session.stop);
    } finally {
      await closeRun(opened);
    }
  } catch (error) {
    if (error instanceof LeaseLostError) return leaseLost(io, "rollback", error);
    throw error;
  } finally {
    signals.dispose();
    await session.release();
    // After the lock is released: a slow notifier holds up no one, and each ends by its timeout.
    await session.notifiers.settle();
  }
}

export async function showStatus(options: StatusOptions, io: CliIO): Promise<number> {
  const loaded = await loadPlan(options.plan, { cwd: io.cwd, allowStale: true });
  if (loaded.diagnostics.length > 0) io.stderr.write(formatProblems(loaded.diagnostics));
  if (loaded.value === null) return ExitCode.InvalidPlan;
  const plan = loaded.value.plan;
  const store = await planState(loaded.value, options.state, io, "status");
  if (typeof store === "number") return store;
  try {
    return await statusOf(store, plan, options, io);
  } finally {
    await store.close();
  }
}

async function statusOf(store: StateStore, plan: PlanFile, options: StatusOptions, io: CliIO): Promise<number> {
  const found = await store.currentRun();
  if (found.kind === "none") {
    io.stdout.write(`no run of ${options.plan} yet (state: ${shown(io, store.where)})\n`);
    return ExitCode.Ok;
  }
  const { holder, gone } = await store.holder();
  const processes = store.attempts().alive().map((s) => ({ step: s.attempt.step, purpose: s.attempt.purpose, pids: s.pids }));
  const liveness = { holderGone: gone, processes };
  if (found.kind === "damaged") {
    // What can still be read, so the operator can judge what was done before starting over.
    if (found.known !== null && found.runId !== null && sameIdentity(found.known, plan)) {
      const report = runStatus(plan, found.known, { runId: found.runId, lock: holder, now: Date.now(), ...liveness });
      io.stdout.write(options.json === true ? JSON.stringify({ ...report.json, damaged: true }, null, 2) + "\n" : `what the journal says before the damage:\n${report.text}`);
    }
    return refuse(io, "status", damagedState(io.cwd, options.plan, found));
  }
  if (!sameIdentity(found.state, plan)) return refuse(io, "status", otherPlan(options.plan, found.runId, found.state, plan));
  const report = runStatus(plan, found.state, { runId: found.runId, lock: holder, now: Date.now(), wayBack: wayBack(plan, found.state), planArg: options.plan, ...liveness });
  io.stdout.write(options.json === true ? JSON.stringify(report.json, null, 2) + "\n" : report.text);
  return ExitCode.Ok;
}
