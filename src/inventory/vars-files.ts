/**
 * group_vars/ and host_vars/ beside the inventory, found as Ansible's host_group_vars
 * plugin finds them (DataLoader.find_vars_files): for an entity NAME, the first that exists
 * of `NAME`, `NAME.yml`, `NAME.yaml`, `NAME.json`; when that is a directory, every file in
 * it (recursively, in name order, skipping hidden files and `~` backups, and keeping only
 * files with no extension or one of those three). Files are YAML (JSON is YAML), merged
 * shallowly, a later file winning. An empty file is ignored; one encrypted with
 * ansible-vault cannot be read without its password and is skipped with a warning.
 */
import { join } from "node:path";
import { isMap, type Node } from "yaml";
import { type Diagnostic, diag } from "../diagnostics/diagnostic.js";
import type { LoadHost } from "../files/load-host.js";
import type { VarValue } from "../plan/plan.js";
import { toVarValue } from "./var-value.js";
import { isNullNode, jsValue, mapEntries, nodeSpan, parseYaml } from "./yaml-source.js";

const EXTENSIONS = ["", ".yml", ".yaml", ".json"];

export interface VarsDirectory {
  readonly dir: string;
  /** Entry names of the directory, for cheap lookups over thousands of hosts. */
  readonly names: ReadonlySet<string>;
}

export function openVarsDirectory(host: LoadHost, dir: string): VarsDirectory | null {
  const names = host.readDir(dir);
  return names ? { dir, names: new Set(names) } : null;
}

/** The files holding NAME's vars, in merge order. */
export function varsFilesFor(host: LoadHost, vars: VarsDirectory, name: string): string[] {
  for (const ext of EXTENSIONS) {
    if (!vars.names.has(name + ext)) continue;
    const full = join(vars.dir, name + ext);
    const entries = host.readDir(full);
    return entries ? filesUnder(host, full, entries) : [full];
  }
  return [];
}

function filesUnder(host: LoadHost, dir: string, entries: readonly string[]): string[] {
  const out: string[] = [];
  for (const entry of [...entries].sort()) {
    if (entry.startsWith(".") || entry.endsWith("~")) continue;
    const full = join(dir, entry);
    const dot = entry.lastIndexOf(".");
    const ext = dot > 0 ? entry.slice(dot) : "";
    const sub = ext ? null : host.readDir(full);
    if (sub) out.push(...filesUnder(host, full, sub));
    else if (EXTENSIONS.includes(ext)) out.push(full);
  }
  return out;
}

/** Reads one vars file: its vars, or null when it holds none (empty, vault, or in error). */
export function readVarsFile(text: string, file: string, into: Diagnostic[]): Map<string, VarValue> | null {
  if (text.startsWith("$ANSIBLE_VAULT;")) {
    into.push(diag("UPG0316", {
      message: "vars file is encrypted with ansible-vault and is not read",
      span: { file, start: 0, end: text.indexOf("\n") < 0 ? text.length : text.indexOf("\n") },
      help: "keep facts the plan needs (az, rack, instances) in a file that is not encrypted; encrypt single values with `!vault` instead",
    }));
    return null;
  }
  const doc = parseYaml(text, file, into);
  if (doc.errors.length > 0) return null;
  const root = doc.contents as Node | null;
  if (isNullNode(root)) return null;
  if (!isMap(root)) {
    into.push(diag("UPG0309", {
      message: "a vars file must be a mapping of names to values",
      span: nodeSpan(root, file, { file, start: 0, end: text.length }),
      help: "write one `name: value` per line at the top level",
    }));
    return null;
  }
  const vars = new Map<string, VarValue>();
  for (const { key, value } of mapEntries(root, file, into)) vars.set(key, toVarValue(jsValue(value, doc)));
  return vars;
}
