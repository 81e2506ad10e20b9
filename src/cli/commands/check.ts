import { diagnosticsToJson, renderDiagnostics } from "../../diagnostics/render.js";
import { checkPassed, runChecks, summarize } from "../../preflight/check.js";
import { DEFAULT_PARALLEL, DEFAULT_TIMEOUT, withProbes } from "../../preflight/preflight.js";
import { prepare } from "../../preflight/prepare.js";
import { checkReportJson, renderCheckTable } from "../../preflight/render-check.js";
import { parseSeconds } from "../../probe/duration-option.js";
import { factsDriftRows } from "../../preflight/facts-drift.js";
import { openStackCli } from "../../facts/openstack-cli.js";
import { useColor } from "../color.js";
import { ExitCode } from "../exit-codes.js";
import type { Verb } from "../verb.js";

export const checkVerb: Verb = {
  command: "check <file>",
  describe: "Run the pre-upgrade checks: hosts reachable, status checks, versions, capacity, windows",
  examples: [
    ["upgradec check plan.json", "run every pre-upgrade check against the cloud"],
    ["upgradec check cloud.upg --strict", "compile, then check; warnings fail too"],
    ["upgradec check plan.json --parallel 32 --timeout 10s --format json", "faster on a large cloud; JSON for CI"],
  ],
  builder: (y) =>
    y
      .positional("file", { type: "string", describe: "a .upg file (compiled now) or a plan file", demandOption: true })
      .option("format", { alias: "f", choices: ["text", "json"], default: "text", describe: "a table, or JSON" })
      .option("parallel", { type: "number", default: DEFAULT_PARALLEL, describe: "most probes running at once" })
      .option("timeout", { type: "string", default: `${DEFAULT_TIMEOUT}s`, describe: "how long each probe may take (30s, 2m)" })
      .option("strict", { type: "boolean", default: false, describe: "warnings fail too" }),
  run: async (args, io) => {
    const timeout = parseSeconds(String(args["timeout"]));
    const parallel = Number(args["parallel"]);
    if (timeout === null || !Number.isInteger(parallel) || parallel < 1) {
      io.stderr.write("upgradec check: --timeout takes a duration such as 30s or 2m, and --parallel a whole number of at least 1\n");
      return ExitCode.Usage;
    }
    const strict = args["strict"] === true;
    const prepared = await prepare(String(args["file"]), { cwd: io.cwd, now: new Date() });
    if (prepared.diagnostics.length > 0 && args["format"] !== "json") {
      io.stderr.write(renderDiagnostics(prepared.diagnostics, prepared.texts, { color: useColor(io, io.stderr, undefined), hidden: prepared.hidden }));
    }
    // A plan compiled from the cloud's facts: does the cloud still match them?
    const { plan, planDir } = prepared;
    const factsRows = plan === null ? [] : await factsDriftRows(plan, openStackCli("openstack", io.env, timeout * 1000));
    const report =
      plan === null
        ? summarize(prepared.rows)
        : await withProbes(plan, planDir, { env: io.env, parallel, timeout }, (probes) => runChecks({ plan, planDir, before: [...prepared.rows, ...factsRows] }, probes));
    const passed = checkPassed(report, strict);
    io.stdout.write(args["format"] === "json" ? JSON.stringify({ ...checkReportJson(report, strict, passed), diagnostics: diagnosticsToJson(prepared.diagnostics, prepared.texts) }, null, 2) + "\n" : renderCheckTable(report, strict));
    return passed ? ExitCode.Ok : ExitCode.CompileErrors;
  },
};
