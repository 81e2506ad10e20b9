/**
 * Injected faults: which executions fail, which actions run slow, which hosts never come
 * back. Random failures are a pure function of (seed, step, host, attempt), so a seed
 * gives the same run whatever order the scheduler happens to reach the steps in.
 */
import { STEP_ACTIONS, type PlanFile, type PlanStep } from "../plan/plan.js";

export interface StepFault {
  /** A step id, or an action name (every step of that action). */
  readonly step: string;
  /** Only on this host; null for every host of the matching steps. */
  readonly host: string | null;
}

export interface FaultSpec {
  /** `--fail STEP[@HOST]`: the action fails on every attempt. */
  readonly fail: readonly StepFault[];
  /** `--lose STEP[@HOST]`: an evacuation that drops one instance (an executor fault the invariants must catch). */
  readonly lose: readonly StepFault[];
  /** `--fail-rate P`: each attempt of each action fails with this probability. */
  readonly failRate: number;
  readonly seed: number;
  /** `--slow ACTION=FACTOR`: that action's steps take FACTOR times their estimate. */
  readonly slow: Readonly<Record<string, number>>;
  /** `--down HOST`: goes down at its first reboot or stop and never comes back. */
  readonly down: readonly string[];
}

export const NO_FAULTS: FaultSpec = { fail: [], lose: [], failRate: 0, seed: 1, slow: {}, down: [] };

const ACTIONS: ReadonlySet<string> = new Set<string>(STEP_ACTIONS);

export function parseStepFault(text: string): StepFault {
  const at = text.lastIndexOf("@");
  return at > 0 ? { step: text.slice(0, at), host: text.slice(at + 1) } : { step: text, host: null };
}

/** `ACTION=FACTOR` pairs; problems as one-line messages. */
export function parseSlow(items: readonly string[]): { slow: Record<string, number>; problems: string[] } {
  const slow: Record<string, number> = {};
  const problems: string[] = [];
  for (const item of items) {
    const eq = item.indexOf("=");
    const action = eq > 0 ? item.slice(0, eq) : "";
    const factor = Number(eq > 0 ? item.slice(eq + 1) : NaN);
    if (!ACTIONS.has(action) || action === "batch-pause") problems.push(`--slow ${item}: expected ACTION=FACTOR with ACTION one of ${[...ACTIONS].filter((a) => a !== "batch-pause").join(", ")}`);
    else if (!Number.isFinite(factor) || factor <= 0) problems.push(`--slow ${item}: FACTOR must be a positive number`);
    else slow[action] = factor;
  }
  return { slow, problems };
}

/** What in the faults names nothing in this plan (a typo would otherwise test nothing). */
export function checkFaults(plan: PlanFile, faults: FaultSpec): string[] {
  const problems: string[] = [];
  const ids = new Set(plan.steps.map((s) => s.id));
  const hosts = new Set(plan.hosts.map((h) => h.name));
  for (const [flag, list] of [["--fail", faults.fail], ["--lose", faults.lose]] as const) {
    for (const f of list) {
      // A step that runs no command (a pause) never reaches the executor: a fault there would test nothing.
      const matches = plan.steps.filter((s) => matchesStep(f, s) && s.command !== null);
      if (!ids.has(f.step) && !ACTIONS.has(f.step)) problems.push(`${flag} ${f.step}: no step has this id, and it is not an action name`);
      else if (f.host !== null && !hosts.has(f.host)) problems.push(`${flag} ${f.step}@${f.host}: the plan has no host ${f.host}`);
      else if (f.host !== null && !matches.some((s) => s.hosts.includes(f.host ?? ""))) problems.push(`${flag} ${f.step}@${f.host}: no such step runs on ${f.host}`);
      else if (matches.length === 0) problems.push(`${flag} ${f.step}: no step of the plan that runs a command matches`);
    }
  }
  for (const h of faults.down) if (!hosts.has(h)) problems.push(`--down ${h}: the plan has no host ${h}`);
  if (!(faults.failRate >= 0 && faults.failRate <= 1)) problems.push(`--fail-rate ${faults.failRate}: must be between 0 and 1`);
  if (!Number.isInteger(faults.seed)) problems.push(`--seed ${faults.seed}: must be an integer`);
  return problems;
}

function matchesStep(f: StepFault, step: PlanStep): boolean {
  return f.step === step.id || f.step === step.action;
}

export function matchesFault(list: readonly StepFault[], step: PlanStep, host: string | null): boolean {
  return list.some((f) => matchesStep(f, step) && (f.host === null || f.host === host));
}

/** mulberry32: a small, well-studied 32-bit PRNG; one draw from a seeded state. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a over a string, to mix a draw's identity into the seed. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A uniform draw in [0, 1) determined by the seed and the execution's identity. */
export function draw(seed: number, key: string): number {
  return mulberry32((seed ^ fnv1a(key)) >>> 0)();
}

/** An injected fault that never applied, and why: a run that never met it tested nothing. */
export interface UnfiredFault {
  /** As given on the command line: `--down cmp003`, `--fail upgrade@cmp017`. */
  readonly fault: string;
  readonly why: string;
}

/**
 * The faults that never fired in a simulated run. `started` holds the ids of the steps the
 * run started; `lost` the hosts that went down for good.
 */
export function unfiredFaults(plan: PlanFile, faults: FaultSpec, started: ReadonlySet<string>, lost: ReadonlySet<string>): UnfiredFault[] {
  const out: UnfiredFault[] = [];
  for (const host of faults.down) {
    if (lost.has(host)) continue;
    const downs = plan.steps.filter((s) => (s.action === "reboot" || s.action === "stop") && s.command !== null && s.hosts.includes(host));
    const why =
      downs.length === 0
        ? `no step of the plan reboots or stops ${host} (its services have no reboot or stop command), so it never goes down`
        : `the run never reached a reboot or stop of ${host} (${downs[0]?.id ?? ""})`;
    out.push({ fault: `--down ${host}`, why });
  }
  for (const [flag, list] of [["--fail", faults.fail], ["--lose", faults.lose]] as const) {
    for (const f of list) {
      const matching = plan.steps.filter((s) => matchesStep(f, s) && s.command !== null && (f.host === null || s.hosts.includes(f.host)));
      if (matching.some((s) => started.has(s.id))) continue;
      const name = f.host === null ? f.step : `${f.step}@${f.host}`;
      out.push({ fault: `${flag} ${name}`, why: `the run never started ${matching.length === 1 ? (matching[0]?.id ?? "") : "a step it matches"}` });
    }
  }
  return out;
}
