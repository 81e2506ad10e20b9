import { expect } from "vitest";
import type { Diagnostic } from "../../src/diagnostics/diagnostic.js";
import type { Inventory } from "../../src/inventory/inventory.js";
import { readInventory } from "../../src/inventory/read-inventory.js";
import { memoryHost } from "./memory-host.js";

/** Reads an inventory from in-memory files (paths relative to /site). */
export function readFrom(files: Record<string, string>, path: string): { inventory: Inventory; diagnostics: readonly Diagnostic[] } {
  const result = readInventory(path, memoryHost(files));
  if (!result.value) throw new Error(`no inventory: ${JSON.stringify(result.diagnostics)}`);
  return { inventory: result.value, diagnostics: result.diagnostics };
}

/** Reads one INI or YAML file as the whole inventory, expecting no diagnostics. */
export function readClean(text: string, name = "hosts"): Inventory {
  const { inventory, diagnostics } = readFrom({ [name]: text }, name);
  expect(diagnostics).toEqual([]);
  return inventory;
}

export function hostVars(inventory: Inventory, host: string): Readonly<Record<string, unknown>> {
  const h = inventory.hosts.get(host);
  if (!h) throw new Error(`no host ${host}`);
  return h.vars;
}

export function groupHosts(inventory: Inventory, group: string): readonly string[] {
  const g = inventory.groups.get(group);
  if (!g) throw new Error(`no group ${group}`);
  return g.hosts;
}

/** The one diagnostic with this code, checked to point at `snippet` on 1-based `line` of `text`. */
export function expectDiagnostic(
  diagnostics: readonly Diagnostic[],
  code: string,
  at: { readonly text: string; readonly file: string; readonly snippet: string; readonly line: number },
): Diagnostic {
  const found = diagnostics.filter((d) => d.code === code);
  expect(found.map((d) => d.code), JSON.stringify(diagnostics)).toEqual([code]);
  const d = found[0] as Diagnostic;
  expect(d.span?.file).toBe(at.file);
  const start = d.span?.start ?? -1;
  expect(at.text.slice(start, d.span?.end)).toBe(at.snippet);
  expect(at.text.slice(0, start).split("\n").length).toBe(at.line);
  expect(d.help ?? "").not.toBe("");
  return d;
}
