/**
 * The one place where a command line for a remote shell is built.
 *
 * ssh does not pass its arguments to the remote host as an argv: it joins every word after
 * the destination with spaces, and the remote user's shell parses that text again. So
 * whatever reaches ssh, a connection's `exec` prefix followed by a step's command, or a list
 * var such as the standard library's `on-host = ["ssh", ..., "--", "{host}"]` at the head
 * of a command, goes through `remoteArgv`: the ssh options stay options, `--` is put before
 * the destination (so no value can become an option), and the remote command is sent as
 * one word in which every argument is quoted for a POSIX shell. A remote command that is
 * itself ssh (a jump through another host) is built the same way first, so each shell on
 * the way removes exactly one level of quoting.
 *
 * ssh's own argument rules (OpenSSH ssh.c): options come before the destination, and also
 * right after it unless `--` came first; the first word that is not an option is the
 * destination; everything after the destination (and after a `--` that follows it) is the
 * command.
 */
import { basename } from "node:path";

/** ssh's option letters that take a value (getopt string of OpenSSH 9). */
const SSH_OPTIONS_WITH_VALUE: ReadonlySet<string> = new Set("BbcDEeFIiJLlmOoPpQRSWw");
/** autossh takes ssh's options, and `-M PORT` (its monitoring port) for itself. */
const AUTOSSH_OPTIONS_WITH_VALUE: ReadonlySet<string> = new Set([...SSH_OPTIONS_WITH_VALUE, "M"]);

/** Quote one argument for a POSIX shell: 'it'\''s'. */
export function shellQuote(arg: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return "'" + arg.replace(/'/g, "'\\''") + "'";
}

/** The words of an argv as one command line a POSIX shell parses back into the same words. */
export function shellCommandLine(argv: readonly string[]): string {
  return argv.map(shellQuote).join(" ");
}

/** Whether a program parses its command's arguments with a remote shell (ssh does). */
export function reparsesArguments(program: string | undefined): boolean {
  // The last path component, as basename gives it, without a call per command of a large plan.
  return program !== undefined && /(?:^|\/)(?:ssh|autossh)\/*$/.test(program);
}

export interface SshCall {
  /** ssh itself, as written. */
  readonly program: string;
  /** The options, in their order, with their values. */
  readonly options: readonly string[];
  readonly destination: string;
  /** The command to run there, one argument each (empty: a login shell). */
  readonly command: readonly string[];
}

/** An ssh argv split as ssh splits it, or null when it names no destination. */
export function parseSsh(argv: readonly string[]): SshCall | null {
  const program = argv[0];
  if (program === undefined) return null;
  const withValue = basename(program) === "autossh" ? AUTOSSH_OPTIONS_WITH_VALUE : SSH_OPTIONS_WITH_VALUE;
  const options: string[] = [];
  let destination: string | null = null;
  let terminated = false;
  let i = 1;
  // Options before the destination, then (unless `--` came first) after it too.
  while (i < argv.length) {
    const arg = argv[i] ?? "";
    if (arg === "--") {
      i += 1;
      if (destination !== null || terminated) break;
      terminated = true;
      continue;
    }
    if (!terminated && arg.startsWith("-") && arg.length > 1) {
      const taken = optionWords(argv, i, withValue);
      options.push(...argv.slice(i, i + taken));
      i += taken;
      continue;
    }
    if (destination !== null) break;
    destination = arg;
    i += 1;
    if (terminated) break;
  }
  if (destination === null) return null;
  return { program, options, destination, command: argv.slice(i) };
}

/** How many words the option cluster at `argv[i]` takes (`-o X` two, `-oX` or `-vT` one). */
function optionWords(argv: readonly string[], i: number, withValue: ReadonlySet<string>): number {
  const arg = argv[i] ?? "";
  for (let c = 1; c < arg.length; c++) {
    if (withValue.has(arg[c] ?? "")) return c === arg.length - 1 && i + 1 < argv.length ? 2 : 1;
  }
  return 1;
}

/** Why a destination cannot be given to ssh, or null when it can. */
export function unsafeDestination(destination: string): string | null {
  if (destination === "") return "the host name is empty";
  if (destination.startsWith("-")) return `the host name '${destination}' begins with '-' (ssh would read it as an option)`;
  // eslint-disable-next-line no-control-regex
  if (/[\s\x00-\x1f\x7f]/.test(destination)) return `the host name ${JSON.stringify(destination)} holds white space or a control character`;
  return null;
}

export type RemoteArgv = { readonly ok: true; readonly argv: readonly string[] } | { readonly ok: false; readonly error: string };

/**
 * The argv to spawn for `argv`: itself unless it runs ssh, then ssh's options, `--`, the
 * destination and the remote command as one quoted word (see the module comment).
 */
export function remoteArgv(argv: readonly string[]): RemoteArgv {
  if (!reparsesArguments(argv[0])) return { ok: true, argv };
  const call = parseSsh(argv);
  if (call === null) return { ok: true, argv };
  const unsafe = unsafeDestination(call.destination);
  if (unsafe !== null) return { ok: false, error: unsafe };
  const head = [call.program, ...call.options, "--", call.destination];
  if (call.command.length === 0) return { ok: true, argv: head };
  const inner = remoteArgv(call.command);
  if (!inner.ok) return inner;
  return { ok: true, argv: [...head, shellCommandLine(inner.argv)] };
}
