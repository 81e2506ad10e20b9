/**
 * Golden tests of diagnostics: each test/fixtures/errors/<name>.upg beside its expected
 * <name>.errors.txt (the rendered diagnostics, no colour). The fixture also says inside
 * itself which codes it must produce (`# error: UPG0101`, `# warning: UPG0503`), so a bulk
 * re-accept cannot quietly take a wrong result.
 * Accept new output with: npm run baseline-accept
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { compileFile } from "../../src/compiler/compile.js";
import { nodeLoadHost } from "../../src/files/node-host.js";
import { renderDiagnostics } from "../../src/diagnostics/render.js";

const root = join(import.meta.dirname, "..", "..");
const dir = join(root, "test", "fixtures", "errors");
const fixtures = readdirSync(dir).filter((f) => f.endsWith(".upg")).sort();
const accept = process.env["UPGRADEC_ACCEPT"] === "1";

describe.each(fixtures)("%s", (name) => {
  const path = relative(root, join(dir, name));
  const source = readFileSync(join(dir, name), "utf8");
  const result = compileFile(path, nodeLoadHost(root), {
    now: new Date("2026-12-01T12:00:00Z"),
    compilerVersion: "0.0.0-test",
    start: "2026-12-05T22:00",
  });

  it("produces the codes it declares", () => {
    const declared = [...source.matchAll(/#\s*(error|warning|note):\s*(UPG\d{4})/g)].map((m) => `${m[1]} ${m[2]}`);
    expect(declared.length, "a fixture must declare the codes it expects").toBeGreaterThan(0);
    const got = new Set(result.diagnostics.map((d) => `${d.severity} ${d.code}`));
    for (const want of declared) expect([...got], `missing ${want}`).toContain(want);
  });

  it("matches its expected output", () => {
    const rendered = renderDiagnostics(result.diagnostics, result.texts, { color: false });
    const expectedPath = join(dir, name.replace(/\.upg$/, ".errors.txt"));
    if (accept || !existsSync(expectedPath)) {
      if (!accept) throw new Error(`no expected output: run npm run baseline-accept to create ${relative(root, expectedPath)}`);
      writeFileSync(expectedPath, rendered);
      return;
    }
    expect(rendered).toBe(readFileSync(expectedPath, "utf8"));
  });
});
