/**
 * From an action as written (`["nova-manage", "db", "sync"] { takes 5m  timeout 1h }`) to
 * the model's action: the command as the runtime runs it, its options with their defaults.
 */
import type { Action, Command } from "../../parser/ast.js";
import type { PlanCommand, PlanCommandSpec } from "../../plan/plan.js";
import type { ModelAction } from "../model.js";

/** Seconds between SIGTERM and SIGKILL when the action does not say. */
export const DEFAULT_GRACE = 10;
/** Seconds before the first retry when the action does not say. */
export const DEFAULT_BACKOFF = 5;

export function planCommand(command: Command): PlanCommand {
  switch (command.kind) {
    case "argv":
      return { kind: "argv", argv: command.argv.map((a) => a.value) };
    case "shell":
      return { kind: "shell", script: command.script.value };
    case "module":
      return { kind: "module", module: command.module.value, export: command.exportName };
  }
}

/** A bare command (a `done` or `undo` check) with the default options. */
export function plainSpec(command: Command): PlanCommandSpec {
  return { command: planCommand(command), timeout: null, grace: DEFAULT_GRACE, retries: 0, backoff: DEFAULT_BACKOFF, env: {}, cwd: null };
}

export function modelAction(action: Action): ModelAction {
  const o = action.options;
  const env: Record<string, string> = {};
  for (const entry of o.env) env[entry.name] = entry.value.value;
  const undo = o.undo === undefined ? null : o.undo.kind === "irreversible" ? "irreversible" : plainSpec(o.undo);
  return {
    spec: {
      command: planCommand(action.command),
      timeout: o.timeout?.seconds ?? null,
      grace: o.grace?.seconds ?? DEFAULT_GRACE,
      retries: o.retries?.value ?? 0,
      backoff: o.backoff?.seconds ?? DEFAULT_BACKOFF,
      env,
      cwd: o.cwd?.value ?? null,
    },
    takes: o.takes?.seconds ?? null,
    done: o.done ? plainSpec(o.done) : null,
    undo,
    once: o.once,
    span: action.span,
  };
}
