import type { PlanCommand, PlanCommandSpec } from "../plan/plan.js";

const PLAIN_ARG = /^[\w@%+=:,./{}-]+$/;

/** A command as one readable line: argv quoted like a shell would need, a script as `shell "…"`, a module as `uses m#f`. */
export function commandText(command: PlanCommand | PlanCommandSpec, maxLength = 100): string {
  const c = "command" in command ? command.command : command;
  const text =
    c.kind === "argv"
      ? c.argv.map((a) => (PLAIN_ARG.test(a) ? a : JSON.stringify(a))).join(" ")
      : c.kind === "shell"
        ? `shell ${JSON.stringify(c.script)}`
        : `uses ${c.module}#${c.export}`;
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}
