/**
 * From a command template to what is spawned, without ever building a shell command from
 * values:
 *
 * - argv: each `{name}` is replaced inside its argument, which stays one argument (a value
 *   with spaces or quotes is not re-split). An argument that is exactly `{name}` where the
 *   var holds a list becomes one argument per item; a list inside a longer argument is
 *   joined with commas. `{secret.NAME}` is a secret's value. An unknown placeholder is an
 *   error, not an empty string.
 * - shell (`shell "..."`): runs as `/bin/sh -c SCRIPT`. Values never enter the script text:
 *   each one is exported as an environment variable (`UPG_HOST`, `UPG_FROM`, `UPG_TO`,
 *   `UPG_SERVICE`, `UPG_INVENTORY`, `UPG_STEP`, `UPG_<VAR>` for a host or service var,
 *   `UPG_SECRET_<NAME>`; names upper-cased, other characters as `_`), and a `{name}` in the
 *   script is rewritten to a reference to that variable: `"${UPG_NAME}"` outside quotes,
 *   `${UPG_NAME}` inside double quotes; inside single quotes it stays as written.
 * - connection: a host's connection prefixes its `exec` argv (placeholders substituted the
 *   same way). The environment is passed as `env NAME=VALUE ...` in front of the command
 *   (a connection does not carry the local environment), except secrets, which go on
 *   standard input (see `remoteCommand`).
 * - secrets: a command gets only the secrets it names; see `namedSecrets`.
 * - ssh: whatever argv is finally spawned, from a connection or a list var such as
 *   `{on-host}`, goes through `remoteArgv` (remote-shell.ts), which quotes the remote
 *   command for the shell that ssh hands it to and puts `--` before the destination.
 */
import type { PlanCommand, VarValue } from "../plan/plan.js";
import { remoteArgv, shellQuote, unsafeDestination } from "./remote-shell.js";
import { PLACEHOLDER, envName, shellPlaceholders } from "../base/placeholder-syntax.js";

// verify.ts quotes the commands it suggests with the same function.
export { shellQuote } from "./remote-shell.js";

export interface Invocation {
  readonly file: string;
  readonly args: readonly string[];
  /** Added to the runtime's own environment. */
  readonly env: Readonly<Record<string, string>>;
  /** Written to its standard input, which is then closed (null: no standard input). */
  readonly input: string | null;
}

export type Built = { readonly ok: true; readonly invocation: Invocation } | { readonly ok: false; readonly error: string };

export interface Substitution {
  readonly vars: Readonly<Record<string, VarValue>>;
  readonly secrets: Readonly<Record<string, string>>;
}

const WHOLE = /^\{([A-Za-z_][A-Za-z0-9_.-]*)\}$/;

function lookup(name: string, sub: Substitution): VarValue | undefined {
  if (name.startsWith("secret.")) return sub.secrets[name.slice("secret.".length)];
  return sub.vars[name];
}

function scalar(value: VarValue): string {
  return Array.isArray(value) ? value.join(",") : String(value);
}

/** Substitute one argv argument; a whole-argument list var gives several. */
export function substituteArg(arg: string, sub: Substitution): { ok: true; args: string[] } | { ok: false; error: string } {
  const whole = WHOLE.exec(arg);
  if (whole) {
    const value = lookup(whole[1] ?? "", sub);
    if (value === undefined) return { ok: false, error: unknownPlaceholder(whole[1] ?? "") };
    return { ok: true, args: Array.isArray(value) ? [...(value as readonly string[])] : [String(value)] };
  }
  let missing: string | null = null;
  const out = arg.replace(PLACEHOLDER, (match, name: string) => {
    const value = lookup(name, sub);
    if (value === undefined) {
      missing ??= name;
      return match;
    }
    return scalar(value);
  });
  if (missing !== null) return { ok: false, error: unknownPlaceholder(missing) };
  return { ok: true, args: [out] };
}

function unknownPlaceholder(name: string): string {
  return name.startsWith("secret.") ? `unknown secret {${name}}` : `unknown placeholder {${name}}: no host or service var, and not one of {host} {from} {to} {service} {inventory}`;
}

