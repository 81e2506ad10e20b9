/**
 * The placeholder syntax of commands, `{name}`, as the compiler checks it and the runtime
 * substitutes it: which names a command uses, and the environment variable a name becomes
 * in a shell script. A leaf module: it imports nothing from the project.
 */

/** A command's text as far as placeholders go (the plan's `PlanCommand` fits it). */
export type CommandText =
  | { readonly kind: "argv"; readonly argv: readonly string[] }
  | { readonly kind: "shell"; readonly script: string }
  | { readonly kind: "module" };

export const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_.-]*)\}/g;

export function envName(name: string): string {
  if (name.startsWith("secret.")) return "UPG_SECRET_" + name.slice(7).toUpperCase().replace(/[^A-Z0-9]/g, "_");
  return "UPG_" + name.toUpperCase().replace(/[^A-Z0-9]/g, "_");
}

/** A `{name}` in a shell script, and the quotes it stands in. */
export interface ShellPlaceholder {
  readonly name: string;
  readonly start: number;
  readonly end: number;
  readonly inDoubleQuotes: boolean;
  /** Inside single quotes the shell reads it literally: it is not substituted. */
  readonly inSingleQuotes: boolean;
}

/** The placeholders of a shell script outside single quotes: the ones substituted. */
export function shellPlaceholders(script: string): ShellPlaceholder[] {
  return scanShellPlaceholders(script).filter((p) => !p.inSingleQuotes);
}

/**
 * Every `{name}` of a shell script, tracking its quoting state (a backslash escapes one
 * character outside single quotes).
 */
function scanShellPlaceholders(script: string): ShellPlaceholder[] {
  const found: ShellPlaceholder[] = [];
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < script.length; i++) {
    const c = script[i] ?? "";
    if (quote !== "'" && c === "\\") {
      i++;
      continue;
    }
    if (quote === null && (c === "'" || c === '"')) quote = c;
    else if (quote === c) quote = null;
    else if (c === "{") {
      const m = /^\{([A-Za-z_][A-Za-z0-9_.-]*)\}/.exec(script.slice(i));
      if (m) {
        found.push({ name: m[1] ?? "", start: i, end: i + m[0].length, inDoubleQuotes: quote === '"', inSingleQuotes: quote === "'" });
        i += m[0].length - 1;
      }
    }
  }
  return found;
}

/**
 * The names written as `{name}` inside single quotes of a shell script: left as they are,
 * never substituted. For the compiler's warning (UPG0251).
 */
export function singleQuotedPlaceholders(script: string): string[] {
  return [...new Set(scanShellPlaceholders(script).filter((p) => p.inSingleQuotes).map((p) => p.name))];
}

/**
 * The placeholder names a command uses, each once, by the same rules as the substitution
 * (in a shell script, not inside single quotes). For the compiler's check.
 */
export function placeholderNames(command: CommandText): string[] {
  const names = new Set<string>();
  if (command.kind === "argv") {
    for (const arg of command.argv) for (const m of arg.matchAll(PLACEHOLDER)) names.add(m[1] ?? "");
  } else if (command.kind === "shell") {
    for (const p of shellPlaceholders(command.script)) names.add(p.name);
  }
  return [...names];
}
