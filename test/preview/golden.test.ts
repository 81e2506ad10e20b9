/**
 * The previews of the fixture plan, byte for byte, beside this test in golden/: a change to
 * any preview shows up as a diff to review. Accept new output with `npm run baseline-accept`
 * (every golden of the repository).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderPreview, type PreviewFormat } from "../../src/preview/preview.js";
import { fixturePlan } from "../support/plan-builder.js";

const dir = join(import.meta.dirname, "golden");
const accept = process.env["UPGRADEC_ACCEPT"] === "1";

const cases: readonly (readonly [string, PreviewFormat, boolean])[] = [
  ["fixture.txt", "text", false],
  ["fixture.dot", "dot", false],
  ["fixture.steps.dot", "dot", true],
  ["fixture.mmd", "mermaid", false],
  ["fixture.steps.mmd", "mermaid", true],
  ["fixture.html", "html", false],
];

describe.each(cases)("%s", (file, format, steps) => {
  it("matches its stored preview", () => {
    const actual = renderPreview(fixturePlan(), format, { steps, color: false });
    const path = join(dir, file);
    if (accept) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(path, actual);
    }
    expect(existsSync(path), `${path} is missing: run with UPGRADEC_ACCEPT=1 once`).toBe(true);
    expect(actual).toBe(readFileSync(path, "utf8"));
  });
});