export function substituteArgv(argv: readonly string[], sub: Substitution): { ok: true; args: string[] } | { ok: false; error: string } {
  const out: string[] = [];
  for (const arg of argv) {
    const r = substituteArg(arg, sub);
    if (!r.ok) return r;
    out.push(...r.args);
  }
  return { ok: true, args: out };
}

/** Every placeholder value as an environment variable, for shell scripts. */
export function placeholderEnv(sub: Substitution): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(sub.vars)) env[envName(name)] = Array.isArray(value) ? value.join(" ") : String(value);
  for (const [name, value] of Object.entries(sub.secrets)) env[envName("secret." + name)] = value;
  return env;
}

/**
 * Rewrite `{name}` in a shell script into a reference to its environment variable, tracking
 * the quoting state so the reference is never split (see the module comment).
 */
export function rewriteScript(script: string, sub: Substitution): { ok: true; script: string } | { ok: false; error: string } {
  let out = "";
  let at = 0;
  for (const p of shellPlaceholders(script)) {
    if (lookup(p.name, sub) === undefined) return { ok: false, error: unknownPlaceholder(p.name) };
    out += script.slice(at, p.start) + (p.inDoubleQuotes ? `\${${envName(p.name)}}` : `"\${${envName(p.name)}}"`);
    at = p.end;
  }
  return { ok: true, script: out + script.slice(at) };
}

/**
 * Vars whose values hold placeholders of other vars (`in-service = ["ssh", "{host}",
 * "docker", "exec", "{kolla-container}"]`) with those substituted, a few levels deep. An
 * item that is exactly a list var's placeholder becomes its items. Unknown names stay.
 * Returns `vars` itself when no value holds a placeholder (the caller passes a fresh object).
 */
export function expandVarValues(vars: Record<string, VarValue>): Record<string, VarValue> {
  const items = (value: VarValue | undefined): readonly string[] | null =>
    Array.isArray(value) ? (value as readonly string[]) : typeof value === "string" ? [value] : null;
  const pending: string[] = [];
  for (const name in vars) {
    const value = vars[name];
    if (typeof value === "string" ? value.includes("{") : Array.isArray(value) && value.some((i: string) => i.includes("{"))) pending.push(name);
  }
  // The common case: no var built from others; the caller's own object, untouched.
  if (pending.length === 0) return vars;
  const current: Record<string, VarValue> = { ...vars };
  const sub: Substitution = { vars: current, secrets: {} };
  for (let pass = 0; pass < 4; pass++) {
    let changed = false;
    for (const name of pending) {
      const value = current[name] as VarValue;
      const before = items(value) ?? [];
      // A var never stands for itself.
      delete current[name];
      const out: string[] = [];
      for (const item of before) {
        const r = substituteArg(item, sub);
        out.push(...(r.ok ? r.args : [item]));
      }
      const next: VarValue = Array.isArray(value) ? out : out.join(",");
      current[name] = next;
      changed ||= out.length !== before.length || out.some((o, i) => o !== before[i]);
    }
    if (!changed) break;
  }
  return current;
}

/**
 * The secrets a command names: `{secret.NAME}` in its arguments, script or env values, and in
 * a shell script also `$UPG_SECRET_NAME` written directly. Only these reach the command.
 */
export function namedSecrets(command: Exclude<PlanCommand, { kind: "module" }>, stepEnv: Readonly<Record<string, string>>, secrets: Readonly<Record<string, string>>): Record<string, string> {
  const texts = [...(command.kind === "argv" ? command.argv : [command.script]), ...Object.values(stepEnv)];
  const named: Record<string, string> = {};
  for (const [name, value] of Object.entries(secrets)) {
    const placeholder = `{secret.${name}}`;
    const variable = envName("secret." + name);
    const direct = (text: string): boolean => command.kind === "shell" && new RegExp(`\\$\\{?${variable}(?![A-Za-z0-9_])`).test(text);
    if (texts.some((t) => t.includes(placeholder) || direct(t))) named[name] = value;
  }
  return named;
}

