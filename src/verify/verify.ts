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

export async function runVerify(input: VerifyInput, options: CheckOptions): Promise<VerifyReport> {
  const { plan } = input;
  const rows: VerifyRow[] = [];
  const problems: Problem[] = [];
  const state = input.run?.state ?? null;
  const status = (id: string): StepState | undefined => state?.steps.get(id);
  const cmd = (...args: string[]): string => ["upgradec", ...args.map(shellQuote)].join(" ");
  const runFinished = state === null || state.phase === "finished" || state.phase === "none";
  const redo = (steps: readonly PlanStep[], host: string | null): string => {
    const args = ["run", input.planArg, ...steps.flatMap((s) => ["--only", s.id])];
    if (host !== null && steps.some((s) => s.hosts.length > 1)) args.push("--host", host);
    return cmd(...args);
  };
  // `run --only` starts a new run, which the runtime refuses while the current one is unfinished.
  const redoCommands = (steps: readonly PlanStep[], host: string | null): string[] => (runFinished ? [redo(steps, host)] : [cmd("resume", input.planArg)]);
  const safety = (step: PlanStep): Pick<Remedy, "retrySafe" | "retryNote"> => {
    if (CHECK_ACTIONS.has(step.action)) return { retrySafe: true, retryNote: "safe to retry: it only checks, it changes nothing" };
    if (step.done !== null) return { retrySafe: true, retryNote: "safe to retry: its done-check tells whether it is already done, and it is not run again then" };
    return { retrySafe: null, retryNote: `not known to be safe: ${step.id} has no done-check; look at the host (and the step's log) before running it again` };
  };
  const live = (o: ProbeOutcome): boolean => o.exitCode === 0 && !o.timedOut && o.error === null;
  const env = { plan, planDir: input.planDir, executor: options.executor, clock: options.clock, secrets: options.secrets, parallel: options.parallel, timeout: options.timeout };

  for (const problem of options.secretProblems ?? []) {
    problems.push({
      check: "secrets", host: null, service: null, step: null,
      problem: `${problem}: checks that use it cannot run`,
      remedy: { summary: "make the secret readable (set the variable or fix the file), then verify again", commands: [cmd("verify", input.planArg)], retrySafe: true, retryNote: "safe to retry: verify only checks" },
    });
  }

  // ---- the journal
  if (input.run === null || state === null) {
    rows.push({ check: "journal", host: null, service: null, result: "skipped", detail: "no run of this plan recorded: only the live checks ran" });
  } else {
    const rid = input.run.id;
    if (state.phase === "running") {
      problems.push({
        check: "journal", host: null, service: null, step: null,
        problem: `run ${rid} did not finish: upgradec stopped (or is still running) in the middle of it`,
        remedy: { summary: "if no upgradec is running any more, go on with the run; steps cut off are run again unless their done-check says they are done", commands: [cmd("status", input.planArg), cmd("resume", input.planArg)], retrySafe: null, retryNote: "resume runs interrupted steps again (at least once); their done-checks prevent repeats where declared" },
      });
    } else if (state.phase === "stopped") {
      problems.push({
        check: "journal", host: null, service: null, step: null,
        problem: `run ${rid} stopped on a failure and has not finished`,
        remedy: { summary: "fix what the failed step below says, then go on with the run", commands: [cmd("resume", input.planArg)], retrySafe: null, retryNote: "resume runs the failed steps again" },
      });
    } else if (state.phase === "rolling-back" || state.phase === "rollback-stopped") {
      problems.push({
        check: "journal", host: null, service: null, step: null,
        problem: `run ${rid} is in the middle of a rollback`,
        remedy: { summary: "finish the rollback (fix a failed undo first)", commands: [cmd("rollback", input.planArg)], retrySafe: null, retryNote: "rollback goes on from where it stopped" },
      });
    } else if (state.phase === "rolled-back") {
      problems.push({
        check: "journal", host: null, service: null, step: null,
        problem: `run ${rid} was rolled back: the cloud is not at ${plan.plan.to ?? "the target version"}`,
        remedy: { summary: "fix what made the run fail, then run the plan again", commands: [cmd("run", input.planArg)], retrySafe: null, retryNote: "a new run starts from the beginning" },
      });
    }
    let clean = true;
    for (const step of plan.steps) {
      const s = status(step.id);
      if (s === undefined) continue;
      const where = s.host ?? (step.hosts.length === 1 ? (step.hosts[0] ?? null) : null);
      const on = where !== null ? ` on ${where}` : "";
      if (s.status === "failed") {
        clean = false;
        problems.push({ check: "journal", host: where, service: step.service, step: step.id, problem: `step ${step.id} failed${on}: ${s.message ?? "no reason recorded"}`, remedy: { summary: `fix the cause${on} (its log is in the run's logs), then run the step again`, commands: redoCommands([step], where), ...safety(step) } });
      } else if (s.status === "skipped") {
        clean = false;
        problems.push({ check: "journal", host: where, service: step.service, step: step.id, problem: `step ${step.id} was skipped${on}${s.message ? ` (${s.message})` : ""}: the run went on without it`, remedy: { summary: `run the skipped step${on}`, commands: runFinished ? [redo([step], where)] : [cmd("resume", input.planArg)], ...safety(step) } });
      } else if (s.status === "interrupted" && state.phase !== "running") {
        clean = false;
        problems.push({ check: "journal", host: where, service: step.service, step: step.id, problem: `step ${step.id} started${on} and never finished`, remedy: { summary: "go on with the run; it runs the step again", commands: [cmd("resume", input.planArg)], ...safety(step) } });
      } else if (s.status === "undo-failed") {
        clean = false;
        problems.push({ check: "journal", host: where, service: step.service, step: step.id, problem: `undoing step ${step.id}${on} failed: ${s.message ?? ""}`, remedy: { summary: "fix the cause, then go on with the rollback", commands: [cmd("rollback", input.planArg)], retrySafe: null, retryNote: "look at the host first: the undo may have half-run" } });
      }
    }
    if (clean && state.phase === "finished") {
      const unscoped = state.only === null && state.hostFilter === null;
      const never = unscoped ? plan.steps.filter((s) => status(s.id) === undefined) : [];
      if (never.length > 0) {
        problems.push({ check: "journal", host: null, service: null, step: never[0]?.id ?? null, problem: `${never.length} step(s) of the plan never ran (first: ${never[0]?.id ?? ""})`, remedy: { summary: "run them", commands: [redo(never.slice(0, 5), null)], retrySafe: null, retryNote: "each runs for the first time" } });
      } else rows.push({ check: "journal", host: null, service: null, result: "ok", detail: `run ${rid} finished; no step failed or was skipped` });
    }

    // A maintenance-enter that succeeded without its exit, a pin without its unpin: asked of
    // the live cloud where the exit or unpin has a done-check, else read from the journal.
    const pairs: { enter: StepAction; exit: StepAction; kind: VerifyKind; what: (host: string | null, service: string | null) => string }[] = [
      { enter: "maintenance-enter", exit: "maintenance-exit", kind: "maintenance", what: (h, s) => `${h ?? "a host"} was left in maintenance (${s ?? ""}): it takes no new work` },
      { enter: "pin", exit: "unpin", kind: "pin", what: (_h, s) => `${s ?? "a service"} is still pinned to the old RPC version: the new code runs in compatibility mode` },
    ];
    const doneTasks: { task: ProbeTask; kind: VerifyKind; exit: PlanStep; host: string | null; what: string }[] = [];
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
              problems.push({ check: pair.kind, host, service: exit.service, step: exit.id, problem: `${what} (the journal shows ${enter.id} succeeded, ${exit.id} ${statusWords(status(exit.id))})`, remedy: { summary: `run ${exit.action} for it`, commands: redoCommands([exit], host), ...safety(exit) } });
            } else rows.push({ check: pair.kind, host, service: exit.service, result: "ok", detail: `${exit.id} succeeded` });
          }
        }
      }
    }
    for (const cleanup of plan.steps.filter((s) => s.action === "cleanup" && status(s.id)?.status === "succeeded")) {
      if (cleanup.done === null) {
        rows.push({ check: "cleanup", host: null, service: cleanup.service, result: "skipped", detail: `${cleanup.id} ran; it has no done-check to ask whether the old version is gone` });
        continue;
      }
      for (const host of hostsOf(cleanup)) {
        doneTasks.push({ task: { step: cleanup, host, spec: cleanup.done, viaConnection: true, purpose: "done" }, kind: "cleanup", exit: cleanup, host, what: `the old version of ${cleanup.service ?? "a service"} is still installed${host !== null ? ` on ${host}` : ""}, although cleanup ran` });
      }
    }
    const doneOutcomes = await runProbes(doneTasks.map((d) => d.task), env);
    doneOutcomes.forEach((o, i) => {
      const d = doneTasks[i];
      if (d === undefined) return;
      if (live(o)) rows.push({ check: d.kind, host: d.host, service: d.exit.service, result: "ok", detail: `${d.exit.id}: its done-check passes` });
      else problems.push({ check: d.kind, host: d.host, service: d.exit.service, step: d.exit.id, problem: `${d.what} (the done-check of ${d.exit.id}: ${describeOutcome(o)})`, remedy: { summary: `run ${d.exit.action} again`, commands: redoCommands([d.exit], d.host), ...safety(d.exit) } });
    });
  }

  // ---- live: post-checks, health checks, versions
  const tasks: { task: ProbeTask; kind: "postcheck" | "health" }[] = [];
  for (const step of plan.steps) {
    if (step.command === null) continue;
    if (step.action === "postcheck") for (const host of hostsOf(step)) tasks.push({ task: { step, host, spec: step.command, viaConnection: true, purpose: "action" }, kind: "postcheck" });
    if (step.action === "health") for (const host of hostsOf(step)) tasks.push({ task: { step, host, spec: step.command, viaConnection: true, purpose: "health" }, kind: "health" });
  }
  const to = plan.plan.to;
  const versionTasks: ProbeTask[] = [];
  if (to !== null) {
    for (const service of plan.services) {
      const spec = service.version;
      if (spec === null) {
        rows.push({ check: "version", host: null, service: service.name, result: "skipped", detail: `${service.name} declares no \`version\` action` });
        continue;
      }
      for (const host of service.hosts) versionTasks.push({ step: probeStep(`verify/version/${service.name}/${host}`, service.name, host), host, spec, viaConnection: true, purpose: "health" });
    }
  } else rows.push({ check: "version", host: null, service: null, result: "skipped", detail: to === null ? "the plan names no `to` version" : "the plan's sources could not be compiled again to find the version queries" });
  const outcomes = await runProbes([...tasks.map((t) => t.task), ...versionTasks], env);
  outcomes.slice(0, tasks.length).forEach((o, i) => {
    const kind = tasks[i]?.kind ?? "postcheck";
    const step = o.task.step;
    const host = o.task.host;
    const on = host !== null ? ` on ${host}` : "";
    const said = lastLine(o.output);
    const result = kind === "postcheck" ? statusResult(o) : live(o) ? "ok" : "failed";
    if (result === "ok") rows.push({ check: kind, host, service: step.service, result: "ok", detail: `${step.id} passes` });
    else if (result === "warning") rows.push({ check: kind, host, service: step.service, result: "warning", detail: `${step.id}: warning (exit 1)${said ? `: ${said}` : ""}` });
    else if (kind === "postcheck") {
      problems.push({ check: kind, host, service: step.service, step: step.id, problem: `the post-check ${step.id}${on} fails (${describeOutcome(o)})${said ? `: ${said}` : ""}`, remedy: { summary: `find out why ${step.service ?? "the service"} fails its post-check${on}; once fixed, verify again`, commands: [cmd("verify", input.planArg)], retrySafe: true, retryNote: "safe to retry: it only checks" } });
    } else {
      const restart = plan.steps.filter((s) => s.service === step.service && s.action === "start" && (host === null || s.hosts.includes(host)));
      const redoSteps = [...restart, step];
      problems.push({ check: kind, host, service: step.service, step: step.id, problem: `${step.service ?? "the service"} is not healthy${on}: ${describeOutcome(o)}${said ? `: ${said}` : ""}`, remedy: { summary: `look at ${step.service ?? "the service"}${on}; start it again and wait for its health gate`, commands: redoCommands(redoSteps, host), ...safety(restart[0] ?? step) } });
    }
  });
  const versionOutcomes = outcomes.slice(tasks.length);
  if (input.run === null) {
    // No run: no step to redo, only the question whether the cloud is where the plan leaves it.
    const tally = tallyVersions(plan, versionOutcomes, live);
    for (const h of tally.atTo) rows.push({ check: "version", host: h.host, service: h.service, result: "ok", detail: `${to ?? ""} installed` });
    const noRun = noRunProblem(plan, tally, versionTasks.length, cmd("run", input.planArg));
    if (noRun === null) rows.push({ check: "journal", host: null, service: null, result: "ok", detail: `no run of this plan; every probed host already runs ${to ?? ""} (to)` });
    else problems.push(noRun);
    return { rows, problems, rollback: rollbackAdvice(plan, state, input.planArg, cmd), run: null };
  }
  for (const o of versionOutcomes) {
    const service = o.task.step.service;
    const host = o.task.host;
    if (live(o) && to !== null && versionMatches(o.output, to)) {
      rows.push({ check: "version", host, service, result: "ok", detail: `${to} installed` });
      continue;
    }
    const upgrade = plan.steps.filter((s) => s.service === service && host !== null && s.hosts.includes(host) && (s.action === "upgrade" || s.action === "start" || s.action === "health"));
    problems.push({
      check: "version", host, service, step: upgrade[0]?.id ?? null,
      problem: live(o) ? `${service ?? ""} on ${host ?? "?"} runs ${lastLine(o.output) || "(nothing printed)"}, not ${to ?? "?"}` : `cannot tell the version of ${service ?? ""} on ${host ?? "?"}: ${describeOutcome(o)}`,
      remedy: upgrade.length > 0
        ? { summary: `upgrade ${service ?? ""} on ${host ?? ""} again`, commands: redoCommands(upgrade, host), ...safety(upgrade[0] as PlanStep) }
        : { summary: `no step of the plan upgrades ${service ?? ""} on ${host ?? ""}: look at the host`, commands: [], retrySafe: null, retryNote: "" },
    });
  }

  return { rows, problems, rollback: rollbackAdvice(plan, state, input.planArg, cmd), run: input.run ? { id: input.run.id, phase: input.run.state.phase } : null };
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
