/**
 * `upgradec verify`: after a run, or at any time, is the cloud where the plan leaves it?
 * Live checks (post-checks, health checks, the `to` version on every host, done-checks
 * that can say whether a host is out of maintenance, unpinned, cleaned up) and what the
 * journal says (failed, skipped or interrupted steps, a maintenance-enter without its
 * exit, a pin without its unpin). Every problem carries its remedy: the command to paste,
 * whether retrying is safe, and whether rolling back is still possible.
 */
import type { PlanFile, PlanStep, StepAction } from "../plan/plan.js";
import { describeOutcome, hostsOf, lastLine, probeStep, runProbes, statusResult, versionMatches, type ProbeOutcome, type ProbeTask } from "../probe/probe-runner.js";
import { shellQuote } from "../runtime/command-line.js";
import type { CheckOptions } from "../preflight/check.js";
import type { RunState, StepState } from "../runtime/run-state.js";
import { wayBack } from "../plan/way-back.js";

export type VerifyKind = "secrets" | "postcheck" | "health" | "version" | "maintenance" | "pin" | "cleanup" | "journal";

export interface VerifyRow {
  readonly check: VerifyKind;
  readonly host: string | null;
  readonly service: string | null;
  readonly result: "ok" | "warning" | "problem" | "skipped";
  readonly detail: string;
}

export interface Remedy {
  /** What to do, in one plain sentence. */
  readonly summary: string;
  /** Commands to paste, in order. */
  readonly commands: readonly string[];
  /** true: retrying is safe; false: not safe; null: not known (look first). */
  readonly retrySafe: boolean | null;
  readonly retryNote: string;
}

export interface Problem {
  readonly check: VerifyKind;
  readonly host: string | null;
  readonly service: string | null;
  /** The plan step at fault or that repairs it. */
  readonly step: string | null;
  readonly problem: string;
  readonly remedy: Remedy;
}

export interface RollbackAdvice {
  readonly possible: boolean;
  readonly command: string | null;
  readonly reason: string;
}

export interface VerifyReport {
  readonly rows: readonly VerifyRow[];
  readonly problems: readonly Problem[];
  readonly rollback: RollbackAdvice;
  readonly run: { readonly id: string; readonly phase: RunState["phase"] } | null;
}

export interface VerifyInput {
  readonly plan: PlanFile;
  readonly planDir: string;
  /** The plan file as the operator names it, for the commands in remedies. */
  readonly planArg: string;
  /** The current run replayed from its journal, or null when there is none. */
  readonly run: { readonly id: string; readonly state: RunState } | null;
}

const CHECK_ACTIONS: ReadonlySet<StepAction> = new Set(["precheck", "postcheck", "health", "batch-pause"]);

/** What the steps of verify add to, in the order they find it. */
interface Findings {
  readonly rows: VerifyRow[];
  readonly problems: Problem[];
}

/** What every step needs to word a problem's remedy: the plan, the run's steps, the commands to paste. */
interface VerifyContext {
  readonly plan: PlanFile;
  readonly planArg: string;
  readonly state: RunState | null;
  readonly status: (id: string) => StepState | undefined;
  readonly cmd: (...args: string[]) => string;
  /** There is no run, or it is over: a step can be run again with `run --only`. */
  readonly runFinished: boolean;
}

/** A verify check that reads a done-check of the live cloud: what it means when it fails. */
interface DoneTask {
  readonly task: ProbeTask;
  readonly kind: VerifyKind;
  readonly exit: PlanStep;
  readonly host: string | null;
  readonly what: string;
}

/** A post-check or health check to run against the live cloud. */
interface LiveTask {
  readonly task: ProbeTask;
  readonly kind: "postcheck" | "health";
}

