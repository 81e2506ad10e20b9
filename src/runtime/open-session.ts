/**
 * Opening a session of a verb that runs steps (run, resume, rollback): load the plan, open its
 * state, take the lock (or stand by for it), wait for an earlier attempt's commands, read the
 * secrets. The result is a value: the open session, or why it was not opened (an outcome and
 * the problems to show). The CLI prints them and chooses the exit code. What happens on the
 * way (standing by, a lock taken over, commands still running) is said to `say` as it happens,
 * since the operator may wait minutes for it.
 */
import { readFileSync } from "node:fs";
import { isAbsolute, relative } from "node:path";
import { type Diagnostic, diag } from "../diagnostics/diagnostic.js";
import type { PlanFile } from "../plan/plan.js";
import { type Clock, systemClock } from "./effects.js";
import { inFlightSteps } from "./in-flight.js";
import { currentUser, type LockInfo } from "./lock.js";
import { Notifiers } from "./notifiers.js";
import { loadPlan, type LoadedPlan } from "./plan-load.js";
import { makeRedactor, type Redactor, resolveSecrets, type SecretValues } from "./secrets.js";
import { openStateStore } from "./store/open-store.js";
import type { StateStore, StoreLock } from "./store/state-store.js";
import { type AttemptRegistry, settleSurvivors } from "./survivors.js";

/** Everything a run, resume or rollback session holds open. */
export interface Session {
  readonly loaded: LoadedPlan;
  readonly store: StateStore;
  readonly lock: LockInfo;
  readonly release: () => Promise<void>;
  readonly secrets: SecretValues;
  readonly redact: Redactor;
  readonly clock: Clock;
  readonly registry: AttemptRegistry;
  /** Aborted by a second stop signal, or when the lease is lost: the running commands are stopped. */
  readonly halt: AbortSignal;
  /** Aborted by a stop signal, or when the lease is lost: no new step starts. */
  readonly stop: AbortSignal;
  /**
   * Steps in flight on a runner whose lease this session took over, with the time before which
   * each must not start again (in-flight.ts); empty otherwise.
   */
  readonly inFlight: ReadonlyMap<string, number | null> | null;
  /** The lock was taken over from a holder that is gone (a lease that ran out, a dead process). */
  readonly tookOver: boolean;
  /** The plan's notifiers; the verb waits for their deliveries after it has released the lock. */
  readonly notifiers: Notifiers;
  /** The lock this session took over (a stale one, or by --force-unlock), for the lock-taken-over event. */
  readonly takeOver: { readonly holder: LockInfo | null; readonly forced: boolean } | null;
}

/** The operator's stops: the first signal (no new step starts) and the second (running commands are stopped). */
export interface StopSignals {
  readonly signal: AbortSignal;
  readonly halt: AbortSignal;
}

export interface SessionRequest {
  /** The verb, as the lock records it. */
  readonly verb: string;
  readonly plan: string;
  readonly state?: string;
  readonly forceUnlock?: string;
  readonly killSurvivors?: boolean;
  readonly standby?: boolean;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly clock?: Clock;
  readonly signals: StopSignals;
  /** Says text (its lines end with a newline) while the session opens, and later for its lease and notifiers. */
  readonly say: (text: string) => void;
}

/**
 * Why a session was not opened, or a verb refused to act on its run: the plan is invalid (its
 * load problems, or the run is another plan's), a usage error (the state or a secret cannot
 * be had, no run to continue), the state is locked or damaged, or a run is stopped (the
 * operator stopped the wait, or an unfinished run is in the way).
 */
export type SessionRefusal = "invalid-plan" | "usage" | "locked" | "state-damaged" | "stopped";

export type OpenedSession =
  | { readonly ok: true; readonly session: Session }
  | { readonly ok: false; readonly refusal: SessionRefusal; readonly problems: readonly Diagnostic[]; readonly note: string | null };

function refused(refusal: SessionRefusal, problems: readonly Diagnostic[], note: string | null = null): OpenedSession {
  return { ok: false, refusal, problems, note };
}

