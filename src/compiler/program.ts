/**
 * What `load` produces: every .upg file reached from the entry through `use`, parsed, and
 * the inventory, read. The input of `resolve`.
 */
import type { SourceFile } from "../parser/ast.js";
import type { Inventory } from "../inventory/inventory.js";

export interface LoadedFile {
  /** As shown in diagnostics: relative to the working directory, or `<stdlib>/openstack.upg`. */
  readonly path: string;
  readonly text: string;
  readonly ast: SourceFile;
  /** The namespace its declarations live in: null for the entry and files `use`d without `as` (they share the importer's namespace), "openstack" for `use openstack`, the alias for `use "…" as x`. */
  readonly namespace: string | null;
  readonly stdlib: boolean;
  /** The parser reported an error in it: what it left out may be what a later phase misses. */
  readonly syntaxErrors: boolean;
}

export interface Program {
  readonly entry: string;
  /** In load order: the entry first, then each import the first time it is reached. */
  readonly files: readonly LoadedFile[];
  /** The inventory, with the facts file's hosts, vars and groups merged in when the program names one. */
  readonly inventory: Inventory | null;
  /** The facts file the program names (`facts "facts.json"`), as read: a source of the plan. */
  readonly facts?: { readonly path: string; readonly text: string } | null;
  /**
   * An import or the inventory failed to load: names they would have declared are unknown,
   * so resolve's findings would be cascades. (A syntax error does not make a program
   * incomplete: the parser leaves out only the statement it could not read.)
   */
  readonly incomplete?: boolean;
}

