import type { Verb } from "../verb.js";
import { notBuilt } from "./not-built.js";

export const compileVerb: Verb = {
  command: "compile <file>",
  describe: "Compile a .upg plan: check it, and preview timing, dependencies and impact",
  examples: [["upgradec compile cloud.upg", "check cloud.upg and print the plan preview"], ["upgradec compile cloud.upg -o plan.json", "also write the plan file that `run` executes"]],
  builder: (y) => y,
  run: (_args, io) => notBuilt("compile", io),
};
