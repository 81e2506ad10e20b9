/**
 * Every `{name}` in a command must have a value on every host the command runs on: a
 * built-in (`{host}`, `{from}`, …), a var of the service (its own, its templates', its
 * method's), a host var set for each of its hosts, or `{secret.NAME}` for a declared secret.
 * The runtime refuses an unknown placeholder too, but only when the step runs: at 3 a.m.,
 * hours into the upgrade. Vars built from other vars are followed.
 */
import { type Diagnostic, type Span, diag } from "../../diagnostics/diagnostic.js";
import { suggest } from "../../diagnostics/did-you-mean.js";
import type { PlanCommand, VarValue } from "../../plan/plan.js";
import { envName, placeholderNames, singleQuotedPlaceholders } from "../../base/placeholder-syntax.js";
import type { ModelAction, ModelNotifier, ModelPlan, ModelService } from "../model.js";

export const BUILTIN_PLACEHOLDERS = ["host", "from", "to", "service", "step", "inventory", "stdlib"] as const;

/** Built-ins of an evacuation's `run` only: its `concurrency` and `timeout` (src/runtime/step-exec.ts, evacuationVars). */
export const EVACUATION_PLACEHOLDERS = ["concurrency", "timeout"] as const;

const NONE: ReadonlySet<string> = new Set();

export interface PlaceholderScope {
  readonly plan: ModelPlan;
  readonly secrets: ReadonlySet<string>;
  readonly hasInventory: boolean;
  readonly hostVars: (host: string) => Readonly<Record<string, VarValue>>;
}

/** The actions of a service with the commands in each. */
export function serviceActions(s: Omit<ModelService, "after" | "skew" | "bridged">): ModelAction[] {
  const out: ModelAction[] = Object.values(s.actions).filter((a): a is ModelAction => a !== undefined);
  if (s.maintenance?.enter) out.push(s.maintenance.enter);
  if (s.maintenance?.exit) out.push(s.maintenance.exit);
  if (s.evacuate?.run) out.push(s.evacuate.run);
  if (s.reboot?.action) out.push(s.reboot.action);
  if (s.health) out.push(s.health.action);
  return out;
}

function commandsOf(action: ModelAction): PlanCommand[] {
  const out = [action.spec.command];
  if (action.done) out.push(action.done.command);
  if (action.undo && action.undo !== "irreversible") out.push(action.undo.command);
  return out;
}

function varNames(value: VarValue): string[] {
  const items = Array.isArray(value) ? (value as readonly string[]) : typeof value === "string" ? [value] : [];
  return placeholderNames({ kind: "argv", argv: items });
}

