import { closeSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { dirname, resolve as resolvePath } from "node:path";
import { hasErrors } from "../../diagnostics/diagnostic.js";
import { diagnosticsToJson, renderDiagnostics } from "../../diagnostics/render.js";
import { compileFile } from "../../compiler/compile.js";
import { nodeLoadHost } from "../../compiler/node-host.js";
import { planFileChunks } from "../../plan/plan-text.js";
import { renderPreview, type PreviewFormat } from "../../preview/preview.js";
import { VERSION } from "../../version.js";
import { useColor } from "../color.js";
import { ExitCode } from "../exit-codes.js";
import type { Verb } from "../verb.js";

const FORMATS: readonly PreviewFormat[] = ["text", "json", "dot", "mermaid", "html"];

export const compileVerb: Verb = {
  command: "compile <file>",
  describe: "Compile a .upg plan: check it, and preview timing, dependencies and impact before anything is touched",
  examples: [
    ["upgradec compile cloud.upg", "check cloud.upg and print the plan preview"],
    ["upgradec compile cloud.upg -o plan.json", "also write the plan file that `upgradec run` executes"],
    ["upgradec compile cloud.upg --format html > plan.html", "a self-contained page with a Gantt timeline"],
    ["upgradec compile cloud.upg --format dot --steps | dot -Tsvg", "the whole step graph for Graphviz"],
    ["upgradec compile cloud.upg --format json --diagnostics-only", "diagnostics as JSON, for an editor or CI lint"],
  ],
  builder: (y) =>
    y
      .positional("file", { type: "string", describe: "the plan's .upg file", demandOption: true })
      .option("format", { alias: "f", choices: FORMATS, default: "text" as PreviewFormat, describe: "preview format (json also prints diagnostics as JSON)" })
      .option("output", { alias: "o", type: "string", describe: "write the plan file (JSON) here" })
      .option("start", { type: "string", describe: 'when the run starts, e.g. "2026-12-05T22:00" (the plan\'s zone) or with an offset; overrides the plan\'s start' })
      .option("steps", { type: "boolean", default: false, describe: "dot/mermaid: the whole step graph, not only the service DAG" })
      .option("diagnostics-only", { type: "boolean", default: false, describe: "check only: print diagnostics, no preview" })
      .option("color", { type: "boolean", describe: "colour the output (default: on a terminal, unless NO_COLOR is set)" }),
  run: async (args, io) => {
    const file = String(args["file"]);
    const format = args["format"] as PreviewFormat;
    // Paths in the plan file are relative to the plan file, so it can be run from anywhere.
    const target = typeof args["output"] === "string" ? resolvePath(io.cwd, args["output"]) : null;
    const result = compileFile(file, nodeLoadHost(io.cwd), {
      now: new Date(),
      compilerVersion: VERSION,
      checkOnly: args["diagnostics-only"] === true,
      ...(typeof args["start"] === "string" ? { start: args["start"] } : {}),
      ...(target !== null ? { relocate: { from: io.cwd, to: dirname(target) } } : {}),
    });
    const failed = hasErrors(result.diagnostics);
    if (format === "json") {
      const body = diagnosticsToJson(result.diagnostics, result.texts);
      if (failed || args["diagnostics-only"] === true || !result.plan) {
        io.stdout.write(JSON.stringify(body, null, 2) + "\n");
        return failed ? ExitCode.CompileErrors : ExitCode.Ok;
      }
    } else if (result.diagnostics.length > 0) {
      io.stderr.write(renderDiagnostics(result.diagnostics, result.texts, { color: useColor(io, io.stderr, args["color"]) }));
    }
    if (failed) return ExitCode.CompileErrors;
    if (!result.plan) return ExitCode.Ok;

    if (target !== null) {
      // Written beside and renamed, so a crash never leaves half a plan file.
      const partial = `${target}.${process.pid}.partial`;
      writePieces(partial, planFileChunks(result.plan));
      renameSync(partial, target);
    }
    if (args["diagnostics-only"] !== true) {
      io.stdout.write(renderPreview(result.plan, format, { steps: args["steps"] === true, color: useColor(io, io.stdout, args["color"]) }));
    }
    return ExitCode.Ok;
  },
};

/** A new file of these pieces of text, one after the other; none is left behind if writing fails. */
function writePieces(path: string, pieces: readonly string[]): void {
  const fd = openSync(path, "w", 0o644);
  try {
    for (const piece of pieces) {
      const bytes = Buffer.from(piece, "utf8");
      for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at);
    }
  } catch (error) {
    closeSync(fd);
    rmSync(path, { force: true });
    throw error;
  }
  closeSync(fd);
}
