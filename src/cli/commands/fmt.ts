import type { Verb } from "../verb.js";
import { notBuilt } from "./not-built.js";

export const fmtVerb: Verb = {
  command: "fmt <files..>",
  // Not built yet: the help says so and shows no option it would reject.
  describe: "Format .upg files in the canonical style. Not built yet in this version: it changes nothing and exits 7",
  examples: [["upgradec fmt cloud.upg", "not built yet: prints so, changes nothing, exits 7"]],
  builder: (y) => y,
  run: (_args, io) => notBuilt("fmt", io),
};
