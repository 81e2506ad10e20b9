/**
 * The `--list` form: what `ansible-inventory --list` prints and what dynamic inventory
 * scripts emit, and so what openstack-ansible keeps in
 * /etc/openstack_deploy/openstack_inventory.json:
 *   { "_meta": { "hostvars": { "compute1": { "az": "az1" } } },
 *     "all": { "children": ["compute_hosts"], "vars": { ... } },
 *     "compute_hosts": { "hosts": ["compute1"], "children": [], "vars": {} },
 *     "old_style": ["host1", "host2"] }
 * Read as Ansible's `script` plugin reads it: a group given as a list is its hosts; a group
 * mapping with none of hosts/vars/children is a host of that name with those vars; host
 * names are taken as written (no range expansion); children need no declaration.
 */
import { isMap, isScalar, isSeq, type Document, type Node, type YAMLMap } from "yaml";
import { type Span, diag } from "../diagnostics/diagnostic.js";
import type { VarValue } from "../plan/plan.js";
import type { InventoryBuilder } from "./inventory-builder.js";
import type { DeclaredGroups } from "./parse-ini.js";
import { toVarValue } from "./var-value.js";
import { isNullNode, jsValue, mapEntries, nodeSpan } from "./yaml-source.js";

/** True when a YAML or JSON inventory is in the `--list` form (it has the `_meta` key those always carry). */
export function isListForm(root: YAMLMap): boolean {
  return root.items.some((pair) => isScalar(pair.key) && pair.key.value === "_meta");
}

export function readListForm(root: YAMLMap, doc: Document.Parsed, file: string, builder: InventoryBuilder, declared: DeclaredGroups): void {
  const diagnostics = builder.diagnostics;
  const notMapping = (what: string, node: Node | null, at: Span, help: string): void => {
    diagnostics.push(diag("UPG0309", { message: what, span: nodeSpan(node, file, at), help }));
  };
  let hostvars: Node | null = null;
  const seen: { name: string; span: Span }[] = [];

  for (const { key: group, keySpan, value } of mapEntries(root, file, diagnostics)) {
    if (group === "_meta") {
      if (isMap(value)) hostvars = mapEntries(value, file, diagnostics).find((e) => e.key === "hostvars")?.value ?? null;
      continue;
    }
    builder.addGroup(group, keySpan);
    declared.add(group);
    if (isNullNode(value)) continue;
    let hosts: Node | null = null;
    let vars: Node | null = null;
    let children: Node | null = null;
    if (!isMap(value)) hosts = value;
    else {
      const entries = mapEntries(value, file, diagnostics);
      const get = (k: string) => entries.find((e) => e.key === k);
      if (!get("hosts") && !get("vars") && !get("children")) {
        // Ansible's shorthand: a group holding only vars is a host of the same name.
        seen.push({ name: group, span: keySpan });
        builder.addHost(group, keySpan, group);
        setVars(group, value, keySpan, (k, v) => builder.setHostVar(group, k, v));
        continue;
      }
      hosts = get("hosts")?.value ?? null;
      vars = get("vars")?.value ?? null;
      children = get("children")?.value ?? null;
    }
    if (!isNullNode(hosts)) {
      if (!isSeq(hosts)) notMapping(`the hosts of group '${group}' must be a list`, hosts, keySpan, 'write them as a list: "hosts": ["h1", "h2"]');
      else
        for (const item of hosts.items as (Node | null)[]) {
          const name = isScalar(item) ? String(item.value) : "";
          if (!name) continue;
          const span = nodeSpan(item, file, keySpan);
          seen.push({ name, span });
          builder.addHost(name, span, group);
        }
    }
    if (!isNullNode(vars)) setVars(`group '${group}'`, vars, keySpan, (k, v, at) => builder.setGroupVar(group, k, v, at));
    if (!isNullNode(children)) {
      if (!isSeq(children)) notMapping(`the children of group '${group}' must be a list`, children, keySpan, 'write them as a list: "children": ["g1", "g2"]');
      else
        for (const item of children.items as (Node | null)[]) {
          if (!isScalar(item)) continue;
          const child = String(item.value);
          const at = nodeSpan(item, file, keySpan);
          declared.add(child);
          builder.addChild(group, child, at);
        }
    }
  }

  if (hostvars === null || isNullNode(hostvars)) return;
  if (!isMap(hostvars)) {
    notMapping("`_meta.hostvars` must map host names to their vars", hostvars, { file, start: 0, end: 0 }, 'write { "host": { "var": "value" } }');
    return;
  }
  const byHost = new Map(mapEntries(hostvars, file, diagnostics).map((e) => [e.key, e]));
  for (const { name } of seen) {
    const entry = byHost.get(name);
    if (!entry || isNullNode(entry.value)) continue;
    setVars(`host '${name}'`, entry.value, entry.keySpan, (k, v) => builder.setHostVar(name, k, v));
  }

  function setVars(owner: string, node: Node | null, at: Span, set: (key: string, value: VarValue, span: Span) => void): void {
    if (!isMap(node)) {
      notMapping(`the vars of ${owner} must be a mapping`, node, at, 'write { "name": "value" }');
      return;
    }
    for (const v of mapEntries(node, file, diagnostics)) set(v.key, toVarValue(jsValue(v.value, doc)), v.keySpan);
  }
}
