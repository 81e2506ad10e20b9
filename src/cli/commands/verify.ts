import type { Verb } from "../verb.js";
import { notBuilt } from "./not-built.js";

export const verifyVerb: Verb = {
  command: "verify [plan]",
  describe: "Validate the cloud after a run and name a remedy for every problem",
  examples: [["upgradec verify plan.json", "post-checks, versions, maintenance flags, RPC pins"]],
  builder: (y) => y,
  run: (_args, io) => notBuilt("verify", io),
};
