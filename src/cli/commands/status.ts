import { showStatus } from "../session.js";
import type { Verb } from "../verb.js";
import { defaultPlan, optionalString, STATE_HELP } from "../options.js";

export const statusVerb: Verb = {
  command: "status [plan]",
  describe: "Show where a run stands: done, running, failed, pending, ETA",
  examples: [
    ["upgradec status plan.json", "per phase and service"],
    ["upgradec status plan.json --json", "the same as JSON"],
  ],
  builder: (y) =>
    y
      .positional("plan", { type: "string", describe: "the plan file", default: "plan.json" })
      .option("state", { type: "string", describe: STATE_HELP })
      .option("json", { type: "boolean", default: false, describe: "print JSON" }),
  run: (args, io) => showStatus({ plan: defaultPlan(args["plan"]), state: optionalString(args["state"]), json: args["json"] === true }, io),
};
