/**
 * editors/vscode: the extension contributes the repository's TextMate grammar for .upg
 * files and starts `upgradec lsp`; and it packs with @vscode/vsce, as a release would
 * (its own dependencies, installed in editors/vscode by .ci/run: vsce is no dependency of
 * upgradec itself). Without that install the packing test is skipped, except under CI.
 */
import { execa } from "execa";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const extension = join(root, "editors", "vscode");
const manifest = JSON.parse(readFileSync(join(extension, "package.json"), "utf8")) as {
  main: string;
  contributes: { languages: { id: string; extensions: string[] }[]; grammars: { language: string; scopeName: string; path: string }[] };
  scripts: Record<string, string>;
};
const grammar = JSON.parse(readFileSync(join(root, "grammar", "upg.tmLanguage.json"), "utf8")) as { scopeName: string };
const vsce = join(extension, "node_modules", ".bin", "vsce");
const installed = existsSync(vsce);

describe("the VS Code extension", () => {
  it("contributes the repository's grammar for .upg files and starts upgradec lsp", () => {
    expect(manifest.contributes.languages).toEqual([expect.objectContaining({ id: "upg", extensions: [".upg"] })]);
    expect(manifest.contributes.grammars).toEqual([{ language: "upg", scopeName: grammar.scopeName, path: "./syntaxes/upg.tmLanguage.json" }]);
    expect(manifest.scripts["vscode:prepublish"]).toBe("node copy-grammar.js");
    const source = readFileSync(join(extension, manifest.main), "utf8");
    expect(source).toMatch(/args: \["lsp"\]/);
  });

  it.skipIf(!installed && process.env["CI"] !== "true")("packs with vsce: the grammar copied in, the language client with it", async () => {
    expect(installed, "editors/vscode has no node_modules: run `npm ci` there (.ci/run does)").toBe(true);
    const out = mkdtempSync(join(tmpdir(), "upgradec-vsix-"));
    try {
      const vsix = join(out, "upgradec-upg.vsix");
      const packed = await execa(vsce, ["package", "--allow-missing-repository", "--skip-license", "-o", vsix], { cwd: extension, reject: false });
      expect(packed.exitCode, packed.stderr).toBe(0);
      expect(statSync(vsix).size).toBeGreaterThan(10_000);
      expect(readFileSync(join(extension, "syntaxes", "upg.tmLanguage.json"), "utf8")).toBe(readFileSync(join(root, "grammar", "upg.tmLanguage.json"), "utf8"));
      const listed = await execa(vsce, ["ls"], { cwd: extension });
      const files = listed.stdout.split("\n");
      expect(files).toEqual(expect.arrayContaining(["extension.js", "package.json", "syntaxes/upg.tmLanguage.json", "language-configuration.json"]));
      expect(files.some((f) => f.startsWith("node_modules/vscode-languageclient/"))).toBe(true);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);
});
