import { writeFileSync } from "node:fs";
import { resolve as resolvePath } from "node:path";
import { hasErrors } from "../../diagnostics/diagnostic.js";
import { renderDiagnostics } from "../../diagnostics/render.js";
import { compileFile } from "../../compiler/compile.js";
import { nodeLoadHost } from "../../files/node-host.js";
import type { PlanFile } from "../../plan/plan.js";
import { EventsFile } from "../../runtime/events.js";
import { loadPlan } from "../../runtime/plan-load.js";
import { formatProblems } from "../session.js";
import { list } from "../options.js";
import { type FaultSpec, checkFaults, parseSlow, parseStepFault } from "../../simulate/faults.js";
import { renderText, toJson, toJunit } from "../../simulate/report.js";
import { simulate, type SimulationReport } from "../../simulate/simulate.js";
import { VERSION } from "../../version.js";
import { useColor } from "../color.js";
import { ExitCode } from "../exit-codes.js";
import type { CliIO } from "../io.js";
import type { Verb } from "../verb.js";

const USAGE = `upgradec simulate <file>

Run the plan's step graph in virtual time against a model of the cloud, with the real
runtime's scheduler, caps, windows and failure policy, and nothing executed. The model:
hosts (up, maintenance), service instances (version, running), VMs per host (host var
\`instances\`; capacity from \`capacity\`, else --capacity, else twice the largest instance
count), RPC pins and schema levels. Invariants are checked after every event. Injected
faults hit actions only, never undos or restores, so a rollback shows what the plan's own
undo path does. --events FILE appends the records the run would journal, as run --events
writes them, with the virtual clock's times.

Exit: 9 when an invariant was violated; 1 when the .upg does not compile; 5 for an invalid
plan file; 2 for bad options. A run that stopped or rolled back with every invariant held
exits 0 (the policy handled the fault safely); with --require-complete it exits 3 (stopped)
or 4 (rolled back) instead.`;

