import { DEFAULT_PARALLEL, DEFAULT_TIMEOUT, withProbes } from "../../preflight/preflight.js";
import { parseSeconds } from "../../probe/duration-option.js";
import { formatProblems } from "../session.js";
import { loadPlan } from "../../runtime/plan-load.js";
import { openStoreRun } from "../../verify/open-run.js";
import { renderVerify } from "../../verify/render-verify.js";
import { runVerify } from "../../verify/verify.js";
import { ExitCode } from "../exit-codes.js";
import { STATE_HELP } from "../options.js";
import type { Verb } from "../verb.js";

export const verifyVerb: Verb = {
  command: "verify [plan]",
  describe: "Check the cloud after a run (or at any time): post-checks, health, versions, leftovers; each problem with its remedy",
  examples: [
    ["upgradec verify plan.json", "after a run: is every host upgraded, healthy, out of maintenance?"],
    ["upgradec verify plan.json --format json", "the problems and remedies as JSON"],
  ],
  builder: (y) =>
    y
      .positional("plan", { type: "string", describe: "the plan file", default: "plan.json" })
      .option("state", { type: "string", describe: STATE_HELP })
      .option("format", { alias: "f", choices: ["text", "json"], default: "text", describe: "plain text, or JSON" })
      .option("parallel", { type: "number", default: DEFAULT_PARALLEL, describe: "most probes running at once" })
      .option("timeout", { type: "string", default: `${DEFAULT_TIMEOUT}s`, describe: "how long each probe may take" }),
  run: async (args, io) => {
    const planArg = typeof args["plan"] === "string" ? args["plan"] : "plan.json";
    const timeout = parseSeconds(String(args["timeout"]));
    const parallel = Number(args["parallel"]);
    if (timeout === null || !Number.isInteger(parallel) || parallel < 1) {
      io.stderr.write("upgradec verify: --timeout takes a duration such as 30s or 2m, and --parallel a whole number of at least 1\n");
      return ExitCode.Usage;
    }
    const loaded = await loadPlan(planArg, { cwd: io.cwd, allowStale: true });
    if (loaded.diagnostics.length > 0) io.stderr.write(formatProblems(loaded.diagnostics));
    if (loaded.value === null) return ExitCode.InvalidPlan;
    const { plan, dir } = loaded.value;
    const opened = await openStoreRun(plan, dir, { cwd: io.cwd, env: io.env, ...(typeof args["state"] === "string" ? { state: args["state"] } : {}) });
    if (opened.kind === "bad-state") {
      io.stderr.write(`upgradec verify: ${opened.message}\n  = help: ${opened.help}\n`);
      return ExitCode.Usage;
    }
    if (opened.kind === "unreadable") {
      io.stderr.write(`upgradec verify: run ${opened.id} cannot be used: ${opened.reason}\n`);
      // As status, resume and rollback answer the same state: damaged (10) or another plan's run (5).
      return opened.why === "damaged" ? ExitCode.StateDamaged : ExitCode.InvalidPlan;
    }
    const report = await withProbes(plan, dir, { env: io.env, parallel, timeout }, (probes) =>
      runVerify({ plan, planDir: dir, planArg, run: opened.kind === "run" ? { id: opened.id, state: opened.state } : null }, probes),
    );
    io.stdout.write(args["format"] === "json" ? JSON.stringify(report, null, 2) + "\n" : renderVerify(report, planArg));
    return report.problems.length === 0 ? ExitCode.Ok : ExitCode.VerifyFailed;
  },
};
