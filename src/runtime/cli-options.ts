import type { Argv } from "yargs";

/** Options shared by run, resume and rollback. */
export function commonOptions(y: Argv): Argv {
  return y
    .option("state", { type: "string", describe: "the state directory: lock, journal, logs (default: .upgradec/ beside the plan); a path or a file:// URL" })
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
