import { preflightForRun } from "./run-gate.js";
import { runPlan } from "../session.js";
import type { Verb } from "../verb.js";
import { commonOptions, list, optionalString, SIGNALS_HELP } from "../options.js";

export const runVerb: Verb = {
  command: "run <plan>",
  describe: "Execute a compiled plan, journaling every step (the pre-upgrade checks run first)",
  examples: [
    ["upgradec run plan.json", "check the cloud, then run the plan; stops on failure, state kept"],
    ["upgradec run plan.json --events events.jsonl", "also write every transition as JSON lines for other tools"],
    ["upgradec run plan.json --only nova-compute/b0/cmp001/start", "run one step again (a remedy)"],
    ["upgradec run plan.json --host cmp001", "only the steps on one host"],
    ["upgradec run plan.json --skip-checks", "start without the pre-upgrade checks (the journal records it)"],
    ["upgradec run plan.json --state postgres://upgradec@db1/upgradec --standby", "on a second deployment host: take the run over if the active runner dies"],
    ["upgradec run plan.json --start-over", "abandon this plan's damaged or unfinished run and start a new one"],
  ],
  epilogue: SIGNALS_HELP,
  builder: (y) =>
    commonOptions(y)
      .positional("plan", { type: "string", describe: "the plan file (upgradec compile ... -o plan.json)", demandOption: true })
      .option("only", { type: "string", array: true, describe: "run only these steps (by id); their dependencies are not required" })
      .option("host", { type: "string", array: true, describe: "run only the steps on these hosts" })
      .option("skip-checks", { type: "boolean", default: false, describe: "do not run the pre-upgrade checks of `upgradec check` first" })
      .option("standby", {
        type: "boolean",
        default: false,
        describe:
          "with a database state: wait while another runner holds this plan's lease; when its lease runs out (the runner or its host died), take its run over (docs/state.md)",
      })
      .option("start-over", {
        type: "boolean",
        default: false,
        describe: "abandon this plan's current run when its state is damaged or it did not finish, and start a new one: the steps it completed run again (its files are kept)",
      }),
  run: async (args, io) => {
    const plan = String(args["plan"]);
    return runPlan(
      {
        plan,
        state: optionalString(args["state"]),
        events: optionalString(args["events"]),
        forceUnlock: optionalString(args["force-unlock"]),
        startOver: args["start-over"] === true,
        killSurvivors: args["kill-survivors"] === true,
        standby: args["standby"] === true,
        only: list(args["only"]),
        hosts: list(args["host"]),
        preflight: (loaded) =>
          preflightForRun(loaded, plan, {
            skip: args["skip-checks"] === true,
            env: io.env,
            write: (text) => io.stderr.write(text),
          }),
      },
      io,
      { handleSignals: true },
    );
  },
};
