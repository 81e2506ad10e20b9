import { loadPlan } from "../../runtime/plan-load.js";
import { currentUser } from "../../runtime/lock.js";
import { chosenState, isDatabaseUrl, openStateStore } from "../../runtime/store/open-store.js";
import { transferRun, type TransferResult } from "../../runtime/store/transfer.js";
import { ExitCode } from "../exit-codes.js";
import type { CliIO } from "../io.js";
import { defaultPlan, optionalString } from "../options.js";
import { formatProblems } from "../session.js";
import type { Verb } from "../verb.js";

export const stateVerb: Verb = {
  command: "state <action> [plan]",
  describe: "Move a plan's current run between a state directory and a PostgreSQL database (push: directory to database; pull: back)",
  examples: [
    ["upgradec state push plan.json --state postgres://upgradec@db1/upgradec", "the run in .upgradec/ beside the plan goes to the database"],
    ["upgradec state pull plan.json --state postgres://upgradec@db1/upgradec --dir /srv/upgrade-state", "the database's run comes to a directory"],
  ],
  builder: (y) =>
    y
      .positional("action", { choices: ["push", "pull"], describe: "push: directory → database; pull: database → directory", demandOption: true })
      .positional("plan", { type: "string", describe: "the plan file", default: "plan.json" })
      .option("state", { type: "string", describe: "the database: postgres://USER@HOST[:PORT]/DB (default: $UPGRADEC_STATE; docs/state.md)" })
      .option("dir", { type: "string", describe: "the state directory (default: .upgradec/ beside the plan)" }),
  run: async (args, io) => {
    const action = args["action"] === "pull" ? "pull" : "push";
    const planArg = defaultPlan(args["plan"]);
    const url = chosenState(optionalString(args["state"]), io.env);
    if (url === undefined || !isDatabaseUrl(url)) {
      io.stderr.write(`upgradec state: give the database: --state postgres://USER@HOST/DB (or UPGRADEC_STATE)\n`);
      return ExitCode.Usage;
    }
    const loaded = await loadPlan(planArg, { cwd: io.cwd, allowStale: true });
    if (loaded.value === null) {
      io.stderr.write(formatProblems(loaded.diagnostics));
      return ExitCode.InvalidPlan;
    }
    const target = { planDir: loaded.value.dir, cwd: io.cwd, planName: loaded.value.plan.plan.name, env: {}, say: (t: string) => io.stderr.write(`upgradec state: ${t}`) };
    const dir = await openStateStore({ ...target, state: optionalString(args["dir"]) });
    const db = await openStateStore({ ...target, state: url, env: io.env });
    try {
      if (!dir.ok || !db.ok) {
        const bad = !dir.ok ? dir : !db.ok ? db : null;
        io.stderr.write(`upgradec state: ${bad?.message ?? ""}\n  = help: ${bad?.help ?? ""}\n`);
        return ExitCode.Usage;
      }
      const [from, to] = action === "push" ? [dir.store, db.store] : [db.store, dir.store];
      const result = await transferRun(from, to, currentUser(io.env), Date.now());
      return report(io, action, result, from.where, to.where);
    } finally {
      if (dir.ok) await dir.store.close();
      if (db.ok) await db.store.close();
    }
  },
};

function report(io: CliIO, action: string, result: TransferResult, from: string, to: string): number {
  switch (result.kind) {
    case "copied":
      io.stdout.write(`run ${result.runId}: ${result.records} record(s) and ${result.logs} step log(s) copied from ${from} to ${to}; it is the plan's current run there\n`);
      return ExitCode.Ok;
    case "no-run":
      io.stderr.write(`upgradec state ${action}: no run of this plan in ${from}\n`);
      return ExitCode.Usage;
    case "damaged":
      io.stderr.write(`upgradec state ${action}: the run's state is damaged: ${result.where}: ${result.reason}; nothing was named current\n`);
      return ExitCode.StateDamaged;
    case "locked": {
      const h = result.holder;
      io.stderr.write(`upgradec state ${action}: the state in ${result.store} is locked${h ? ` by ${h.user}@${h.host} (pid ${h.pid}, upgradec ${h.command}) since ${h.since}` : ""}: ${result.reason}\n`);
      return ExitCode.Locked;
    }
    case "target-busy":
      io.stderr.write(`upgradec state ${action}: ${to} has another current run, ${result.runId} (${result.phase}), not finished: finish or roll it back first; nothing was copied\n`);
      return ExitCode.Stopped;
  }
}