export async function runVerify(input: VerifyInput, options: CheckOptions): Promise<VerifyReport> {
  const { plan } = input;
  const ctx = verifyContext(input);
  const found: Findings = { rows: [], problems: [] };
  const env = { plan, planDir: input.planDir, executor: options.executor, clock: options.clock, secrets: options.secrets, parallel: options.parallel, timeout: options.timeout };

  found.problems.push(...secretProblems(options.secretProblems ?? [], ctx));

  // ---- the journal
  if (input.run === null || ctx.state === null) {
    found.rows.push({ check: "journal", host: null, service: null, result: "skipped", detail: "no run of this plan recorded: only the live checks ran" });
  } else {
    const rid = input.run.id;
    const phaseProblem = journalPhaseProblem(rid, ctx.state, ctx);
    if (phaseProblem !== null) found.problems.push(phaseProblem);
    journalStepFindings(rid, ctx.state, ctx, found);
    const doneTasks = [...leftOpenFindings(ctx, found), ...cleanupDoneTasks(ctx, found)];
    const doneOutcomes = await runProbes(doneTasks.map((d) => d.task), env);
    doneCheckFindings(doneTasks, doneOutcomes, ctx, found);
  }

  // ---- live: post-checks, health checks, versions
  const tasks = liveTasks(plan);
  const versionTasks = versionProbeTasks(plan, found);
  const outcomes = await runProbes([...tasks.map((t) => t.task), ...versionTasks], env);
  liveCheckFindings(tasks, outcomes.slice(0, tasks.length), ctx, found);
  const versionOutcomes = outcomes.slice(tasks.length);
  if (input.run === null) {
    noRunVersionFindings(versionOutcomes, versionTasks.length, ctx, found);
    return { rows: found.rows, problems: found.problems, rollback: rollbackAdvice(plan, ctx.state, input.planArg, ctx.cmd), run: null };
  }
  versionFindings(versionOutcomes, ctx, found);

  return { rows: found.rows, problems: found.problems, rollback: rollbackAdvice(plan, ctx.state, input.planArg, ctx.cmd), run: { id: input.run.id, phase: input.run.state.phase } };
}

function verifyContext(input: VerifyInput): VerifyContext {
  const state = input.run?.state ?? null;
  return {
    plan: input.plan,
    planArg: input.planArg,
    state,
    status: (id: string): StepState | undefined => state?.steps.get(id),
    cmd: (...args: string[]): string => ["upgradec", ...args.map(shellQuote)].join(" "),
    runFinished: state === null || state.phase === "finished" || state.phase === "none",
  };
}

/** The command that runs these steps again (on this host, where a step has several). */
function redo(ctx: VerifyContext, steps: readonly PlanStep[], host: string | null): string {
  const args = ["run", ctx.planArg, ...steps.flatMap((s) => ["--only", s.id])];
  if (host !== null && steps.some((s) => s.hosts.length > 1)) args.push("--host", host);
  return ctx.cmd(...args);
}

// `run --only` starts a new run, which the runtime refuses while the current one is unfinished.
function redoCommands(ctx: VerifyContext, steps: readonly PlanStep[], host: string | null): string[] {
  return ctx.runFinished ? [redo(ctx, steps, host)] : [ctx.cmd("resume", ctx.planArg)];
}

function safety(step: PlanStep): Pick<Remedy, "retrySafe" | "retryNote"> {
  if (CHECK_ACTIONS.has(step.action)) return { retrySafe: true, retryNote: "safe to retry: it only checks, it changes nothing" };
  if (step.done !== null) return { retrySafe: true, retryNote: "safe to retry: its done-check tells whether it is already done, and it is not run again then" };
  return { retrySafe: null, retryNote: `not known to be safe: ${step.id} has no done-check; look at the host (and the step's log) before running it again` };
}

function live(o: ProbeOutcome): boolean {
  return o.exitCode === 0 && !o.timedOut && o.error === null;
}

function secretProblems(unreadable: readonly string[], ctx: VerifyContext): Problem[] {
  return unreadable.map((problem) => ({
    check: "secrets", host: null, service: null, step: null,
    problem: `${problem}: checks that use it cannot run`,
    remedy: { summary: "make the secret readable (set the variable or fix the file), then verify again", commands: [ctx.cmd("verify", ctx.planArg)], retrySafe: true, retryNote: "safe to retry: verify only checks" },
  }));
}

