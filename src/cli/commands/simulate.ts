import type { Verb } from "../verb.js";
import { notBuilt } from "./not-built.js";

export const simulateVerb: Verb = {
  command: "simulate <file>",
  describe: "Run the plan in virtual time against a model of the cloud, with injected faults",
  examples: [["upgradec simulate cloud.upg --fail-rate 0.05 --seed 7", "gate a policy change in CI"]],
  builder: (y) => y,
  run: (_args, io) => notBuilt("simulate", io),
};
