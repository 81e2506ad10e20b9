/**
 * What an inventory may call a host, and what it may give as the address, user and port
 * ssh is to use. Host names end up as arguments of ssh, of kolla-ansible's `--limit` and of
 * the operator's own commands; a name such as `-oProxyCommand=...` is read by ssh as an
 * option, and one with `;` or a newline means something to every shell it meets. So a host
 * name is what Ansible and DNS accept in practice: a DNS name (RFC 1123 labels, `_` allowed
 * as Ansible allows it in aliases), an IPv4 or IPv6 address (with a `%zone`), or an alias
 * made of letters (any script), digits, `.`, `-` and `_`, that does not begin with `-` or
 * `.`. Everything else is an error at load time, naming the host and where it is written.
 */

/** Longest DNS name (RFC 1035, without the final dot). */
const MAX_NAME = 253;

const ALIAS = /^[\p{L}\p{N}_][\p{L}\p{N}\p{M}_.-]*$/u;
const IPV6 = /^[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]+)?$/;

/** Why `name` cannot name a host, or null when it can. */
export function hostNameProblem(name: string): string | null {
  if (name === "") return "a host name cannot be empty";
  if (name.length > MAX_NAME) return `a host name has at most ${MAX_NAME} characters (this one has ${name.length})`;
  if (name.startsWith("-")) return "it begins with '-', so ssh and other programs would read it as an option";
  // eslint-disable-next-line no-control-regex
  if (/[\s\x00-\x1f\x7f\u0085\u2028\u2029]/u.test(name)) return "it holds white space or a control character";
  if (name.includes(":")) return IPV6.test(name) && name.split(":").length >= 3 ? null : "a name with ':' must be an IPv6 address";
  if (!ALIAS.test(name)) {
    const bad = [...name].find((c) => !/[\p{L}\p{N}\p{M}_.-]/u.test(c)) ?? name[0] ?? "";
    return `it holds ${JSON.stringify(bad)}, which is not part of a host name, an address or an alias`;
  }
  return null;
}

/**
 * The inventory vars that become ssh's destination, user and port (Ansible's connection
 * vars): why `value` cannot be one, or null when it can.
 */
export function connectionVarProblem(name: string, value: unknown): string | null {
  const text = typeof value === "number" ? String(value) : typeof value === "string" ? value : null;
  if (text === null) return `${name} must be a single value`;
  const kind = name.replace("ansible_ssh_", "ansible_");
  if (kind === "ansible_port") return /^\d{1,5}$/.test(text) && Number(text) >= 1 && Number(text) <= 65535 ? null : `${name} must be a port number (1 to 65535)`;
  if (kind === "ansible_user") {
    if (text.startsWith("-")) return `${name} begins with '-', so ssh would read it as an option`;
    return /^[\p{L}\p{N}_.@-]+$/u.test(text) ? null : `${name} holds a character a user name does not have`;
  }
  const problem = hostNameProblem(text);
  return problem === null ? null : `${name}: ${problem}`;
}

/** The host vars that `connectionVarProblem` checks. */
export const CONNECTION_VARS: readonly string[] = ["ansible_host", "ansible_ssh_host", "ansible_user", "ansible_ssh_user", "ansible_port", "ansible_ssh_port"];