/** The problem the run's phase is, when it did not finish. */
function journalPhaseProblem(rid: string, state: RunState, ctx: VerifyContext): Problem | null {
  const { cmd, planArg } = ctx;
  const problem = (text: string, remedy: Remedy): Problem => ({ check: "journal", host: null, service: null, step: null, problem: text, remedy });
  if (state.phase === "running") {
    return problem(`run ${rid} did not finish: upgradec stopped (or is still running) in the middle of it`,
      { summary: "if no upgradec is running any more, go on with the run; steps cut off are run again unless their done-check says they are done", commands: [cmd("status", planArg), cmd("resume", planArg)], retrySafe: null, retryNote: "resume runs interrupted steps again (at least once); their done-checks prevent repeats where declared" });
  }
  if (state.phase === "stopped") {
    return problem(`run ${rid} stopped on a failure and has not finished`,
      { summary: "fix what the failed step below says, then go on with the run", commands: [cmd("resume", planArg)], retrySafe: null, retryNote: "resume runs the failed steps again" });
  }
  if (state.phase === "rolling-back" || state.phase === "rollback-stopped") {
    return problem(`run ${rid} is in the middle of a rollback`,
      { summary: "finish the rollback (fix a failed undo first)", commands: [cmd("rollback", planArg)], retrySafe: null, retryNote: "rollback goes on from where it stopped" });
  }
  if (state.phase === "rolled-back") {
    return problem(`run ${rid} was rolled back: the cloud is not at ${ctx.plan.plan.to ?? "the target version"}`,
      { summary: "fix what made the run fail, then run the plan again", commands: [cmd("run", planArg)], retrySafe: null, retryNote: "a new run starts from the beginning" });
  }
  return null;
}

/** The problem the journal records for one step, or null when it records none. */
function journalStepProblem(step: PlanStep, s: StepState, state: RunState, ctx: VerifyContext): Problem | null {
  const { cmd, planArg } = ctx;
  const where = s.host ?? (step.hosts.length === 1 ? (step.hosts[0] ?? null) : null);
  const on = where !== null ? ` on ${where}` : "";
  const at = { check: "journal" as const, host: where, service: step.service, step: step.id };
  if (s.status === "failed") {
    return { ...at, problem: `step ${step.id} failed${on}: ${s.message ?? "no reason recorded"}`, remedy: { summary: `fix the cause${on} (its log is in the run's logs), then run the step again`, commands: redoCommands(ctx, [step], where), ...safety(step) } };
  }
  if (s.status === "skipped") {
    return { ...at, problem: `step ${step.id} was skipped${on}${s.message ? ` (${s.message})` : ""}: the run went on without it`, remedy: { summary: `run the skipped step${on}`, commands: ctx.runFinished ? [redo(ctx, [step], where)] : [cmd("resume", planArg)], ...safety(step) } };
  }
  if (s.status === "interrupted" && state.phase !== "running") {
    return { ...at, problem: `step ${step.id} started${on} and never finished`, remedy: { summary: "go on with the run; it runs the step again", commands: [cmd("resume", planArg)], ...safety(step) } };
  }
  if (s.status === "undo-failed") {
    return { ...at, problem: `undoing step ${step.id}${on} failed: ${s.message ?? ""}`, remedy: { summary: "fix the cause, then go on with the rollback", commands: [cmd("rollback", planArg)], retrySafe: null, retryNote: "look at the host first: the undo may have half-run" } };
  }
  return null;
}

/** Failed, skipped, interrupted steps; and, for a clean finished run, the steps that never ran. */
function journalStepFindings(rid: string, state: RunState, ctx: VerifyContext, found: Findings): void {
  const { plan, status } = ctx;
  let clean = true;
  for (const step of plan.steps) {
    const s = status(step.id);
    if (s === undefined) continue;
    const problem = journalStepProblem(step, s, state, ctx);
    if (problem === null) continue;
    clean = false;
    found.problems.push(problem);
  }
  if (clean && state.phase === "finished") {
    const unscoped = state.only === null && state.hostFilter === null;
    const never = unscoped ? plan.steps.filter((s) => status(s.id) === undefined) : [];
    if (never.length > 0) {
      found.problems.push({ check: "journal", host: null, service: null, step: never[0]?.id ?? null, problem: `${never.length} step(s) of the plan never ran (first: ${never[0]?.id ?? ""})`, remedy: { summary: "run them", commands: [redo(ctx, never.slice(0, 5), null)], retrySafe: null, retryNote: "each runs for the first time" } });
    } else found.rows.push({ check: "journal", host: null, service: null, result: "ok", detail: `run ${rid} finished; no step failed or was skipped` });
  }
}

/**
 * A maintenance-enter that succeeded without its exit, a pin without its unpin: asked of
 * the live cloud where the exit or unpin has a done-check (returned as tasks), else read
 * from the journal.
 */
