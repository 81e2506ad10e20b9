import { dirname, resolve as resolvePath } from "node:path";
import { hasErrors } from "../../diagnostics/diagnostic.js";
import { diagnosticsToJson, renderDiagnostics } from "../../diagnostics/render.js";
import { compileFile } from "../../compiler/compile.js";
import { readHistory } from "../../runtime/history.js";
import { nodeLoadHost } from "../../files/node-host.js";
import { planFileChunks } from "../../plan/plan-text.js";
import { renderPreview, type PreviewFormat } from "../../preview/preview.js";
import { VERSION } from "../../version.js";
import { PartialFile } from "../partial-file.js";
import { PlanFileWriter, type WriteFailure } from "../plan-file-writer.js";
import { useColor } from "../color.js";
import { ExitCode } from "../exit-codes.js";
import type { CliIO } from "../io.js";
import type { Verb } from "../verb.js";

const FORMATS: readonly PreviewFormat[] = ["text", "json", "dot", "mermaid", "html"];

export const compileVerb: Verb = {
  command: "compile <file>",
  describe: "Compile a .upg plan: check it, and preview timing, dependencies and impact before anything is touched",
  examples: [
    ["upgradec compile cloud.upg", "check cloud.upg and print the plan preview"],
    ["upgradec compile cloud.upg -o plan.json", "also write the plan file that `upgradec run` executes"],
    ["upgradec compile cloud.upg --format html > plan.html", "a self-contained page with a Gantt timeline"],
    ["upgradec compile cloud.upg --history .upgradec -o plan.json", "estimates measured by the earlier runs in .upgradec"],
    ["upgradec compile cloud.upg --format dot --steps | dot -Tsvg", "the whole step graph for Graphviz"],
    ["upgradec compile cloud.upg --format json --diagnostics-only", "diagnostics as JSON, for an editor or CI lint"],
  ],
  builder: (y) =>
    y
      .positional("file", { type: "string", describe: "the plan's .upg file", demandOption: true })
      .option("format", { alias: "f", choices: FORMATS, default: "text" as PreviewFormat, describe: "preview format; with json, the plan on stdout and any diagnostics as JSON on stderr (on stdout when it fails)" })
      .option("output", { alias: "o", type: "string", describe: "write the plan file (JSON) here" })
      .option("start", { type: "string", describe: 'when the run starts, e.g. "2026-12-05T22:00" (the plan\'s zone) or with an offset; overrides the plan\'s start' })
      .option("history", {
        type: "string",
        array: true,
        describe: "learn estimates from earlier runs: a state directory (.upgradec), its runs/ or one run's directory; repeatable",
      })
      .option("steps", { type: "boolean", default: false, describe: "dot/mermaid: the whole step graph, not only the service DAG" })
      .option("diagnostics-only", { type: "boolean", default: false, describe: "check only: print diagnostics, no preview" })
      .option("color", { type: "boolean", describe: "colour the output (default: on a terminal, unless NO_COLOR is set)" }),
  run: async (args, io) => {
    // Paths in the plan file are relative to the plan file, so it can be run from anywhere.
    const target = typeof args["output"] === "string" ? resolvePath(io.cwd, args["output"]) : null;
    // The plan file is written by a thread of its own as the compiler makes its text.
    const writer = target !== null && args["diagnostics-only"] !== true ? new PlanFileWriter(target) : null;
    try {
      return await compile(args, io, target, writer);
    } finally {
      await writer?.abort();
    }
  },
};

async function compile(args: Record<string, unknown>, io: CliIO, target: string | null, writer: PlanFileWriter | null): Promise<number> {
  const file = String(args["file"]);
  const format = args["format"] as PreviewFormat;
  const historyDirs = Array.isArray(args["history"]) ? args["history"].map(String) : [];
  const result = compileFile(file, nodeLoadHost(io.cwd), {
    now: new Date(),
    compilerVersion: VERSION,
    checkOnly: args["diagnostics-only"] === true,
    ...(typeof args["start"] === "string" ? { start: args["start"] } : {}),
    ...(target !== null ? { relocate: { from: io.cwd, to: dirname(target) } } : {}),
    ...(writer !== null ? { planText: writer } : {}),
    // Journal paths are recorded relative to the plan file, as its sources are.
    ...(historyDirs.length > 0 ? { history: readHistory(historyDirs, io.cwd, target !== null ? dirname(target) : io.cwd) } : {}),
  });
  const failed = hasErrors(result.diagnostics);
  if (format === "json") {
    const body = diagnosticsToJson(result.diagnostics, result.texts);
    if (failed || args["diagnostics-only"] === true || !result.plan) {
      io.stdout.write(JSON.stringify(body, null, 2) + "\n");
      return failed ? ExitCode.CompileErrors : ExitCode.Ok;
    }
    // stdout is the plan, byte for byte the file -o writes; the warnings and notes go to
    // stderr in the same JSON shape, so a tool reading JSON loses none of them.
    if (result.diagnostics.length > 0) io.stderr.write(JSON.stringify(body, null, 2) + "\n");
  } else if (result.diagnostics.length > 0) {
    io.stderr.write(renderDiagnostics(result.diagnostics, result.texts, { color: useColor(io, io.stderr, args["color"]), hidden: result.hidden }));
  }
  if (failed) return ExitCode.CompileErrors;
  if (!result.plan) return ExitCode.Ok;

  // The thread goes on writing while the preview is rendered.
  const written = writer?.finish() ?? null;
  if (args["diagnostics-only"] !== true) {
    io.stdout.write(renderPreview(result.plan, format, { steps: args["steps"] === true, color: useColor(io, io.stdout, args["color"]) }));
  }
  let failure = await written;
  // Without its thread (it could not start), the file is written from here.
  if (target !== null && failure?.thread === true) failure = writePlanFile(target, planFileChunks(result.plan));
  if (target !== null && failure) return cannotWrite(io, target, failure.error);
  return ExitCode.Ok;
}

/** The plan file written from here, from the plan's text (PartialFile): null, or why it could not be. */
function writePlanFile(target: string, pieces: readonly string[]): WriteFailure | null {
  const file = new PartialFile(target);
  try {
    for (const piece of pieces) file.append(piece);
    file.commit();
    return null;
  } catch (error) {
    file.discard();
    return { error: messageOf(error), thread: false };
  }
}

function cannotWrite(io: CliIO, target: string, reason: string): number {
  io.stderr.write(`upgradec: cannot write the plan file ${target}: ${reason}\n  = help: give -o a path in a directory that exists and that you can write to\n`);
  return ExitCode.Usage;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