/** The placeholder problems of one service's commands. */
export function checkServicePlaceholders(s: Omit<ModelService, "after" | "skew" | "bridged">, scope: PlaceholderScope): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const builtins = new Set<string>(BUILTIN_PLACEHOLDERS);
  if (!scope.hasInventory) builtins.delete("inventory");
  // Every host var name of the service's hosts, for a did-you-mean; read only for an unknown placeholder.
  const hostVarNames = (): Set<string> => {
    const names = new Set<string>();
    for (const h of s.hosts) for (const name of Object.keys(scope.hostVars(h))) names.add(name);
    return names;
  };

  const check = (name: string, span: Span, seen: Set<string>, extra: ReadonlySet<string> = NONE): void => {
    if (name.startsWith("secret.")) {
      const secret = name.slice("secret.".length);
      if (!scope.secrets.has(secret)) {
        const suggestion = suggest(secret, scope.secrets);
        diagnostics.push(diag("UPG0230", {
          message: `unknown secret {${name}}`,
          span,
          help: suggestion !== undefined ? `did you mean \`{secret.${suggestion}}\`?` : `declare it: secret ${secret} env "VARIABLE"`,
        }));
      }
      return;
    }
    if (name === "from" || name === "to") {
      if (scope.plan[name] === null) diagnostics.push(missingVersion(name, span));
      return;
    }
    if (builtins.has(name) || extra.has(name)) return;
    const own = s.vars[name];
    if (own !== undefined) {
      if (seen.has(name)) return;
      seen.add(name);
      for (const inner of varNames(own)) check(inner, span, seen);
      return;
    }
    const lacking = s.hosts.filter((h) => scope.hostVars(h)[name] === undefined);
    if (lacking.length === 0 && s.hosts.length > 0) return;
    if (lacking.length < s.hosts.length) {
      diagnostics.push(diag("UPG0229", {
        message: `placeholder {${name}} has no value on ${lacking.length} of the ${s.hosts.length} hosts of service '${s.name}'`,
        span,
        notes: [`no host var '${name}': ${lacking.slice(0, 6).join(", ")}${lacking.length > 6 ? ", …" : ""}`],
        help: `set '${name}' for those hosts in the inventory, or give the service a default: var ${name} = "..."`,
      }));
      return;
    }
    const candidates = [...BUILTIN_PLACEHOLDERS, ...Object.keys(s.vars), ...hostVarNames()];
    const suggestion = suggest(name, candidates);
    diagnostics.push(diag("UPG0229", {
      message: `unknown placeholder {${name}}`,
      span,
      notes: [`in service '${s.name}': not a built-in (${BUILTIN_PLACEHOLDERS.map((b) => `{${b}}`).join(" ")}), a var of the service, or a host var of its hosts`],
      help: suggestion !== undefined ? `did you mean \`{${suggestion}}\`?` : `declare it in the service or its template: var ${name} = "..."`,
    }));
  };

  const evacuation = new Set<string>(EVACUATION_PLACEHOLDERS);
  for (const action of serviceActions(s)) {
    const extra = action === s.evacuate?.run ? evacuation : NONE;
    for (const command of commandsOf(action)) for (const name of placeholderNames(command)) check(name, action.span, new Set(), extra);
    diagnostics.push(...secretArguments(action, scope.secrets));
    const known = (name: string): boolean =>
      builtins.has(name) || extra.has(name) || s.vars[name] !== undefined || (name.startsWith("secret.") && scope.secrets.has(name.slice(7))) || s.hosts.some((h) => scope.hostVars(h)[name] !== undefined);
    for (const command of commandsOf(action)) diagnostics.push(...literalPlaceholders(command, known, action.span));
  }
  return diagnostics;
}

/**
 * A secret written into a command's arguments is in that process's argv, which `ps` shows
 * to every user of the machine: an error (no secret is ever put in argv), with the two ways
 * that keep it out.
 */
function secretArguments(action: ModelAction, declared: ReadonlySet<string>): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const command of commandsOf(action)) {
    if (command.kind !== "argv") continue;
    for (const name of placeholderNames(command)) {
      // An undeclared one is an error already (UPG0230).
      if (!name.startsWith("secret.") || !declared.has(name.slice("secret.".length))) continue;
      out.push(diag("UPG0240", {
        message: `{${name}} is a command argument: \`ps\` would show it to every user of the machine it runs on`,
        span: action.span,
        help: `pass it in the environment, e.g. { env { PASSWORD = "{${name}}" } }, or use a shell step that reads "$${envName(name)}"`,
      }));
    }
  }
  return out;
}

/**
 * UPG0251: a placeholder inside single quotes of a shell script. The shell reads it
 * literally, so upgradec leaves it as written rather than break the quoting; a name that is
 * not a value here (awk's `'{print}'`) is the script's own text and is not reported.
 */
function literalPlaceholders(command: PlanCommand, known: (name: string) => boolean, span: Span): Diagnostic[] {
  if (command.kind !== "shell") return [];
  return singleQuotedPlaceholders(command.script)
    .filter(known)
    .map((name) => (diag("UPG0251", {
      message: `{${name}} is inside single quotes in a shell script: it stays as written, not substituted`,
      span,
      notes: ["the shell passes single-quoted text through unchanged, so upgradec does not substitute inside it"],
      help: `close the quotes around it: '…'{${name}}'…' (upgradec then passes the value as one word), or use double quotes`,
    })));
}

/** Commands outside a service (checkpoints): only the plan-wide built-ins and secrets. */
export function checkPlanPlaceholders(action: ModelAction, scope: PlaceholderScope): Diagnostic[] {
  const diagnostics: Diagnostic[] = secretArguments(action, scope.secrets);
  const allowed = new Set(["step", "stdlib", ...(scope.hasInventory ? ["inventory"] : [])]);
  for (const command of commandsOf(action)) {
    for (const name of placeholderNames(command)) {
      if (allowed.has(name)) continue;
      if ((name === "from" || name === "to") && scope.plan[name] !== null) continue;
      if (name === "from" || name === "to") {
        diagnostics.push(missingVersion(name, action.span));
        continue;
      }
      if (name.startsWith("secret.") && scope.secrets.has(name.slice(7))) continue;
      diagnostics.push(diag("UPG0229", {
        message: `unknown placeholder {${name}}`,
        span: action.span,
        notes: ["a checkpoint runs once for the whole plan: only {from} {to} {inventory} {stdlib} {step} and secrets have values there"],
        help: "write the value into the command, or declare a secret for it",
      }));
    }
  }
  return diagnostics;
}

