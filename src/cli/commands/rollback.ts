import type { Verb } from "../verb.js";
import { notBuilt } from "./not-built.js";

export const rollbackVerb: Verb = {
  command: "rollback [plan]",
  describe: "Undo completed steps back to a checkpoint or the start",
  examples: [["upgradec rollback plan.json", "undo back to the last checkpoint"]],
  builder: (y) => y,
  run: (_args, io) => notBuilt("rollback", io),
};