function leftOpenFindings(ctx: VerifyContext, found: Findings): DoneTask[] {
  const { plan, status } = ctx;
  const pairs: { enter: StepAction; exit: StepAction; kind: VerifyKind; what: (host: string | null, service: string | null) => string }[] = [
    { enter: "maintenance-enter", exit: "maintenance-exit", kind: "maintenance", what: (h, s) => `${h ?? "a host"} was left in maintenance (${s ?? ""}): it takes no new work` },
    { enter: "pin", exit: "unpin", kind: "pin", what: (_h, s) => `${s ?? "a service"} is still pinned to the old RPC version: the new code runs in compatibility mode` },
  ];
  const doneTasks: DoneTask[] = [];
  for (const pair of pairs) {
    for (const enter of plan.steps.filter((s) => s.action === pair.enter && status(s.id)?.status === "succeeded")) {
      const exits = plan.steps.filter((s) => s.action === pair.exit && s.service === enter.service && (enter.hosts.length === 0 || s.hosts.some((h) => enter.hosts.includes(h))));
      for (const exit of exits) {
        const hosts = enter.hosts.length > 0 ? exit.hosts.filter((h) => enter.hosts.includes(h)) : [null];
        for (const host of hosts) {
          const what = pair.what(host, enter.service);
          if (exit.done !== null) {
            doneTasks.push({ task: { step: exit, host, spec: exit.done, viaConnection: true, purpose: "done" }, kind: pair.kind, exit, host, what });
          } else if (status(exit.id)?.status !== "succeeded") {
            found.problems.push({ check: pair.kind, host, service: exit.service, step: exit.id, problem: `${what} (the journal shows ${enter.id} succeeded, ${exit.id} ${statusWords(status(exit.id))})`, remedy: { summary: `run ${exit.action} for it`, commands: redoCommands(ctx, [exit], host), ...safety(exit) } });
          } else found.rows.push({ check: pair.kind, host, service: exit.service, result: "ok", detail: `${exit.id} succeeded` });
        }
      }
    }
  }
  return doneTasks;
}

/** For each cleanup that ran, its done-check on each host (asks whether the old version is gone). */
function cleanupDoneTasks(ctx: VerifyContext, found: Findings): DoneTask[] {
  const doneTasks: DoneTask[] = [];
  for (const cleanup of ctx.plan.steps.filter((s) => s.action === "cleanup" && ctx.status(s.id)?.status === "succeeded")) {
    if (cleanup.done === null) {
      found.rows.push({ check: "cleanup", host: null, service: cleanup.service, result: "skipped", detail: `${cleanup.id} ran; it has no done-check to ask whether the old version is gone` });
      continue;
    }
    for (const host of hostsOf(cleanup)) {
      doneTasks.push({ task: { step: cleanup, host, spec: cleanup.done, viaConnection: true, purpose: "done" }, kind: "cleanup", exit: cleanup, host, what: `the old version of ${cleanup.service ?? "a service"} is still installed${host !== null ? ` on ${host}` : ""}, although cleanup ran` });
    }
  }
  return doneTasks;
}

function doneCheckFindings(doneTasks: readonly DoneTask[], outcomes: readonly ProbeOutcome[], ctx: VerifyContext, found: Findings): void {
  outcomes.forEach((o, i) => {
    const d = doneTasks[i];
    if (d === undefined) return;
    if (live(o)) found.rows.push({ check: d.kind, host: d.host, service: d.exit.service, result: "ok", detail: `${d.exit.id}: its done-check passes` });
    else found.problems.push({ check: d.kind, host: d.host, service: d.exit.service, step: d.exit.id, problem: `${d.what} (the done-check of ${d.exit.id}: ${describeOutcome(o)})`, remedy: { summary: `run ${d.exit.action} again`, commands: redoCommands(ctx, [d.exit], d.host), ...safety(d.exit) } });
  });
}

function liveTasks(plan: PlanFile): LiveTask[] {
  const tasks: LiveTask[] = [];
  for (const step of plan.steps) {
    if (step.command === null) continue;
    if (step.action === "postcheck") for (const host of hostsOf(step)) tasks.push({ task: { step, host, spec: step.command, viaConnection: true, purpose: "action" }, kind: "postcheck" });
    if (step.action === "health") for (const host of hostsOf(step)) tasks.push({ task: { step, host, spec: step.command, viaConnection: true, purpose: "health" }, kind: "health" });
  }
  return tasks;
}

