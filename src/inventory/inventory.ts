/**
 * An Ansible inventory, read from the INI or YAML form with group_vars/ and host_vars/
 * beside it. Vars are merged as Ansible merges them: all < parent group < child group <
 * host (group_vars/ files over inline group vars, host_vars/ over inline host vars).
 */
import type { Span } from "../diagnostics/diagnostic.js";
import type { VarValue } from "../plan/plan.js";

export interface InventoryHost {
  readonly name: string;
  /** Every group the host is in, directly or through `:children`, "all" left out; sorted. */
  readonly groups: readonly string[];
  /** Merged vars (group vars, then host vars over them). */
  readonly vars: Readonly<Record<string, VarValue>>;
  /** Where the host was first named. */
  readonly span: Span;
}

export interface InventoryGroup {
  readonly name: string;
  /** Every host in the group, directly or through children, in inventory order. */
  readonly hosts: readonly string[];
  readonly children: readonly string[];
  readonly vars: Readonly<Record<string, VarValue>>;
  readonly span: Span;
}

export interface Inventory {
  /** The path as given in the .upg file, resolved against that file's directory. */
  readonly path: string;
  /** Hosts in inventory order. */
  readonly hosts: ReadonlyMap<string, InventoryHost>;
  readonly groups: ReadonlyMap<string, InventoryGroup>;
  /** Every file read (the inventory, group_vars/*, host_vars/*), with its text, for the fingerprint and for diagnostics. */
  readonly files: readonly { readonly path: string; readonly text: string }[];
}
