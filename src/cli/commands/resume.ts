import { resumePlan } from "../session.js";
import type { Verb } from "../verb.js";
import { commonOptions, defaultPlan, list, optionalString, SIGNALS_HELP } from "../options.js";

export const resumeVerb: Verb = {
  command: "resume [plan]",
  describe: "Continue a stopped or crashed run from its journal",
  examples: [
    ["upgradec resume plan.json", "retry the failed step and go on"],
    ["upgradec resume plan.json --skip keystone/expand --yes-i-fixed-it", "you did the step by hand: mark it done and go on"],
  ],
  epilogue: SIGNALS_HELP,
  builder: (y) =>
    commonOptions(y)
      .positional("plan", { type: "string", describe: "the plan file the run started with", default: "plan.json" })
      .option("skip", { type: "string", array: true, describe: "mark these steps done without running them (needs --yes-i-fixed-it)" })
      .option("yes-i-fixed-it", { type: "boolean", default: false, describe: "confirm that what the skipped steps do has been done by hand" }),
  run: (args, io) =>
    resumePlan(
      {
        plan: defaultPlan(args["plan"]),
        state: optionalString(args["state"]),
        events: optionalString(args["events"]),
        forceUnlock: optionalString(args["force-unlock"]),
        killSurvivors: args["kill-survivors"] === true,
        skip: list(args["skip"]),
        yesIFixedIt: args["yes-i-fixed-it"] === true,
      },
      io,
      { handleSignals: true },
    ),
};