export const simulateVerb: Verb = {
  command: "simulate <file>",
  describe: "Run the plan in virtual time against a model of the cloud, with injected faults",
  examples: [
    ["upgradec simulate cloud.upg --fail-rate 0.05 --seed 7", "gate a policy change in CI"],
    ["upgradec simulate plan.json --fail nova-compute/b2/cmp004/upgrade --rollback-on-failure", "one step fails; simulate the rollback too"],
    ["upgradec simulate cloud.upg --fail upgrade@cmp017 --down cmp003 --slow reboot=3", "an upgrade fails on one host, another never comes back, reboots are slow"],
    ["upgradec simulate cloud.upg --junit sim.xml", "JUnit XML for the CI's test report"],
    ["upgradec simulate plan.json --events events.jsonl", "the run's events, as run --events writes them, in virtual time"],
  ],
  builder: (y) =>
    y
      .usage(USAGE)
      .positional("file", { type: "string", describe: "a .upg file (compiled first) or a plan file (plan.json)", demandOption: true })
      .option("fail", { type: "string", array: true, describe: "STEP[@HOST]: this step (an id, or an action name such as upgrade) fails, on every attempt" })
      .option("fail-rate", { type: "number", default: 0, describe: "each attempt of each action fails with this probability (0..1)" })
      .option("seed", { type: "number", default: 1, describe: "seed for --fail-rate: the same seed gives the same run" })
      .option("slow", { type: "string", array: true, describe: "ACTION=FACTOR: that action takes FACTOR times its estimate (health: becomes healthy that much later)" })
      .option("down", { type: "string", array: true, describe: "HOST: goes down at its first reboot or stop and never comes back" })
      .option("lose", { type: "string", array: true, describe: "STEP[@HOST]: an evacuation that loses one VM (to check that the gate catches it)" })
      .option("rollback-on-failure", { type: "boolean", default: false, describe: "when the run stops, simulate the rollback too (to the from state)" })
      .option("require-complete", { type: "boolean", default: false, describe: "exit 3 (stopped) or 4 (rolled back) when the run did not complete" })
      .option("capacity", { type: "number", describe: "VMs a host can hold when it has no capacity var" })
      .option("instances-var", { type: "string", default: "instances", describe: "the host var with each host's VM count (the evacuate's count-var)" })
      .option("capacity-var", { type: "string", default: "capacity", describe: "the host var with each host's capacity in VMs" })
      .option("format", { alias: "f", choices: ["text", "json"] as const, default: "text", describe: "how to print the result" })
      .option("junit", { type: "string", describe: "also write JUnit XML here (one testcase per invariant)" })
      .option("events", { type: "string", describe: "append every transition to this file as JSON lines, as run --events does, timed by the virtual clock" })
      .option("start", { type: "string", describe: "for a .upg: when the run starts (as compile --start)" })
      .option("color", { type: "boolean", describe: "colour diagnostics (default: on a terminal, unless NO_COLOR is set)" }),
  run: async (args, io) => {
    const file = String(args["file"]);
    const loaded = await planFrom(file, args, io);
    if (typeof loaded === "number") return loaded;
    const plan = loaded;

    const slow = parseSlow(list(args["slow"]));
    const faults: FaultSpec = {
      fail: list(args["fail"]).map(parseStepFault),
      lose: list(args["lose"]).map(parseStepFault),
      failRate: Number(args["fail-rate"] ?? 0),
      seed: Number(args["seed"] ?? 1),
      slow: slow.slow,
      down: list(args["down"]),
    };
    const capacity = args["capacity"];
    const problems = [...slow.problems, ...checkFaults(plan, faults)];
    if (typeof capacity === "number" && !(capacity >= 0)) problems.push(`--capacity ${capacity}: must be a number of VMs`);
    if (problems.length > 0) {
      io.stderr.write(problems.map((p) => `upgradec simulate: ${p}\n`).join(""));
      return ExitCode.Usage;
    }

    const events = typeof args["events"] === "string" ? new EventsFile(resolvePath(io.cwd, args["events"]), { buffered: true }) : null;
    const report = await simulate(plan, {
      faults,
      ...(events !== null ? { events } : {}),
      rollbackOnFailure: args["rollback-on-failure"] === true,
      ...(typeof capacity === "number" ? { defaultCapacity: capacity } : {}),
      instancesVar: String(args["instances-var"] ?? "instances"),
      capacityVar: String(args["capacity-var"] ?? "capacity"),
    }).finally(() => events?.close());
    // Said on stderr too, whatever the format: a fault that never fired tested nothing.
    for (const u of report.unfired) io.stderr.write(`upgradec simulate: warning: fault ${u.fault} never fired: ${u.why}\n`);
    if (args["format"] === "json") io.stdout.write(JSON.stringify(toJson(report), null, 2) + "\n");
    else io.stdout.write(renderText(report));
    if (typeof args["junit"] === "string") writeFileSync(resolvePath(io.cwd, args["junit"]), toJunit(report, plan.plan.name));
    return exitCodeOf(report, args["require-complete"] === true);
  },
};

export function exitCodeOf(report: SimulationReport, requireComplete: boolean): number {
  if (report.violations.length > 0) return ExitCode.SimulationViolation;
  if (!requireComplete || report.outcome === "completed") return ExitCode.Ok;
  return report.outcome === "rolled-back" ? ExitCode.RolledBack : ExitCode.Stopped;
}

async function planFrom(file: string, args: Record<string, unknown>, io: CliIO): Promise<PlanFile | number> {
  if (file.endsWith(".json")) {
    const loaded = await loadPlan(file, { cwd: io.cwd, allowStale: true });
    if (loaded.diagnostics.length > 0) io.stderr.write(formatProblems(loaded.diagnostics));
    return loaded.value?.plan ?? ExitCode.InvalidPlan;
  }
  const result = compileFile(file, nodeLoadHost(io.cwd), {
    now: new Date(),
    compilerVersion: VERSION,
    ...(typeof args["start"] === "string" ? { start: args["start"] } : {}),
  });
  const errors = hasErrors(result.diagnostics);
  const shown = result.diagnostics.filter((d) => d.severity !== "note");
  if (shown.length > 0) io.stderr.write(renderDiagnostics(shown, result.texts, { color: useColor(io, io.stderr, args["color"]), hidden: result.hidden }));
  if (errors) return ExitCode.CompileErrors;
  if (result.plan === null) {
    io.stderr.write(`upgradec simulate: ${file} compiled to no plan\n`);
    return ExitCode.CompileErrors;
  }
  return result.plan;
}
