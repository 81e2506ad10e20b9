import type { Verb } from "../verb.js";
import { notBuilt } from "./not-built.js";

export const checkVerb: Verb = {
  command: "check <file>",
  describe: "Run the pre-upgrade checks: hosts reachable, status checks, versions, capacity",
  examples: [["upgradec check plan.json", "run every pre-upgrade check against the cloud"]],
  builder: (y) => y,
  run: (_args, io) => notBuilt("check", io),
};