/** A path relative to the working directory when that is shorter; a database's place as it is. */
export function shownPath(cwd: string, path: string): string {
  if (!isAbsolute(path)) return path;
  const rel = relative(cwd, path);
  return rel.startsWith("..") || rel === "" ? path : rel;
}

/** This plan's state (`--state`, else `.upgradec/` beside it), or UPG0809 for a refused `--state`. */
export async function openPlanState(
  loaded: LoadedPlan,
  target: { readonly state: string | undefined; readonly cwd: string; readonly env: Readonly<Record<string, string | undefined>>; readonly say: (text: string) => void },
  clock: Clock = systemClock,
): Promise<{ readonly ok: true; readonly store: StateStore } | { readonly ok: false; readonly problem: Diagnostic }> {
  const opened = await openStateStore({
    state: target.state,
    planDir: loaded.dir,
    cwd: target.cwd,
    planName: loaded.plan.plan.name,
    now: () => clock.now(),
    env: target.env,
    say: target.say,
  });
  return opened.ok ? opened : { ok: false, problem: diag("UPG0809", { message: opened.message, help: opened.help }) };
}

export async function openSession(request: SessionRequest): Promise<OpenedSession> {
  const clock = request.clock ?? systemClock;
  const loaded = await loadPlan(request.plan, { cwd: request.cwd });
  if (loaded.value === null) return refused("invalid-plan", loaded.diagnostics);
  const state = await openPlanState(loaded.value, { state: request.state, cwd: request.cwd, env: request.env, say: request.say }, clock);
  if (!state.ok) return refused("usage", [state.problem]);
  const opened = await lockedSession(request, state.store, loaded.value, clock);
  if (!opened.ok) await state.store.close();
  return opened;
}

/**
 * The lock, or (--standby) the lock once its holder is gone: the standby asks again every
 * second while the holder renews its lease, and gives up only when stopped.
 */
async function takeLock(request: SessionRequest, store: StateStore, plan: PlanFile, clock: Clock): Promise<StoreLock | null> {
  let said = false;
  for (;;) {
    const lock = await store.lock({
      user: currentUser(request.env),
      fingerprint: plan.fingerprint,
      command: request.verb,
      now: clock.now(),
      ...(request.forceUnlock !== undefined ? { forceUnlock: request.forceUnlock } : {}),
    });
    if (lock.ok || request.standby !== true || lock.holder === null) return lock;
    if (!said) {
      const h = lock.holder;
      request.say(`standing by: ${h.user}@${h.host} (pid ${h.pid}, upgradec ${h.command}) holds the lock since ${h.since}; taking the run over when its lease ends\n`);
      said = true;
    }
    await systemClock.sleep(1000, request.signals.signal);
    if (request.signals.signal.aborted) return null;
  }
}

async function lockedSession(request: SessionRequest, store: StateStore, loaded: LoadedPlan, clock: Clock): Promise<OpenedSession> {
  const plan = loaded.plan;
  const lock = await takeLock(request, store, plan, clock);
  if (lock === null) return refused("stopped", [], "stopped while standing by; nothing was started");
  if (!lock.ok) return refused("locked", [lockedProblem(request, store, lock)]);
  if (lock.tookOver !== null) request.say(`${describeTakeOver(lock.tookOver, request.forceUnlock)}\n`);
  const registry = store.attempts();
  const settled = await settleAttempts(request, registry);
  if (!settled) {
    registry.close();
    await lock.release();
    return refused("stopped", [], "stopped while waiting; nothing was started and the lock is released");
  }
  const secrets = readSecrets(plan, request.env, loaded.dir);
  if (secrets.problems.length > 0) {
    registry.close();
    await lock.release();
    return refused("usage", [diag("UPG0803", {
      message: secrets.problems[0] ?? "a secret cannot be read",
      notes: secrets.problems.slice(1),
      help: "set the variable or create the file, then run again",
    })]);
  }
  const release = async (): Promise<void> => {
    registry.close();
    await lock.release();
    await store.close();
  };
  lock.lost.addEventListener("abort", () => {
    const reason: unknown = lock.lost.reason;
    request.say(`${reason instanceof Error ? reason.message : "the lease was lost"}: stopping the running commands; nothing more is written\n`);
  });
  // A database's lock taken over from a gone holder: its steps in flight may still run on their hosts.
  const inFlight = store.kind === "postgres" && lock.tookOver !== null ? await inFlightOf(store, plan) : null;
  const redact = makeRedactor(secrets.values);
  const notifiers = sessionNotifiers(request, loaded, secrets.values, redact, clock);
  return {
    ok: true,
    session: {
      loaded,
      store,
      lock: lock.lock,
      release,
      secrets: secrets.values,
      redact,
      clock,
      registry,
      halt: AbortSignal.any([request.signals.halt, lock.lost]),
      stop: AbortSignal.any([request.signals.signal, lock.lost]),
      inFlight,
      tookOver: lock.tookOver !== null && !lock.tookOver.forced,
      notifiers,
      takeOver: lock.tookOver,
    },
  };
}

