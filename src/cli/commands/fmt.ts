import type { Verb } from "../verb.js";
import { notBuilt } from "./not-built.js";

export const fmtVerb: Verb = {
  command: "fmt <files..>",
  describe: "Format .upg files in the canonical style",
  examples: [["upgradec fmt cloud.upg", "rewrite the file in place"], ["upgradec fmt --check cloud.upg", "exit 1 when not formatted (for CI)"]],
  builder: (y) => y,
  run: (_args, io) => notBuilt("fmt", io),
};
