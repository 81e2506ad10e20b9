/**
 * From an action as written (`["nova-manage", "db", "sync"] { takes 5m  timeout 1h }`) to
 * the model's action: the command as the runtime runs it, its options with their defaults.
 */
import type { Action, Command } from "../../parser/ast.js";
import { commandSpec, type PlanCommand, type PlanCommandSpec } from "../../plan/plan.js";
import type { ModelAction } from "../model.js";

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
  return commandSpec(planCommand(command));
}

export function modelAction(action: Action): ModelAction {
  const o = action.options;
  const env: Record<string, string> = {};
  for (const entry of o.env) env[entry.name] = entry.value.value;
  const undo = o.undo === undefined ? null : o.undo.kind === "irreversible" ? "irreversible" : plainSpec(o.undo);
  return {
    // Options the action leaves out stay out: the plan file says only what differs from the defaults.
    spec: commandSpec(planCommand(action.command), {
      timeout: o.timeout?.seconds ?? null,
      grace: o.grace?.seconds,
      retries: o.retries?.value,
      backoff: o.backoff?.seconds,
      env,
      cwd: o.cwd?.value ?? null,
    }),
    takes: o.takes?.seconds ?? null,
    done: o.done ? plainSpec(o.done) : null,
    undo,
    once: o.once,
    span: action.span,
  };
}