/** A version query per service instance; a skipped row where there is none to ask. */
function versionProbeTasks(plan: PlanFile, found: Findings): ProbeTask[] {
  const to = plan.plan.to;
  const versionTasks: ProbeTask[] = [];
  if (to !== null) {
    for (const service of plan.services) {
      const spec = service.version;
      if (spec === null) {
        found.rows.push({ check: "version", host: null, service: service.name, result: "skipped", detail: `${service.name} declares no \`version\` action` });
        continue;
      }
      for (const host of service.hosts) versionTasks.push({ step: probeStep(`verify/version/${service.name}/${host}`, service.name, host), host, spec, viaConnection: true, purpose: "health" });
    }
  } else found.rows.push({ check: "version", host: null, service: null, result: "skipped", detail: "the plan names no `to` version" });
  return versionTasks;
}

/** The post-checks' and health checks' outcomes, in the order of their tasks. */
function liveCheckFindings(tasks: readonly LiveTask[], outcomes: readonly ProbeOutcome[], ctx: VerifyContext, found: Findings): void {
  const { plan, cmd, planArg } = ctx;
  outcomes.forEach((o, i) => {
    const kind = tasks[i]?.kind ?? "postcheck";
    const step = o.task.step;
    const host = o.task.host;
    const on = host !== null ? ` on ${host}` : "";
    const said = lastLine(o.output);
    const result = kind === "postcheck" ? statusResult(o) : live(o) ? "ok" : "failed";
    if (result === "ok") found.rows.push({ check: kind, host, service: step.service, result: "ok", detail: `${step.id} passes` });
    else if (result === "warning") found.rows.push({ check: kind, host, service: step.service, result: "warning", detail: `${step.id}: warning (exit 1)${said ? `: ${said}` : ""}` });
    else if (kind === "postcheck") {
      found.problems.push({ check: kind, host, service: step.service, step: step.id, problem: `the post-check ${step.id}${on} fails (${describeOutcome(o)})${said ? `: ${said}` : ""}`, remedy: { summary: `find out why ${step.service ?? "the service"} fails its post-check${on}; once fixed, verify again`, commands: [cmd("verify", planArg)], retrySafe: true, retryNote: "safe to retry: it only checks" } });
    } else {
      const restart = plan.steps.filter((s) => s.service === step.service && s.action === "start" && (host === null || s.hosts.includes(host)));
      const redoSteps = [...restart, step];
      found.problems.push({ check: kind, host, service: step.service, step: step.id, problem: `${step.service ?? "the service"} is not healthy${on}: ${describeOutcome(o)}${said ? `: ${said}` : ""}`, remedy: { summary: `look at ${step.service ?? "the service"}${on}; start it again and wait for its health gate`, commands: redoCommands(ctx, redoSteps, host), ...safety(restart[0] ?? step) } });
    }
  });
}

/** No run: no step to redo, only the question whether the cloud is where the plan leaves it. */
function noRunVersionFindings(outcomes: readonly ProbeOutcome[], probed: number, ctx: VerifyContext, found: Findings): void {
  const to = ctx.plan.plan.to;
  const tally = tallyVersions(ctx.plan, outcomes, live);
  for (const h of tally.atTo) found.rows.push({ check: "version", host: h.host, service: h.service, result: "ok", detail: `${to ?? ""} installed` });
  const noRun = noRunProblem(ctx.plan, tally, probed, ctx.cmd("run", ctx.planArg));
  if (noRun === null) found.rows.push({ check: "journal", host: null, service: null, result: "ok", detail: `no run of this plan; every probed host already runs ${to ?? ""} (to)` });
  else found.problems.push(noRun);
}

/** Each probed instance at the `to` version, or the problem and the steps that upgrade it again. */
function versionFindings(outcomes: readonly ProbeOutcome[], ctx: VerifyContext, found: Findings): void {
  const { plan } = ctx;
  const to = plan.plan.to;
  for (const o of outcomes) {
    const service = o.task.step.service;
    const host = o.task.host;
    if (live(o) && to !== null && versionMatches(o.output, to)) {
      found.rows.push({ check: "version", host, service, result: "ok", detail: `${to} installed` });
      continue;
    }
    const upgrade = plan.steps.filter((s) => s.service === service && host !== null && s.hosts.includes(host) && (s.action === "upgrade" || s.action === "start" || s.action === "health"));
    found.problems.push({
      check: "version", host, service, step: upgrade[0]?.id ?? null,
      problem: live(o) ? `${service ?? ""} on ${host ?? "?"} runs ${lastLine(o.output) || "(nothing printed)"}, not ${to ?? "?"}` : `cannot tell the version of ${service ?? ""} on ${host ?? "?"}: ${describeOutcome(o)}`,
      remedy: upgrade.length > 0
        ? { summary: `upgrade ${service ?? ""} on ${host ?? ""} again`, commands: redoCommands(ctx, upgrade, host), ...safety(upgrade[0] as PlanStep) }
        : { summary: `no step of the plan upgrades ${service ?? ""} on ${host ?? ""}: look at the host`, commands: [], retrySafe: null, retryNote: "" },
    });
  }
}

