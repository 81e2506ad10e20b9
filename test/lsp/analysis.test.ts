/**
 * The language server's analysis reports exactly what `upgradec compile` reports, though
 * it stops before the plan file is made (diagnosticsOnly): on every example and every
 * error fixture, the same diagnostics as a full compile.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileFile } from "../../src/compiler/compile.js";
import { nodeLoadHost } from "../../src/files/node-host.js";
import { analyze, ParseCache } from "../../src/lsp/analysis.js";

const root = join(import.meta.dirname, "..", "..");
const examples = readdirSync(join(root, "examples")).flatMap((d) =>
  readdirSync(join(root, "examples", d))
    .filter((f) => f.endsWith(".upg"))
    .map((f) => join(root, "examples", d, f)),
);
const fixtures = readdirSync(join(root, "test", "fixtures", "errors"))
  .filter((f) => f.endsWith(".upg"))
  .map((f) => join(root, "test", "fixtures", "errors", f));

describe("the language server's analysis", () => {
  const cache = new ParseCache();

  it.each([...examples, ...fixtures].map((f) => [f.slice(root.length + 1), f]))("%s: the diagnostics of a full compile", (_name, file) => {
    const now = new Date("2026-12-01T12:00:00Z");
    const full = compileFile(file, nodeLoadHost(dirname(file)), { now, compilerVersion: "test" });
    const analysis = analyze(file, () => undefined, now);
    expect(analysis.result.diagnostics).toEqual(full.diagnostics);
    expect(full.plan === null || analysis.result.plan === null).toBe(true);
    // Through a parse cache that has seen every file before (the standard library among them).
    expect(analyze(file, () => undefined, now, cache).result.diagnostics).toEqual(full.diagnostics);
    expect(analyze(file, () => undefined, now, cache).result.diagnostics).toEqual(full.diagnostics);
  });

  it("keeps the build's own findings: a window opening in a daylight-saving gap, a host that fits no occurrence", () => {
    const dir = mkdtempSync(join(tmpdir(), "upgradec-analysis-"));
    try {
      const file = join(dir, "cloud.upg");
      writeFileSync(
        file,
        `plan "p" { kind update  from "1" to "2"  start 2027-03-27T22:00 "Europe/Berlin" }
window spring { days sun  from 02:30 to 05:00  zone "Europe/Berlin" }
service s { on cmp[1-2]  window spring  upgrade ["true"] { takes 5m } }
service t { on cmp[3-4]  window spring  upgrade ["true"] { takes 4h } }
`,
      );
      const now = new Date("2026-12-01T12:00:00Z");
      const full = compileFile(file, nodeLoadHost(dir), { now, compilerVersion: "test" });
      const analysis = analyze(file, () => undefined, now);
      expect(full.diagnostics.map((d) => d.code)).toEqual(expect.arrayContaining(["UPG0587", "UPG0582"]));
      expect(analysis.result.diagnostics).toEqual(full.diagnostics);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reads an open document's unsaved text instead of its file, and parses it again when it changes", () => {
    const file = examples.find((f) => f.endsWith("dataplane-rolling-reboot/cloud.upg")) ?? "";
    const parses = new ParseCache();
    const clean = analyze(file, () => undefined, new Date(), parses);
    expect(clean.result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const analysis = analyze(file, (path) => (path === file ? 'plan "p" { kind update from "1" to "2" }\nservice s { on cmp[1-2]  window nope }\n' : undefined), new Date(), parses);
    expect(analysis.result.diagnostics.map((d) => d.code)).toContain("UPG0228");
  });
});
