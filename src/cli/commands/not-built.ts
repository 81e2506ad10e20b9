import { ExitCode } from "../exit-codes.js";
import type { CliIO } from "../io.js";

/** A verb that is planned but not built in this version says so; it never pretends to work. */
export async function notBuilt(verb: string, io: CliIO): Promise<number> {
  io.stderr.write(
    `upgradec ${verb}: not built yet in this version of upgradec.\n` +
      `It is part of the design (see README.md, "Commands"); nothing was done.\n`,
  );
  return ExitCode.NotImplemented;
}
