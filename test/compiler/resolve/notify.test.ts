/**
 * `notify` declarations as resolve makes them: merged with what they extend, templates left
 * out, and every mistake a diagnostic at its place (the standard library's notifiers read
 * from the real src/stdlib/notify.upg).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadProgram } from "../../../src/compiler/load.js";
import type { Model } from "../../../src/compiler/model.js";
import { resolve } from "../../../src/compiler/resolve.js";
import type { Diagnostic } from "../../../src/diagnostics/diagnostic.js";
import { memoryHost } from "../../inventory/memory-host.js";

const stdlibDir = "/pkg/src/stdlib";
const NOTIFY = readFileSync(join(import.meta.dirname, "..", "..", "..", "src", "stdlib", "notify.upg"), "utf8");

const HEAD = `plan "p" { kind update from "1" to "2" }
use notify
secret hook env "HOOK"
service app { on h1  upgrade ["true"] }
`;

function compile(body: string): { model: Model | null; codes: string[]; diagnostics: readonly Diagnostic[] } {
  const host = memoryHost({ [`${stdlibDir}/notify.upg`]: NOTIFY, "main.upg": HEAD + body });
  const loaded = loadProgram("main.upg", host, { stdlibDir });
  expect(loaded.diagnostics).toEqual([]);
  const result = resolve(loaded.value, host);
  return { model: result.value, codes: result.diagnostics.filter((d) => d.severity === "error").map((d) => d.code), diagnostics: result.diagnostics };
}

describe("notify", () => {
  it("merges a notifier with the library's: its events, the library's command, the vars of both (the nearest wins)", () => {
    const { model, codes } = compile('notify team extends notify.webhook {\n  on run-stopped, run-finished\n  var url = "http://127.0.0.1/hook"\n  var max-time = "5"\n}\n');
    expect(codes).toEqual([]);
    expect(model?.notifiers).toHaveLength(1);
    const team = model?.notifiers[0];
    expect(team).toMatchObject({ name: "team", events: ["run-stopped", "run-finished"], vars: { url: "http://127.0.0.1/hook", "max-time": "5" } });
    expect(team?.action.spec.command).toMatchObject({ kind: "argv", argv: expect.arrayContaining(["curl", "--data-binary", "@-", "{url}"]) as unknown });
    expect(team?.action.spec.timeout).toBe(30);
  });

  it("leaves the library's templates out and gives a notifier with no timeout one", () => {
    const { model } = compile('notify log {\n  on run-started\n  run ["logger", "{text}"]\n}\n');
    expect(model?.notifiers.map((n) => [n.name, n.action.spec.timeout])).toEqual([["log", 30]]);
  });

  it("reports an unknown notifier to extend, with the name meant", () => {
    const { diagnostics } = compile("notify team extends notify.webhok { on run-started var url = \"x\" }\n");
    expect(diagnostics.find((d) => d.code === "UPG0260")?.help).toContain("notify.webhook");
  });

  it("reports notifiers that extend each other in a cycle", () => {
    const { diagnostics } = compile("notify a extends b { on run-started }\nnotify b extends a { }\n");
    expect(diagnostics.find((d) => d.code === "UPG0260")?.message).toContain("a -> b -> a");
  });

  it("reports a notifier with events but no command, and one that runs a module", () => {
    expect(compile("notify a { on run-started }\n").codes).toEqual(["UPG0261"]);
    expect(compile('notify a { on run-started\n run uses "./n.ts#send" }\n').codes).toEqual(["UPG0262"]);
  });

  it("checks its placeholders: built-ins, its vars and secrets; an unknown one with a suggestion", () => {
    expect(compile('notify a { on run-finished\n run ["logger", "{text} {verify} {eta} {progress} {from} {to}"] }\n').codes).toEqual([]);
    const { diagnostics } = compile('notify a { on run-finished\n run ["logger", "{progres}"] }\n');
    expect(diagnostics.filter((d) => d.severity === "error").map((d) => [d.code, d.help])).toEqual([["UPG0229", "did you mean `{progress}`?"]]);
  });

  it("refuses a secret in its arguments (ps shows them); one in its environment is fine", () => {
    expect(compile('notify a { on run-stopped\n run ["curl", "--data-binary", "@-", "{secret.hook}"] }\n').codes).toEqual(["UPG0240"]);
    expect(compile('notify a { on run-stopped\n run shell "curl --data-binary @- \\"$HOOK_URL\\"" { env { HOOK_URL = "{secret.hook}" } } }\n').codes).toEqual([]);
    // Not through a var either: a var is substituted as text, so it would be neither secret nor the value.
    expect(compile('notify a extends notify.webhook { on run-stopped\n var url = "{secret.hook}" }\n').codes).toEqual(["UPG0240"]);
  });
});
