/**
 * Every example compiles with no diagnostics, and its text preview matches the golden file
 * beside it (examples/<name>/preview.txt). The previews are made with a fixed clock and
 * compiler version so they are byte-stable; the plans carry their own start.
 * Accept new previews with `npm run baseline-accept` (every golden of the repository)
 * (examples/lab-* belong to the lab tests and are left out here.)
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { compileFile } from "../../src/compiler/compile.js";
import { nodeLoadHost } from "../../src/files/node-host.js";
import { renderDiagnostics } from "../../src/diagnostics/render.js";
import { renderPreview } from "../../src/preview/preview.js";
import { compileExample, examplesRoot, repositoryRoot } from "./compile-example.js";

const accept = process.env["UPGRADEC_ACCEPT"] === "1";

function upgFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (!name.startsWith("lab-")) out.push(...upgFiles(path));
    } else if (name.endsWith(".upg")) {
      out.push(path);
    }
  }
  return out;
}

const examples = upgFiles(examplesRoot).map((path) => relative(repositoryRoot, path));

describe("examples", () => {
  it("holds the four scenarios", () => {
    for (const name of ["upgrade-zed-to-2023.1", "failed-upgrade-rollback", "security-update-urgent", "dataplane-rolling-reboot"]) {
      expect(examples).toContain(`examples/${name}/cloud.upg`);
    }
  });
});

describe.each(examples)("%s", (path) => {
  const result = compileExample(path);

  it("compiles with no diagnostics", () => {
    const rendered = renderDiagnostics(result.diagnostics, result.texts, { color: false });
    expect(result.diagnostics, rendered).toEqual([]);
    expect(result.plan).not.toBeNull();
  });

  it("reads the standard library and its own inventory", () => {
    const sources = result.plan?.sources ?? [];
    expect(sources.some((s) => s.kind === "upg" && s.path.endsWith("openstack.upg"))).toBe(true);
    expect(sources.some((s) => s.kind === "inventory")).toBe(true);
    expect(result.plan?.hosts.length ?? 0).toBeGreaterThan(0);
  });

  it("previews as its golden preview.txt", () => {
    const plan = result.plan;
    expect(plan).not.toBeNull();
    if (!plan) return;
    const preview = renderPreview(plan, "text", { steps: false, color: false });
    const golden = join(repositoryRoot, dirname(path), "preview.txt");
    if (accept) {
      writeFileSync(golden, preview);
      return;
    }
    expect(existsSync(golden), `no ${relative(repositoryRoot, golden)}: run npm run baseline-accept`).toBe(true);
    expect(preview).toBe(readFileSync(golden, "utf8"));
  });
});

// The same compile through the public entry points, to be sure the helper hides nothing.
describe("compile-example", () => {
  it("is compileFile with a fixed clock", () => {
    const path = "examples/security-update-urgent/cloud.upg";
    const direct = compileFile(path, nodeLoadHost(repositoryRoot), { now: new Date("2026-12-01T12:00:00Z"), compilerVersion: "0.0.0-test" });
    expect(compileExample(path).plan?.digest).toBe(direct.plan?.digest);
  });
});
