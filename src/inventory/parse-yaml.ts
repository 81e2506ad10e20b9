/**
 * The YAML inventory form, as Ansible's `yaml` plugin reads it:
 *   all:
 *     vars: { ntp_server: 10.0.0.1 }
 *     children:
 *       compute:
 *         hosts:
 *           cmp[001:040]: { az: az1 }
 *         vars: { ... }
 *         children: { ... }
 * Every top-level key is a group (usually only `all`). A `hosts`, `vars` or `children`
 * written as a single string is a one-entry mapping, as Ansible allows. Like Ansible, a
 * group that is not a mapping and an unknown key in a group are skipped with a warning;
 * `hosts`, `vars` or `children` that are not mappings are errors. A document with a
 * top-level `_meta` is the `--list` form instead (parse-list-json.ts).
 */
import { isMap, isScalar, type Node } from "yaml";
import { type Span, diag } from "../diagnostics/diagnostic.js";
import { MAX_HOSTS } from "../limits.js";
import { expandHostPattern } from "./host-pattern.js";
import type { InventoryBuilder } from "./inventory-builder.js";
import type { DeclaredGroups } from "./parse-ini.js";
import { isListForm, readListForm } from "./parse-list-json.js";
import { toVarValue } from "./var-value.js";
import { isNullNode, jsValue, mapEntries, nodeSpan, parseYaml } from "./yaml-source.js";

export function parseYamlInventory(text: string, file: string, builder: InventoryBuilder, declared: DeclaredGroups): void {
  const diagnostics = builder.diagnostics;
  const doc = parseYaml(text, file, diagnostics);
  if (doc.errors.length > 0) return;
  const root = doc.contents as Node | null;
  const whole: Span = { file, start: 0, end: text.length };
  if (isNullNode(root)) return;
  if (!isMap(root)) {
    diagnostics.push(diag("UPG0314", {
      message: "a YAML inventory must be a mapping of groups",
      span: nodeSpan(root, file, whole),
      help: "start with `all:` and put hosts, vars and children under it",
    }));
    return;
  }
  if (isListForm(root)) {
    readListForm(root, doc, file, builder, declared);
    return;
  }
  for (const entry of mapEntries(root, file, diagnostics)) readGroup(entry.key, entry.keySpan, entry.value);

  function readGroup(name: string, nameSpan: Span, node: Node | null): void {
    if (!isNullNode(node) && !isMap(node)) {
      diagnostics.push(diag("UPG0311", {
        message: `group '${name}' is not a mapping and is skipped`,
        span: nodeSpan(node, file, nameSpan),
        help: "a group holds `hosts:`, `vars:` and `children:` mappings",
      }));
      return;
    }
    builder.addGroup(name, nameSpan);
    declared.add(name);
    if (!node || isNullNode(node)) return;
    for (const { key, keySpan, value } of mapEntries(node, file, diagnostics)) {
      if (key !== "hosts" && key !== "vars" && key !== "children") {
        diagnostics.push(diag("UPG0310", {
          message: `unexpected key '${key}' in group '${name}' is skipped`,
          span: keySpan,
          help: "a group holds only `hosts:`, `vars:` and `children:`; a host's vars go under `hosts: { name: { var: value } }`",
        }));
        continue;
      }
      if (isNullNode(value)) continue;
      const entries = sectionEntries(value, keySpan);
      if (!entries) {
        diagnostics.push(diag("UPG0309", {
          message: `'${key}' of group '${name}' must be a mapping`,
          span: nodeSpan(value, file, keySpan),
          help:
            key === "hosts"
              ? "write each host as a key ending in ':', e.g. `cmp001:` (a list with '-' is not accepted)"
              : key === "vars"
                ? "write vars as `name: value` lines under `vars:`"
                : "write each child group as a key ending in ':', e.g. `compute:`",
        }));
        continue;
      }
      if (key === "vars") {
        for (const v of entries) builder.setGroupVar(name, v.key, toVarValue(jsValue(v.value, doc)), v.keySpan);
      } else if (key === "children") {
        for (const child of entries) {
          // The edge first, so that a cycle is reported where it closes, deepest in the file.
          if (isNullNode(child.value) || isMap(child.value)) builder.addChild(name, child.key, child.keySpan);
          readGroup(child.key, child.keySpan, child.value);
        }
      } else {
        for (const h of entries) readHost(h.key, h.keySpan, h.value, name);
      }
    }
  }

  /** A mapping's entries; a plain string is a one-entry mapping; null when neither. */
  function sectionEntries(value: Node | null, at: Span): { key: string; keySpan: Span; value: Node | null }[] | null {
    if (isMap(value)) return mapEntries(value, file, diagnostics);
    if (isScalar(value) && typeof value.value === "string") return [{ key: value.value, keySpan: nodeSpan(value, file, at), value: null }];
    return null;
  }

  function readHost(pattern: string, at: Span, value: Node | null, group: string): void {
    const expanded = expandHostPattern(pattern);
    if (!expanded.ok) {
      const exact = at.end - at.start === pattern.length;
      const where = exact ? { file, start: at.start + expanded.start, end: at.start + expanded.end } : at;
      diagnostics.push(diag("UPG0306", { message: expanded.message, span: where, ...(expanded.help ? { help: expanded.help } : {}) }));
      return;
    }
    if (builder.hosts.size + expanded.hosts.length > MAX_HOSTS) {
      diagnostics.push(diag("UPG0306", { message: `the inventory names more than ${MAX_HOSTS} hosts`, span: at, help: "split the cloud into several plans, each with its own inventory" }));
      return;
    }
    let vars: { key: string; value: Node | null }[] = [];
    if (!isNullNode(value)) {
      if (!isMap(value)) {
        diagnostics.push(diag("UPG0309", {
          message: `the vars of host '${pattern}' must be a mapping`,
          span: nodeSpan(value, file, at),
          help: "write host vars as `name: value` lines under the host",
        }));
      } else vars = mapEntries(value, file, diagnostics);
    }
    const typed = vars.map((v) => ({ key: v.key, value: toVarValue(jsValue(v.value, doc)) }));
    for (const name of expanded.hosts) {
      builder.addHost(name, at, group);
      if (expanded.port !== null) builder.setHostVar(name, "ansible_port", expanded.port);
      for (const { key, value: v } of typed) builder.setHostVar(name, key, v);
    }
  }
}
