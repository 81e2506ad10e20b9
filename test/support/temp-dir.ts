/** Temporary directories for tests, each removed after its test file (or, outside vitest, when the process exits). */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";

/** The directories tempDir made (some 300 in a test run), removed after each test file. */
const made: string[] = [];
const removeMade = (): void => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
};
// Under vitest, after the file's tests; elsewhere (bench/), when the process exits.
if (process.env["VITEST"]) afterAll(removeMade);
else process.on("exit", removeMade);

/** A new directory under the system's temporary one, removed after the test file (or the process). */
export function tempDir(prefix = "upgradec-rt-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
