/**
 * Hovers on host selections, in process: a range counts its hosts without spelling out a
 * huge one, a host set resolves through the sets it names, and a name on an `on` line also
 * shows the service's whole selection.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { analyze } from "../../src/lsp/analysis.js";
import { hoverAt } from "../../src/lsp/hover.js";

const dir = mkdtempSync(join(tmpdir(), "upgradec-hover-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SOURCE = `plan "p" { kind update  from "1" to "2" }
hosts edge = gw[1-3], extra
hosts outer = edge, cmp[0001-2500]
service s { on outer, solo  upgrade ["true"] }
`;

function hover(needle: string, delta = 1): string {
  const file = join(dir, "cloud.upg");
  writeFileSync(file, SOURCE);
  const analysis = analyze(file, () => undefined, new Date("2026-12-01T00:00:00Z"));
  const answer = hoverAt(analysis, "cloud.upg", SOURCE.indexOf(needle) + delta, new Date("2026-12-01T00:00:00Z"));
  return answer?.markdown ?? "";
}

describe("hovers on host selections", () => {
  it("a range: its count and first hosts, zero padding kept", () => {
    expect(hover("cmp[0001-2500]")).toBe("**host range `cmp[0001-2500]`**: 2500 hosts (`cmp0001`, `cmp0002`, `cmp0003`, `cmp0004`, `cmp0005`, …)");
  });

  it("a host set: resolved through the sets it names", () => {
    expect(hover("outer, solo")).toContain("**host set `outer`**: 2504 hosts (`gw1`, `gw2`, `gw3`, `extra`, `cmp0001`, …)");
  });

  it("a name on an `on` line: the service's whole selection too", () => {
    const text = hover("solo");
    expect(text).toContain("**host `solo`**: 1 host (`solo`)");
    expect(text).toContain("service `s` runs on 2505 hosts");
  });
});
