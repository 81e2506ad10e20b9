/** Compiles an example the way the golden previews were made: a fixed clock and compiler version. */
import { join } from "node:path";
import { compileFile, type CompileResult } from "../../src/compiler/compile.js";
import { nodeLoadHost } from "../../src/files/node-host.js";

export const repositoryRoot = join(import.meta.dirname, "..", "..");
export const examplesRoot = join(repositoryRoot, "examples");

/** `path` relative to the repository root, e.g. "examples/upgrade-zed-to-2023.1/cloud.upg". */
export function compileExample(path: string): CompileResult {
  return compileFile(path, nodeLoadHost(repositoryRoot), {
    now: new Date("2026-12-01T12:00:00Z"),
    compilerVersion: "0.0.0-test",
  });
}
