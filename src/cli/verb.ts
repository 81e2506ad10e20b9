import type { Argv } from "yargs";
import type { CliIO } from "./io.js";

/**
 * One CLI verb. `run` returns the exit code; only bin/upgradec.js calls process.exit.
 * Each verb lives in commands/<verb>.ts and is registered in main.ts.
 */
export interface Verb {
  /** yargs command string, e.g. "compile <file>". */
  readonly command: string;
  readonly describe: string;
  /** Example invocations shown by --help: [command, what it does]. */
  readonly examples: readonly (readonly [string, string])[];
  /** Shown by --help before the exit codes. */
  readonly epilogue?: string;
  readonly builder: (y: Argv) => Argv;
  readonly run: (args: Record<string, unknown>, io: CliIO) => Promise<number>;
}

/**
 * A lone `-` on the command line (standard input), as the verbs receive it: yargs drops a
 * `-` from a variadic positional when it re-parses it, so main hands it over under this name.
 */
export const STDIN_OPERAND = "\u0000stdin";
