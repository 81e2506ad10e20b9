import type { Verb } from "../verb.js";
import { notBuilt } from "./not-built.js";

export const runVerb: Verb = {
  command: "run <plan>",
  describe: "Execute a compiled plan, journaling every step",
  examples: [["upgradec run plan.json", "run the plan; stops on failure, state kept"]],
  builder: (y) => y,
  run: (_args, io) => notBuilt("run", io),
};
