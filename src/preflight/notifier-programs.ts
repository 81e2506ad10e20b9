/**
 * The programs a notifier's command starts on the machine that runs upgradec, so `check` can
 * say before a run that one is missing (its deliveries would fail only when an event fires,
 * in the middle of the night). Pure: text in, names out.
 */
import type { PlanCommand } from "../plan/plan.js";

// Run by the shell itself (or always present with it): never looked up on PATH.
const SHELL_WORDS: ReadonlySet<string> = new Set([
  "{", "}", "(", ")", "!", "[", "test", "echo", "printf", "read", "true", "false", ":", "cd", "exit", "export", "set", "unset", "eval", "exec",
  "command", "if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case", "esac", "in", "local", "return", "shift", "trap", "wait",
]);

// A plain program name or path; anything else (a placeholder, a variable, a quoted word) is not looked up.
const PROGRAM = /^[A-Za-z0-9._+/-]+$/;

/** argv: its first word; a shell script: the first word of each simple command (a heuristic: enough for the library's notifiers); a module: none. */
export function notifierPrograms(command: PlanCommand): string[] {
  if (command.kind === "module") return [];
  const firsts = command.kind === "argv" ? [command.argv[0] ?? ""] : shellCommandWords(command.script);
  return [...new Set(firsts.filter((w) => PROGRAM.test(w) && !SHELL_WORDS.has(w)))];
}

/** The first word of each command in a script, past group and negation words. */
function shellCommandWords(script: string): string[] {
  const words: string[] = [];
  for (const segment of script.split(/\|\||&&|[|;&\n]/)) {
    const first = segment.trim().split(/\s+/).find((w) => !/^[{}()!]$/.test(w));
    if (first !== undefined) words.push(first);
  }
  return words;
}
