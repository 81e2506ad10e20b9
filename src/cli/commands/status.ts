import type { Verb } from "../verb.js";
import { notBuilt } from "./not-built.js";

export const statusVerb: Verb = {
  command: "status [plan]",
  describe: "Show where a run stands: done, running, failed, pending, ETA",
  examples: [["upgradec status plan.json", "per phase and service"]],
  builder: (y) => y,
  run: (_args, io) => notBuilt("status", io),
};
