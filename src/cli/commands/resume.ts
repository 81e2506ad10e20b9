import type { Verb } from "../verb.js";
import { notBuilt } from "./not-built.js";

export const resumeVerb: Verb = {
  command: "resume [plan]",
  describe: "Continue a stopped or crashed run from its journal",
  examples: [["upgradec resume plan.json", "retry the failed step and go on"]],
  builder: (y) => y,
  run: (_args, io) => notBuilt("resume", io),
};
