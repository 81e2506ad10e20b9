/**
 * Ansible host patterns as they appear in an inventory: `cmp[001:240]` (zero padding kept
 * when the lower bound is padded), `[a:f]` letter ranges (over a..zA..Z, as Python's
 * `string.ascii_letters`), `[0:10:2]` strides, several ranges in one name
 * (`r[1:2]n[01:04]`), and an optional `:port` (`ctl01:2222`).
 * Follows `expand_hostname_range` and `parse_address` in Ansible, with one deliberate
 * difference: a numeric range that runs backwards (`cmp[10:01]`) is an error here, where
 * Ansible silently yields no hosts.
 */

import { MAX_HOSTS } from "../limits.js";

export type HostPatternResult =
  | { readonly ok: true; readonly hosts: readonly string[]; readonly port: number | null }
  | {
      readonly ok: false;
      readonly message: string;
      readonly help?: string;
      /** The part of the pattern at fault, as offsets into it. */
      readonly start: number;
      readonly end: number;
    };

/** More hosts than this from one pattern is surely a typo (`[0:99999999]`). */
const MAX_EXPANSION = MAX_HOSTS;
const LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

export function expandHostPattern(pattern: string): HostPatternResult {
  // Most inventory lines name one plain host: no range, no port.
  if (!pattern.includes("[") && !pattern.includes(":")) return { ok: true, hosts: [pattern], port: null };
  const { host, port, error } = splitPort(pattern);
  if (error) return { ok: false, message: error, start: 0, end: pattern.length, help: "a port follows the host as `host:2222`; remove the trailing ':'" };
  const hosts: string[] = [];
  const failure = expandInto(host, 0, hosts);
  if (failure) return failure;
  return { ok: true, hosts, port };
}

function splitPort(pattern: string): { host: string; port: number | null; error?: string } {
  if (pattern.endsWith(":") && !pattern.endsWith("::")) return { host: pattern, port: null, error: `invalid host pattern '${pattern}': it ends in ':'` };
  const colons: number[] = [];
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "[") depth++;
    else if (c === "]") depth = Math.max(0, depth - 1);
    else if (c === ":" && depth === 0) colons.push(i);
  }
  // One colon outside brackets followed by digits is a port; more colons is an IPv6 address.
  const at = colons[0];
  if (colons.length === 1 && at !== undefined && /^\d+$/.test(pattern.slice(at + 1))) {
    return { host: pattern.slice(0, at), port: Number(pattern.slice(at + 1)) };
  }
  return { host: pattern, port: null };
}

/** Expands `name` (whose first char is at `offset` in the pattern) into `out`; returns a failure or null. */
function expandInto(name: string, offset: number, out: string[]): Extract<HostPatternResult, { ok: false }> | null {
  const open = name.indexOf("[");
  if (open < 0) {
    out.push(name);
    return null;
  }
  const close = name.indexOf("]", open);
  const fail = (message: string, help?: string) => ({
    ok: false as const,
    message,
    start: offset + open,
    end: offset + (close < 0 ? name.length : close + 1),
    ...(help ? { help } : {}),
  });
  if (close < 0) return fail(`host range '${name.slice(open)}' has no closing ']'`, "write a range as `name[001:240]`");
  const head = name.slice(0, open);
  const tail = name.slice(close + 1);
  const bounds = name.slice(open + 1, close).split(":");
  if (bounds.length !== 2 && bounds.length !== 3) return fail("a host range must be begin:end or begin:end:step", "write a range as `cmp[001:240]` or `cmp[001:240:2]`");
  const beg = bounds[0] || "0";
  const end = bounds[1] ?? "";
  const stepText = bounds[2] ?? "1";
  if (!end) return fail("a host range must give its end value", "write a range as `cmp[001:240]`");
  if (!/^\d+$/.test(stepText) || Number(stepText) === 0) return fail(`the step of a host range must be a positive integer, not '${stepText}'`);
  const step = Number(stepText);
  const width = beg.startsWith("0") && beg.length > 1 ? beg.length : 0;
  if (width > 0 && width !== end.length) {
    return fail("the bounds of a zero-padded host range must have the same width", `pad both bounds to ${width} digits, e.g. [${beg}:${end.padStart(width, "0")}]`);
  }

  let seq: string[];
  const ib = beg.length === 1 ? LETTERS.indexOf(beg) : -1;
  const ie = end.length === 1 ? LETTERS.indexOf(end) : -1;
  if (ib >= 0 && ie >= 0) {
    if (ib > ie) return fail(`host range [${beg}:${end}] runs backwards`, `write the smaller bound first: [${end}:${beg}]`);
    seq = [];
    for (let i = ib; i <= ie; i += step) seq.push(LETTERS[i] ?? "");
  } else if (/^\d+$/.test(beg) && /^\d+$/.test(end)) {
    const b = Number(beg);
    const e = Number(end);
    if (b > e) return fail(`host range [${bounds.join(":")}] runs backwards`, `write the smaller bound first: [${end}:${beg}]`);
    if ((e - b) / step + 1 > MAX_EXPANSION) return fail(`host range [${bounds.join(":")}] names more than ${MAX_EXPANSION} hosts`);
    seq = [];
    for (let i = b; i <= e; i += step) seq.push(width > 0 ? String(i).padStart(width, "0") : String(i));
  } else {
    return fail(`host range [${bounds.join(":")}] is neither numeric nor a letter range`, "bounds are integers (`[01:40]`) or single letters (`[a:f]`)");
  }

  for (const part of seq) {
    // Later ranges lie in the tail: keep their offsets pointing into the pattern as written.
    const failure = expandInto(head + part + tail, offset + close + 1 - head.length - part.length, out);
    if (failure) return failure;
    if (out.length > MAX_EXPANSION) return fail(`host pattern names more than ${MAX_EXPANSION} hosts`);
  }
  return null;
}
