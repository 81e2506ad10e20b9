import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readInventory } from "../../src/inventory/read-inventory.js";
import { memoryHost } from "./memory-host.js";

/** Pieces inventories are made of, so random texts reach deep into both readers. */
const piece = fc.constantFrom(
  "[compute]", "[nova:children]", "[compute:vars]", "[a b]", "[x:bad]", "cmp[01:03]", "cmp[3:1]", "h[a:c]", "az=az1", "x='a b", "=", "#", ";", "\n", " ",
  "all:", "  hosts:", "    h1:", "  children:", "    g:", "  vars:", "      az: 1", "- a", "{", "}", ": ", "&a", "*a", "!vault", "---",
);
const text = fc.oneof(fc.string({ maxLength: 200 }), fc.array(piece, { maxLength: 40 }).map((p) => p.join("")), fc.array(piece, { maxLength: 40 }).map((p) => p.join("\n")));

describe("the inventory reader never throws", () => {
  for (const name of ["hosts", "hosts.yml"]) {
    it(`for any ${name}, and every span lies inside its file`, () => {
      fc.assert(
        fc.property(text, text, (inventory, groupVars) => {
          const result = readInventory(name, memoryHost({ [name]: inventory, "group_vars/compute.yml": groupVars }));
          const texts = new Map(result.value?.files.map((f) => [f.path, f.text]));
          const spans = [
            ...result.diagnostics.flatMap((d) => (d.span ? [d.span, ...(d.labels ?? []).map((l) => l.span)] : [])),
            ...[...(result.value?.hosts.values() ?? [])].map((h) => h.span),
            ...[...(result.value?.groups.values() ?? [])].map((g) => g.span),
          ];
          for (const span of spans) {
            const t = texts.get(span.file);
            expect(t, `span in a file read: ${span.file}`).toBeDefined();
            expect(span.start).toBeGreaterThanOrEqual(0);
            expect(span.end).toBeGreaterThanOrEqual(span.start);
            expect(span.end).toBeLessThanOrEqual(t?.length ?? -1);
          }
          expect(result.diagnostics.filter((d) => d.code === "UPG0001")).toEqual([]);
        }),
        { numRuns: 400 },
      );
    });
  }
});
