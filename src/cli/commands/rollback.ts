import { rollbackPlan } from "../session.js";
import type { Verb } from "../verb.js";
import { commonOptions, defaultPlan, optionalString, SIGNALS_HELP } from "../options.js";

export const rollbackVerb: Verb = {
  command: "rollback [plan]",
  describe: "Undo completed steps back to a checkpoint or the start (exit 4 when done; 10, nothing undone, when a point of no return is in the way)",
  examples: [
    ["upgradec rollback plan.json", "undo back to the last checkpoint"],
    ["upgradec rollback plan.json --to db-backup", "back to a named checkpoint (its restore runs last)"],
    ["upgradec rollback plan.json --to start", "undo everything the run did"],
  ],
  epilogue: SIGNALS_HELP,
  builder: (y) =>
    commonOptions(y)
      .positional("plan", { type: "string", describe: "the plan file the run started with", default: "plan.json" })
      .option("to", { type: "string", describe: "the checkpoint to go back to, or `start` (default: the latest checkpoint taken from which rollback is possible, else the start)" }),
  run: (args, io) =>
    rollbackPlan(
      {
        plan: defaultPlan(args["plan"]),
        state: optionalString(args["state"]),
        events: optionalString(args["events"]),
        forceUnlock: optionalString(args["force-unlock"]),
        killSurvivors: args["kill-survivors"] === true,
        to: optionalString(args["to"]),
      },
      io,
      { handleSignals: true },
    ),
};