interface VersionTally {
  readonly atFrom: readonly { readonly host: string | null; readonly service: string | null }[];
  readonly atTo: readonly { readonly host: string | null; readonly service: string | null }[];
  /** Another version, or none could be read: with what was seen. */
  readonly other: readonly { readonly host: string | null; readonly service: string | null; readonly seen: string }[];
}

/** Each probed instance at the plan's `from`, at its `to`, or neither (or unreadable). */
function tallyVersions(plan: PlanFile, outcomes: readonly ProbeOutcome[], live: (o: ProbeOutcome) => boolean): VersionTally {
  const atFrom: VersionTally["atFrom"][number][] = [];
  const atTo: VersionTally["atTo"][number][] = [];
  const other: VersionTally["other"][number][] = [];
  const { from, to } = plan.plan;
  for (const o of outcomes) {
    const where = { host: o.task.host, service: o.task.step.service };
    if (live(o) && to !== null && versionMatches(o.output, to)) atTo.push(where);
    else if (live(o) && from !== null && versionMatches(o.output, from)) atFrom.push(where);
    else other.push({ ...where, seen: live(o) ? lastLine(o.output) || "(nothing printed)" : describeOutcome(o) });
  }
  return { atFrom, atTo, other };
}

/**
 * With no run of the plan recorded, the cloud is where the plan leaves it only if the
 * version probes say every instance runs `to`; the problem otherwise, or null.
 */
function noRunProblem(plan: PlanFile, tally: VersionTally, probed: number, runCommand: string): Problem | null {
  const { from, to } = plan.plan;
  const remedy: Remedy = { summary: "run the plan", commands: [runCommand], retrySafe: null, retryNote: "a new run starts from the beginning" };
  if (probed === 0) {
    return {
      check: "journal", host: null, service: null, step: null,
      problem: `no run of this plan is recorded, and no version query tells which release the hosts run (${to === null ? "the plan names no `to`" : "no service declares a `version` action"}): nothing says the cloud is at ${to ?? "the target"}`,
      remedy,
    };
  }
  if (tally.atFrom.length === 0 && tally.other.length === 0) return null;
  const names = (list: readonly { readonly host: string | null; readonly service: string | null }[]): string =>
    list.length === 0 ? "" : `: ${list.slice(0, 5).map((x) => `${x.service ?? ""} on ${x.host ?? "?"}`).join(", ")}${list.length > 5 ? ", …" : ""}`;
  const others = tally.other.length > 0 ? `; ${tally.other.length} neither (${tally.other.slice(0, 3).map((x) => `${x.service ?? ""} on ${x.host ?? "?"}: ${x.seen}`).join("; ")}${tally.other.length > 3 ? "; …" : ""})` : "";
  return {
    check: "version", host: null, service: null, step: null,
    problem: `no run of this plan: ${tally.atFrom.length} instance(s) at ${from ?? "?"} (from)${names(tally.atFrom)}, ${tally.atTo.length} at ${to ?? "?"} (to)${others}`,
    remedy,
  };
}

function statusWords(s: StepState | undefined): string {
  if (s === undefined || s.status === "pending") return "never ran";
  if (s.status === "interrupted") return "started and never finished";
  return s.status;
}

/** Whether rolling back is still possible: wayBack's answer, the one rollback itself acts on. */
export function rollbackAdvice(plan: PlanFile, state: RunState | null, planArg: string, cmd: (...args: string[]) => string): RollbackAdvice {
  const way = wayBack(plan, state);
  if (!way.possible) {
    const further = way.insteadTo !== null ? `; or roll back further: ${cmd("rollback", planArg, "--to", way.insteadTo)}` : "";
    const forward = way.blockedBy !== null ? "; the way out is forward: fix the problem and retry" : "";
    return { possible: false, command: null, reason: `${way.reason}${forward}${further}` };
  }
  return { possible: true, command: cmd("rollback", planArg), reason: way.summary.replace(/^rollback is possible, /, "") };
}
