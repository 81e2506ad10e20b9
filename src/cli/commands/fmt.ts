import { readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { join, resolve as resolvePath } from "node:path";
import { type Diagnostic, diag } from "../../diagnostics/diagnostic.js";
import { renderDiagnostics } from "../../diagnostics/render.js";
import { formatSource } from "../../format/format.js";
import { unifiedDiff } from "../../format/unified-diff.js";
import { useColor } from "../color.js";
import { ExitCode } from "../exit-codes.js";
import type { CliIO } from "../io.js";
import { PartialFile } from "../partial-file.js";
import { STDIN_OPERAND, type Verb } from "../verb.js";

const STDIN_LABEL = "<stdin>";

export const fmtVerb: Verb = {
  command: "fmt <files..>",
  describe: "Format .upg files in the canonical layout (docs/language.md, \"Formatting\")",
  examples: [
    ["upgradec fmt cloud.upg site.upg", "rewrite the files in place; prints the name of each file it changed"],
    ["upgradec fmt policy/", "every .upg file under a directory"],
    ["upgradec fmt --check examples src/stdlib", "change nothing: list the files that are not formatted, exit 1 if any (for CI)"],
    ["upgradec fmt --diff cloud.upg", "change nothing: print what formatting would change, as a unified diff"],
    ["upgradec fmt - < cloud.upg", "format standard input to standard output (for editors)"],
  ],
  builder: (y) =>
    y
      .positional("files", { type: "string", array: true, describe: "the .upg files or directories (every .upg file under them) to format; - for standard input" })
      .option("check", { type: "boolean", default: false, describe: "write nothing; list the files that would change and exit 1 if there are any" })
      .option("diff", { type: "boolean", default: false, describe: "write nothing; print a unified diff of what would change" })
      .option("color", { type: "boolean", describe: "colour the diagnostics (default: on a terminal, unless NO_COLOR is set)" })
      .epilogue(
        "A file with errors is left as it is; its errors are printed as `upgradec compile` prints them, and fmt exits 1. " +
          "Files are rewritten only when formatting changes them, each atomically (written beside it, then renamed over it).\n",
      ),
  run: async (args, io) => fmt(args, io),
};

interface Outcome {
  /** Formatting would change (or changed) at least one file. */
  changed: boolean;
  diagnostics: Diagnostic[];
  texts: Map<string, string>;
  /** Files that could not be written, with the reason. */
  unwritten: string[];
}

async function fmt(args: Record<string, unknown>, io: CliIO): Promise<number> {
  const check = args["check"] === true;
  const diff = args["diff"] === true;
  const operands = ((args["files"] as unknown[] | undefined) ?? []).map(String);
  const outcome: Outcome = { changed: false, diagnostics: [], texts: new Map(), unwritten: [] };
  for (const operand of operands) {
    if (operand === STDIN_OPERAND) {
      if (io.stdin === undefined) {
        io.stderr.write("upgradec fmt: standard input is not available here\n");
        return ExitCode.Usage;
      }
      const text = await readAll(io.stdin);
      formatOne(STDIN_LABEL, text, { check, diff, io, outcome, write: (formatted) => io.stdout.write(formatted) });
      continue;
    }
    for (const path of upgFiles(operand, io.cwd)) {
      const absolute = resolvePath(io.cwd, path);
      const text = readText(absolute);
      if (text === null) {
        outcome.diagnostics.push(diag("UPG0002", {
          message: `cannot read '${path}': no such file, or not readable`,
          help: "give the path of a .upg file, or of a directory with .upg files, relative to the working directory",
        }));
        continue;
      }
      formatOne(path, text, {
        check,
        diff,
        io,
        outcome,
        write: (formatted) => {
          const failure = writeInPlace(absolute, formatted);
          if (failure === null) io.stdout.write(`${path}\n`);
          else outcome.unwritten.push(`upgradec fmt: cannot write ${path}: ${failure}\n`);
        },
      });
    }
  }
  if (outcome.diagnostics.length > 0) {
    io.stderr.write(renderDiagnostics(outcome.diagnostics, outcome.texts, { color: useColor(io, io.stderr, args["color"]) }));
  }
  for (const line of outcome.unwritten) io.stderr.write(line);
  if (outcome.diagnostics.some((d) => d.severity === "error")) return ExitCode.CompileErrors;
  if (outcome.unwritten.length > 0) return ExitCode.Usage;
  return check && outcome.changed ? ExitCode.CompileErrors : ExitCode.Ok;
}

interface Mode {
  readonly check: boolean;
  readonly diff: boolean;
  readonly io: CliIO;
  readonly outcome: Outcome;
  /** Where the formatted text goes when neither --check nor --diff is given. */
  readonly write: (formatted: string) => void;
}

/** One file: formatted, then listed, diffed or written as asked. */
function formatOne(path: string, text: string, mode: Mode): void {
  const { io, outcome } = mode;
  const result = formatSource(text, path);
  outcome.texts.set(path, text);
  outcome.diagnostics.push(...result.diagnostics);
  if (result.text === null) return;
  const changed = result.text !== text;
  if (changed) outcome.changed = true;
  if (mode.diff) io.stdout.write(unifiedDiff(text, result.text, path, path));
  else if (mode.check) {
    if (changed) io.stdout.write(`${path}\n`);
  } else if (path === STDIN_LABEL || changed) {
    mode.write(result.text);
  }
}

/**
 * The file written beside the original and renamed over it (as `compile -o` writes), keeping
 * its permissions: null, or why it could not be (the original is then as it was). A symbolic
 * link stays one: the file it points to is the one replaced.
 */
function writeInPlace(absolute: string, formatted: string): string | null {
  let file: PartialFile | null = null;
  try {
    const target = realpathSync(absolute);
    file = new PartialFile(target, statSync(target).mode & 0o7777);
    file.append(formatted);
    file.commit();
    return null;
  } catch (error) {
    file?.discard();
    return error instanceof Error ? error.message : String(error);
  }
}

/** A file as it is; a directory as every .upg file under it, in a stable order (hidden directories and node_modules left out). */
function upgFiles(operand: string, cwd: string): string[] {
  let isDirectory = false;
  try {
    isDirectory = statSync(resolvePath(cwd, operand)).isDirectory();
  } catch {
    return [operand];
  }
  if (!isDirectory) return [operand];
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(resolvePath(cwd, dir), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && !entry.name.startsWith(".") && entry.name !== "node_modules") walk(path);
      else if (entry.isFile() && entry.name.endsWith(".upg")) found.push(path);
    }
  };
  walk(operand);
  return found;
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString("utf8");
}
