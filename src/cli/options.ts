import type { Argv } from "yargs";

/** What each signal does to run, resume and rollback (their --help). */
export const SIGNALS_HELP = `Signals:
  SIGINT (Ctrl-C), SIGTERM, SIGHUP  stop gracefully: no new step starts, the running ones
                                    finish and are journaled, the lock is released; exit 3
  the same a second time            stop the running commands too (SIGTERM to each process
                                    group, SIGKILL after its grace); they are journaled as
                                    interrupted (resume asks their done-check or runs them
                                    again); the lock is released; exit 3
  SIGKILL (kill -9)                 cannot be handled: the commands go on running; the next
                                    run, resume or rollback waits for them (or stops them with
                                    --kill-survivors) before it starts anything
For long rollouts, run detached from the terminal: nohup upgradec run plan.json > run.log 2>&1 &
or systemd-run --user --unit upgrade upgradec run plan.json (docs/runtime.md, "Signals").`;

/** --state of every verb that reads or writes a run's state. */
export const STATE_HELP =
  "where the run's state is (lock, journal, logs): a directory (a path or a file:// URL; default: .upgradec/ beside the plan) or a PostgreSQL database, postgres://USER@HOST[:PORT]/DB (password in PGPASSWORD or ~/.pgpass; docs/state.md); default: $UPGRADEC_STATE";

/** Options shared by run, resume and rollback. */
export function commonOptions(y: Argv): Argv {
  return y
    .option("kill-survivors", {
      type: "boolean",
      default: false,
      describe: "commands of an earlier, killed runner still running: stop them (SIGTERM, then SIGKILL after their grace) instead of waiting for them",
    })
    .option("state", { type: "string", describe: STATE_HELP })
    .option("events", { type: "string", describe: "append every transition to this file as JSON lines (secrets redacted)" })
    .option("force-unlock", { type: "string", describe: "remove the lock with this id first (only when its holder is known to be dead)" });
}

export function optionalString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

export function list(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  return typeof value === "string" ? [value] : [];
}

export function defaultPlan(value: unknown): string {
  return typeof value === "string" ? value : "plan.json";
}
