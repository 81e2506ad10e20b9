/**
 * The INI inventory form, as Ansible's `ini` plugin reads it: lines before any section are
 * ungrouped hosts; `[group]` holds host lines (`cmp[001:040] az=az1 instances=12`),
 * `[group:vars]` one `key=value` per line, `[group:children]` one group name per line;
 * lines starting with `#` or `;` are comments. Values are typed as Ansible types them (see
 * python-literal.ts). Ansible's documentation says `[group:vars]` values are strings, but its
 * code (`_parse_variable_definition` in plugins/inventory/ini.py) passes them through the
 * same `literal_eval` as inline host vars, so `port=8080` is the integer 8080 in both places;
 * we follow the code, since that is what a playbook sees.
 *
 * Where Ansible stops at the first error and drops the whole file, this reader reports
 * every error it finds and keeps what it could read. A `[g:children]` entry naming a group
 * that no section of this file or an earlier one declares is an error, as in Ansible
 * ("includes undefined group"), and so is `[g:vars]` for a group never declared.
 */
import type { Code } from "../diagnostics/codes.js";
import { diag, type Span } from "../diagnostics/diagnostic.js";
import type { VarValue } from "../plan/plan.js";
import { suggest } from "../diagnostics/did-you-mean.js";
import { MAX_HOSTS } from "../limits.js";
import { expandHostPattern } from "./host-pattern.js";
import type { InventoryBuilder } from "./inventory-builder.js";
import { ansibleIniValue } from "./python-literal.js";
import { shlexSplit } from "./shlex.js";
import { toVarValue } from "./var-value.js";