/** Waits until no earlier attempt has a process alive (with --kill-survivors, stops them at once); false when a signal ended the wait. */
function settleAttempts(request: SessionRequest, registry: AttemptRegistry): Promise<boolean> {
  return settleSurvivors({
    registry,
    kill: request.killSurvivors === true,
    now: () => Date.now(),
    sleep: (ms, signal) => systemClock.sleep(ms, signal),
    signal: request.signals.signal,
    say: request.say,
  });
}

/** The lock is held by another run, or damaged: UPG0801, with how to go on. */
function lockedProblem(request: SessionRequest, store: StateStore, lock: Extract<StoreLock, { readonly ok: false }>): Diagnostic {
  const h = lock.holder;
  const verb = request.verb;
  return diag("UPG0801", {
    message: h ? `the state in ${shownPath(request.cwd, store.where)} is locked by ${h.user}@${h.host} (pid ${h.pid}, upgradec ${h.command}) since ${h.since}` : lock.reason,
    notes: [lock.reason, ...(h ? [`lock id ${h.id}`] : [])],
    help: h
      ? `wait for that run to end; if it is dead on another machine, and only then: upgradec ${verb} ${request.plan} --force-unlock ${h.id}`
      : lock.damagedId !== null
        ? `if no upgradec runs on this state directory (ps, or its host), remove the damaged lock: upgradec ${verb} ${request.plan} --force-unlock ${lock.damagedId}`
        : `look at ${store.lockWhere}`,
  });
}

/** The plan's secrets from the environment and from files (relative to the plan's directory). */
function readSecrets(plan: PlanFile, env: Readonly<Record<string, string | undefined>>, dir: string): ReturnType<typeof resolveSecrets> {
  return resolveSecrets(plan.secrets, env, (p) => {
    try {
      return readFileSync(p, "utf8");
    } catch {
      return null;
    }
  }, dir);
}

function sessionNotifiers(request: SessionRequest, loaded: LoadedPlan, secrets: SecretValues, redact: Redactor, clock: Clock): Notifiers {
  return new Notifiers({
    plan: loaded.plan,
    secrets,
    redact,
    env: request.env,
    cwd: loaded.dir,
    now: () => clock.now(),
    say: (line) => {
      try {
        request.say(`${line}\n`);
      } catch {
        // The terminal is gone: the notify log still says it.
      }
    },
  });
}

async function inFlightOf(store: StateStore, plan: PlanFile): Promise<ReadonlyMap<string, number | null> | null> {
  const current = await store.currentRun();
  return current.kind === "run" ? inFlightSteps(plan, current.read.records) : null;
}

function describeTakeOver(t: { readonly holder: LockInfo | null; readonly forced: boolean }, id: string | undefined): string {
  const h = t.holder;
  if (h === null) return `removed the damaged lock file (--force-unlock ${id ?? ""})`;
  const who = `${h.user}@${h.host} (pid ${h.pid}, upgradec ${h.command}) since ${h.since}`;
  return t.forced ? `removed the lock of ${who} (--force-unlock ${h.id})` : `took over a stale lock held by ${who}: that process is gone`;
}
