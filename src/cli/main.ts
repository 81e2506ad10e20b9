import yargs from "yargs";
import { ExitCode } from "./exit-codes.js";
import type { CliIO } from "./io.js";
import { STDIN_OPERAND, type Verb } from "./verb.js";
import { VERSION } from "../version.js";
import { suggest } from "../diagnostics/did-you-mean.js";

/**
 * The verbs by name, each loaded when it is used: a verb's module and what it imports are
 * parsed only for that verb (`run` never loads the compiler, a third of its start-up;
 * bench/runtime.ts). Help for the whole CLI loads them all.
 */
const VERBS: readonly (readonly [string, () => Promise<Verb>])[] = [
  ["compile", async () => (await import("./commands/compile.js")).compileVerb],
  ["check", async () => (await import("./commands/check.js")).checkVerb],
  ["run", async () => (await import("./commands/run.js")).runVerb],
  ["resume", async () => (await import("./commands/resume.js")).resumeVerb],
  ["rollback", async () => (await import("./commands/rollback.js")).rollbackVerb],
  ["verify", async () => (await import("./commands/verify.js")).verifyVerb],
  ["status", async () => (await import("./commands/status.js")).statusVerb],
  ["simulate", async () => (await import("./commands/simulate.js")).simulateVerb],
  ["fmt", async () => (await import("./commands/fmt.js")).fmtVerb],
  ["lsp", async () => (await import("./commands/lsp.js")).lspVerb],
  ["state", async () => (await import("./commands/state.js")).stateVerb],
  ["facts", async () => (await import("./commands/facts.js")).factsVerb],
];

/** The verb the command line names, alone; none for `--version` alone; every verb otherwise (help). */
async function verbsFor(argv: readonly string[]): Promise<Verb[]> {
  const named = VERBS.find(([name]) => name === argv[0]);
  if (named !== undefined) return [await named[1]()];
  if (argv.length === 1 && argv[0] === "--version") return [];
  return Promise.all(VERBS.map(([, load]) => load()));
}

const EXIT_CODES_HELP = `Exit codes:
  0   success
  1   compile or check errors
  2   bad usage
  3   run stopped, hosts left out within max-failures, or an unfinished run is in the way (state kept: resume or rollback)
  4   rolled back
  5   stale, tampered or invalid plan file
  6   state locked by another run
  7   verb not built yet in this version
  8   verify found problems
  9   simulate saw an invariant violated
  10  the run's state is damaged (journal or run pointer): status, or run --start-over
  11  rollback refused: past a point of no return (nothing undone, state kept)
  70  internal error (a bug in upgradec: please report it)`;

/** The whole CLI: parses argv, runs one verb, returns its exit code. Never calls process.exit. */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  const unknown = unknownVerb(argv);
  if (unknown !== undefined) {
    const names = VERBS.map(([name]) => name);
    const near = suggest(unknown, names);
    io.stderr.write(
      `upgradec: unknown command '${unknown}'` +
        (near ? `; did you mean 'upgradec ${near}'?` : "") +
        `\nThe commands are: ${names.join(", ")}. See 'upgradec --help'.\n`,
    );
    return ExitCode.Usage;
  }
  const verbs = await verbsFor(argv);
  let usageError: string | undefined;
  const args = argv.map((arg) => (arg === "-" ? STDIN_OPERAND : arg));
  let parser = yargs(args)
    .scriptName("upgradec")
    .usage("upgradec <command> [options]\n\nPlan, preview and run rolling upgrades of OpenStack clouds.")
    .version(VERSION)
    .exitProcess(false)
    .strict()
    .demandCommand(1, "say which command to run, e.g. upgradec compile cloud.upg")
    .recommendCommands()
    .help()
    .alias("h", "help")
    .wrap(Math.min(100, io.stdout.columns ?? 100))
    .epilogue(EXIT_CODES_HELP)
    .fail((message, error) => {
      if (error) throw error;
      usageError = message;
    });
  // yargs parses and checks the command line and prints help; the verb runs after it, not
  // as a yargs handler (after a handler, yargs lays out the verb's whole help text in case
  // it is asked for later: some 50 ms of every command).
  for (const verb of verbs) {
    parser = parser.command(verb.command, verb.describe, (y) => {
      let built = verb.builder(y);
      for (const [cmd, what] of verb.examples) built = built.example(cmd, what);
      return built.epilogue(verb.epilogue !== undefined ? `${verb.epilogue}\n\n${EXIT_CODES_HELP}` : EXIT_CODES_HELP);
    });
  }
  skipHelpLayoutAfterParse(parser);
  let helpText = "";
  let parsed: Record<string, unknown>;
  try {
    parsed = await parser.parseAsync(args, {}, (_err, _parsed, output) => {
      if (output) helpText = output;
    });
  } catch (error) {
    return internalError(io, error);
  }
  if (usageError !== undefined) {
    if (helpText) io.stderr.write(helpText + "\n");
    io.stderr.write(`\nupgradec: ${usageError}\n`);
    return ExitCode.Usage;
  }
  if (helpText) {
    io.stdout.write(helpText + "\n");
    return ExitCode.Ok;
  }
  const verb = verbs.find((v) => verbName(v) === String((parsed["_"] as unknown[] | undefined)?.[0]));
  if (verb === undefined) return internalError(io, new Error(`no verb for ${JSON.stringify(argv)}`));
  try {
    return await verb.run(parsed, io);
  } catch (error) {
    return internalError(io, error);
  }
}

/**
 * After it has parsed a command, yargs lays out that command's whole help text and keeps it,
 * to show should the command's handler fail later: some 40 ms of every command, most of it
 * measuring the width of each word. The verbs here are not yargs handlers (they run after the
 * parse), so that text is never shown; help asked for (--help, a usage error) is laid out
 * as before. The hook is yargs' own (its usage instance); when a yargs version lacks it,
 * nothing changes.
 */
function skipHelpLayoutAfterParse(parser: unknown): void {
  const internal = (parser as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: unknown } } }).getInternalMethods?.();
  const usage = internal?.getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === "function") usage.cacheHelpMessage = () => undefined;
}

function internalError(io: CliIO, error: unknown): number {
  io.stderr.write(`upgradec: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return ExitCode.Internal;
}

function verbName(verb: Verb): string {
  return verb.command.split(" ")[0] ?? verb.command;
}

/** The first word when it is neither an option nor a command: yargs' strict mode would only say "Unknown arguments". */
function unknownVerb(argv: readonly string[]): string | undefined {
  const first = argv[0];
  if (first === undefined || first.startsWith("-")) return undefined;
  return VERBS.some(([name]) => name === first) ? undefined : first;
}