const SECTION = /^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$/;
const GROUP_NAME = /^([^:\]\s]+)\s*(?:#.*)?$/;

/** Groups a section of this kind declares (only these count for `:children` and `:vars`). */
export type DeclaredGroups = Set<string>;

export function parseIni(text: string, file: string, builder: InventoryBuilder, declared: DeclaredGroups): void {
  const span = (start: number, end: number): Span => ({ file, start, end });
  const error = (code: Code, message: string, at: Span, help?: string): void => {
    builder.diagnostics.push(diag(code, { message, span: at, ...(help ? { help } : {}) }));
  };
  const pendingChildren: { parent: string; child: string; span: Span }[] = [];
  const pendingVars: { group: string; span: Span }[] = [];
  // The hosts of an inventory repeat a few values (`az=az1`, `instances=12`): each text is
  // typed once. Lists are left out, so that no two hosts share one array.
  const typed = new Map<string, VarValue>();
  const varValue = (text: string): VarValue => {
    const known = typed.get(text);
    if (known !== undefined) return known;
    const value = toVarValue(ansibleIniValue(text));
    if (!Array.isArray(value)) typed.set(text, value);
    return value;
  };

  let group = "ungrouped";
  let state: "hosts" | "vars" | "children" | "skip" = "hosts";
  let lineStart = 0;
  while (lineStart <= text.length) {
    let lineEnd = text.indexOf("\n", lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    const raw = text.slice(lineStart, lineEnd);
    const line = raw.trim();
    const at = lineStart + (line.length === raw.length ? 0 : raw.length - raw.trimStart().length);
    const next = lineEnd + 1;
    if (!line || line[0] === "#" || line[0] === ";") {
      lineStart = next;
      continue;
    }
    const lineSpan = span(at, at + line.length);

    // Only a line that starts with '[' can be a section header (SECTION is anchored there).
    const section = line[0] === "[" ? SECTION.exec(line) : null;
    if (section) {
      const name = section[1] ?? "";
      const kind = section[2] ?? "hosts";
      if (kind !== "hosts" && kind !== "vars" && kind !== "children") {
        const colon = line.indexOf(":");
        error("UPG0302", `section [${name}:${kind}] has an unknown type '${kind}'`, span(at + colon + 1, at + colon + 1 + kind.length), "a section is [group], [group:vars] or [group:children]");
        state = "skip";
      } else {
        const nameSpan = span(at + 1, at + 1 + name.length);
        builder.addGroup(name, nameSpan);
        if (kind === "vars") {
          if (!declared.has(name)) pendingVars.push({ group: name, span: nameSpan });
        } else declared.add(name);
        group = name;
        state = kind;
      }
      lineStart = next;
      continue;
    }
    if (line.startsWith("[")) {
      const help = /\s/.test(line.replace(/\]\s*(#.*)?$/, ""))
        ? "a group name has no spaces: write [my-group], [my-group:vars] or [my-group:children]"
        : line.includes("]")
          ? "a section header is alone on its line; a comment after it starts with '#'"
          : "close the section header with ']'";
      error("UPG0301", `malformed section header '${line}'`, lineSpan, help);
      state = "skip";
      lineStart = next;
      continue;
    }

    if (state === "hosts") readHostLine(line, at, group);
    else if (state === "vars") {
      const eq = line.indexOf("=");
      if (eq < 0) {
        error("UPG0305", `expected key=value in [${group}:vars], found '${line}'`, lineSpan, "write one variable per line: `name=value`");
      } else {
        const key = line.slice(0, eq).trim();
        builder.setGroupVar(group, key, varValue(line.slice(eq + 1).trim()), span(at, at + eq));
      }
    } else if (state === "children") {
      const m = GROUP_NAME.exec(line);
      if (!m) {
        error("UPG0317", `expected a group name in [${group}:children], found '${line}'`, lineSpan, "list one child group per line; hosts go in a [group] section");
      } else {
        const child = m[1] ?? "";
        pendingChildren.push({ parent: group, child, span: span(at, at + child.length) });
      }
    }
    lineStart = next;
  }

  const nearest = (name: string): string | undefined => suggest(name, [...declared].filter((g) => g !== "all" && g !== "ungrouped"));
  for (const { parent, child, span: at } of pendingChildren) {
    if (declared.has(child)) builder.addChild(parent, child, at);
    else {
      const near = nearest(child);
      error(
        "UPG0303",
        `[${parent}:children] names group '${child}', which is never declared`,
        at,
        near ? `did you mean \`${near}\`?` : `declare it with a [${child}] section (it may be empty), or remove it from [${parent}:children]`,
      );
    }
  }
  for (const { group: name, span: at } of pendingVars) {
    if (declared.has(name)) continue;
    const near = nearest(name);
    error("UPG0304", `[${name}:vars] sets vars of group '${name}', which is never declared`, at, near ? `did you mean \`${near}\`?` : `declare it with a [${name}] or [${name}:children] section`);
  }

  function readHostLine(line: string, at: number, groupName: string): void {
    const split = shlexSplit(line);
    if (!split.ok) {
      error("UPG0313", `${split.message} in host line`, span(at + split.at, at + line.length), "close the quote, or escape the character with a backslash");
      return;
    }
    const first = split.tokens[0];
    if (!first) return;
    const patternSpan = span(at + first.start, at + first.end);
    if (first.value.trim() === "---") {
      error("UPG0306", "invalid host pattern '---'", patternSpan, "'---' starts a YAML document: name the file .yml, or remove the line");
      return;
    }
    const expanded = expandHostPattern(first.value);
    if (!expanded.ok) {
      // Offsets in the pattern match the line only when the token had no quotes or escapes.
      const exact = first.end - first.start === first.value.length;
      const where = exact ? span(patternSpan.start + expanded.start, patternSpan.start + expanded.end) : patternSpan;
      error("UPG0306", expanded.message, where, expanded.help);
      return;
    }
    if (builder.hosts.size + expanded.hosts.length > MAX_HOSTS) {
      error("UPG0306", `the inventory names more than ${MAX_HOSTS} hosts`, patternSpan, "split the cloud into several plans, each with its own inventory");
      return;
    }
    const vars: { key: string; value: VarValue }[] = [];
    for (const token of split.tokens.slice(1)) {
      const eq = token.value.indexOf("=");
      if (eq < 0) {
        error("UPG0305", `expected key=value after the host, found '${token.value}'`, span(at + token.start, at + token.end), "host vars are written `name=value`; quote a value that holds spaces: name=\"a b\"");
        continue;
      }
      vars.push({ key: token.value.slice(0, eq), value: varValue(token.value.slice(eq + 1)) });
    }
    for (const name of expanded.hosts) {
      const host = builder.addHost(name, patternSpan, groupName);
      if (expanded.port !== null) host.inlineVars.set("ansible_port", expanded.port);
      for (const { key, value } of vars) host.inlineVars.set(key, value);
    }
  }
}