/**
 * The values a notifier's command has (src/runtime/notify.ts fills them in for each event);
 * those an event does not have (`{service}` outside batch-finished) are empty.
 */
export const NOTIFY_PLACEHOLDERS = [
  "plan",
  "run",
  "event",
  "time",
  "outcome",
  "message",
  "text",
  "failed",
  "service",
  "batch",
  "done",
  "running",
  "left",
  "total",
  "progress",
  "eta",
  "planned-end",
  "behind",
  "verify",
  "stdlib",
] as const;

/** A notifier's command: the notify built-ins, {from} {to}, its own vars and secrets. */
export function checkNotifyPlaceholders(notifier: ModelNotifier, scope: PlaceholderScope): Diagnostic[] {
  const diagnostics: Diagnostic[] = secretArguments(notifier.action, scope.secrets);
  const builtins = new Set<string>(NOTIFY_PLACEHOLDERS);
  const check = (name: string, seen: Set<string>): void => {
    if (builtins.has(name)) return;
    if (name.startsWith("secret.") && scope.secrets.has(name.slice(7))) return;
    if ((name === "from" || name === "to") && scope.plan[name] !== null) return;
    if (name === "from" || name === "to") {
      diagnostics.push(missingVersion(name, notifier.action.span));
      return;
    }
    const own = notifier.vars[name];
    if (own !== undefined) {
      if (seen.has(name)) return;
      seen.add(name);
      for (const inner of varNames(own)) check(inner, seen);
      return;
    }
    const suggestion = suggest(name, [...builtins, ...Object.keys(notifier.vars)]);
    diagnostics.push({
      code: name.startsWith("secret.") ? "UPG0230" : "UPG0229",
      severity: "error",
      message: name.startsWith("secret.") ? `unknown secret {${name}}` : `unknown placeholder {${name}}`,
      span: notifier.action.span,
      notes: [`notifier '${notifier.name}' has: ${NOTIFY_PLACEHOLDERS.map((b) => `{${b}}`).join(" ")} {from} {to}, its own vars and secrets`],
      help: suggestion !== undefined ? `did you mean \`{${suggestion}}\`?` : `declare it in the notifier: var ${name} = "..."`,
    });
  };
  for (const command of commandsOf(notifier.action)) for (const name of placeholderNames(command)) check(name, new Set());
  diagnostics.push(...secretsInVars(notifier));
  const known = (name: string): boolean => builtins.has(name) || notifier.vars[name] !== undefined || (name.startsWith("secret.") && scope.secrets.has(name.slice(7)));
  for (const command of commandsOf(notifier.action)) diagnostics.push(...literalPlaceholders(command, known, notifier.action.span));
  return diagnostics;
}

/**
 * A var is substituted as text, once: a `{secret.NAME}` inside a var's value would reach the
 * command as those very characters, never as the secret (and were it the secret, a var in
 * argv would put it where `ps` shows it). Secrets go in `env`, as `{secret.NAME}` itself.
 */
function secretsInVars(notifier: ModelNotifier): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [name, value] of Object.entries(notifier.vars)) {
    const secret = varNames(value).find((n) => n.startsWith("secret."));
    if (secret === undefined) continue;
    out.push(diag("UPG0240", {
      message: `var ${name} of notifier '${notifier.name}' holds {${secret}}: a var is not where a secret goes`,
      span: notifier.span,
      help: `give it in the command's environment: { env { VALUE = "{${secret}}" } }, and read "$VALUE" in a shell script`,
    }));
  }
  return out;
}

function missingVersion(name: "from" | "to", span: Span): Diagnostic {
  return diag("UPG0229", {
    message: `placeholder {${name}} is used but the plan gives no '${name}' version`,
    span,
    help: `say it in the plan: plan "..." { from "zed" to "2023.1" }`,
  });
}
