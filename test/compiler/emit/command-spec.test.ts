import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileFile } from "../../../src/compiler/compile.js";
import { COMMAND_DEFAULTS, commandSpec, runOptions, type PlanCommand, type RunOptions } from "../../../src/plan/plan.js";
import { memoryHost } from "../../inventory/memory-host.js";

const COMMAND: PlanCommand = { kind: "argv", argv: ["systemctl", "restart", "nova-api"] };

describe("a command spec in the plan file", () => {
  it("leaves out exactly the options at their default, and runOptions gives every option back", () => {
    const options = fc.record(
      {
        timeout: fc.oneof(fc.constant(null), fc.nat(7200)),
        grace: fc.oneof(fc.constant(COMMAND_DEFAULTS.grace), fc.nat(60)),
        retries: fc.oneof(fc.constant(COMMAND_DEFAULTS.retries), fc.nat(5)),
        backoff: fc.oneof(fc.constant(COMMAND_DEFAULTS.backoff), fc.nat(60)),
        env: fc.oneof(fc.constant({}), fc.dictionary(fc.stringMatching(/^[A-Z_]{1,8}$/), fc.string())),
        cwd: fc.oneof(fc.constant(null), fc.constantFrom("/srv", "work", "..")),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(options, (given) => {
        const spec = commandSpec(COMMAND, given);
        const expected: RunOptions = { ...COMMAND_DEFAULTS, ...given };
        expect(runOptions(spec)).toEqual(expected);
        for (const key of Object.keys(COMMAND_DEFAULTS) as (keyof RunOptions)[]) {
          const atDefault = JSON.stringify(expected[key]) === JSON.stringify(COMMAND_DEFAULTS[key]);
          expect(key in spec).toBe(!atDefault);
        }
        // The same options give the same text: keys come in one order.
        expect(JSON.stringify(commandSpec(COMMAND, { ...given }))).toBe(JSON.stringify(spec));
      }),
    );
  });

  it("compiles an action's options into its spec, and an action without options into the bare command", () => {
    const files = {
      "/p/main.upg": [
        'plan "p" { from "a" to "b" }',
        'inventory "hosts.ini"',
        "service api {",
        "  on web",
        "  tags rolling-upgrade",
        '  upgrade ["apt-get", "install", "-y", "api"] { timeout 10m grace 30s retries 2 backoff 1m cwd "/srv" env { LANG = "C" } }',
        '  start ["systemctl", "start", "api"]',
        "}",
        "",
      ].join("\n"),
      "/p/hosts.ini": "[web]\nweb1\n",
    };
    const result = compileFile("main.upg", memoryHost(files, "/p"), { now: new Date("2026-12-01T12:00:00Z"), compilerVersion: "0.1.0" });
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const steps = result.plan?.steps ?? [];
    const upgrade = steps.find((s) => s.action === "upgrade");
    const start = steps.find((s) => s.action === "start");
    expect(upgrade?.command).toEqual({
      command: { kind: "argv", argv: ["apt-get", "install", "-y", "api"] },
      timeout: 600,
      grace: 30,
      retries: 2,
      backoff: 60,
      env: { LANG: "C" },
      cwd: "/srv",
    });
    expect(start?.command).toEqual({ command: { kind: "argv", argv: ["systemctl", "start", "api"] } });
  });
});