/** What reads a remote command's secrets from its standard input, then starts it (see `remoteCommand`). */
const READ_SECRETS =
  'eval "$(cat)"; [ "${UPGRADEC_SECRETS_READ-}" = 1 ] || { echo "upgradec: no secrets on standard input: the connection must forward it" >&2; exit 125; }; unset UPGRADEC_SECRETS_READ; exec "$@"';

/**
 * The remote part of a command behind a connection that carries no environment: `env
 * NAME=VALUE ...` for the values that are not secret, then the command. A secret never goes
 * into an argument list (`ps` shows those to every user of both machines): when the command
 * has secret values in its environment, they are written to its standard input as shell
 * assignments, and a small `sh -c` reads them into the environment before it starts the
 * command. So a connection that is to carry secrets must forward standard input (ssh and
 * sudo do; `docker exec` and `kubectl exec` need `-i`).
 */
function remoteCommand(argv: readonly string[], env: Readonly<Record<string, string>>, secretValues: readonly string[]): { argv: string[]; input: string | null } {
  const plain: string[] = [];
  let input = "";
  for (const [k, v] of Object.entries(env)) {
    if (secretValues.some((s) => s !== "" && v.includes(s))) input += `${k}=${shellQuote(v)}; export ${k}\n`;
    else plain.push(`${k}=${v}`);
  }
  const withEnv = plain.length > 0 ? ["env", ...plain, ...argv] : [...argv];
  if (input === "") return { argv: withEnv, input: null };
  // `$(cat)` ends at the end of standard input, which the runner closes after the assignments.
  // The last assignment proves they all came: a connection that does not forward standard
  // input fails the command (exit 125) instead of running it without its secrets.
  return { argv: ["/bin/sh", "-c", READ_SECRETS, "upgradec", ...withEnv], input: input + "UPGRADEC_SECRETS_READ=1\n" };
}

export function buildInvocation(
  command: Exclude<PlanCommand, { kind: "module" }>,
  sub: Substitution,
  stepEnv: Readonly<Record<string, string>>,
  connection: readonly string[],
): Built {
  // Host names are checked when the inventory is read; a plan file is checked again here,
  // before the name can reach ssh (or any other program) as an argument.
  const host = sub.vars["host"];
  const unsafe = typeof host === "string" ? unsafeDestination(host) : null;
  if (unsafe !== null) return { ok: false, error: unsafe };
  let argv: string[];
  let env: Record<string, string> = {};
  // Only the secrets the command names reach it.
  const own: Substitution = { vars: sub.vars, secrets: namedSecrets(command, stepEnv, sub.secrets) };
  for (const [k, v] of Object.entries(stepEnv)) {
    // The name is written into `env NAME=...` and, for a secret, into shell assignments.
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) return { ok: false, error: `env: '${k}' is not an environment variable name` };
    const r = substituteArg(v, own);
    if (!r.ok) return { ok: false, error: r.error };
    env[k] = r.args.join(" ");
  }
  if (command.kind === "argv") {
    const r = substituteArgv(command.argv, own);
    if (!r.ok) return { ok: false, error: r.error };
    argv = r.args;
  } else {
    const r = rewriteScript(command.script, own);
    if (!r.ok) return { ok: false, error: r.error };
    argv = ["/bin/sh", "-c", r.script, "upgradec"];
    env = { ...placeholderEnv(own), ...env };
  }
  if (argv.length === 0) return { ok: false, error: "empty command" };
  if (connection.length === 0) return finish(argv, env, null);
  const prefix = substituteArgv(connection, { vars: sub.vars, secrets: {} });
  if (!prefix.ok) return { ok: false, error: `connection: ${prefix.error}` };
  const remote = remoteCommand(argv, env, Object.values(own.secrets));
  return finish([...prefix.args, ...remote.argv], {}, remote.input);
}

/** The invocation of `argv`, through `remoteArgv` whatever its origin (a connection, a list var, the command itself). */
function finish(argv: readonly string[], env: Record<string, string>, input: string | null): Built {
  const safe = remoteArgv(argv);
  if (!safe.ok) return { ok: false, error: safe.error };
  return { ok: true, invocation: { file: safe.argv[0] ?? "", args: safe.argv.slice(1), env, input } };
}
