/**
 * docs/language.md cannot drift from the parser: every ```upg example parses with no syntax
 * diagnostic, the examples together use every construct of the AST, and every keyword the
 * lexer knows is shown in an example.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "../../src/parser/parse.js";
import * as tokens from "../../src/parser/tokens.js";
import type { SourceFile } from "../../src/parser/ast.js";
import { docText, upgBlocks, type DocBlock } from "./doc-blocks.js";

const text = docText();
const blocks = upgBlocks(text);
const keywords: readonly string[] = "keywords" in tokens ? (tokens as { keywords: readonly string[] }).keywords : [];

function parsed(block: DocBlock): SourceFile {
  const result = parse(block.source, `docs/language.md:${block.line}`);
  return result.value;
}

/**
 * Every property path the examples fill in, e.g. `service.rolling.maxFailures.cancel`, and
 * for `kind` properties the value too (`service.actions.kind=contract`).
 */
function usedPaths(files: readonly SourceFile[]): Set<string> {
  const paths = new Set<string>();
  const walk = (value: unknown, path: string): void => {
    if (Array.isArray(value)) {
      for (const item of value) walk(item, path);
      return;
    }
    if (value === null || typeof value !== "object") return;
    for (const [key, v] of Object.entries(value)) {
      if (key === "span" || key === "keywordSpan" || v === undefined || v === false || (Array.isArray(v) && v.length === 0)) continue;
      const at = `${path}.${key}`;
      paths.add(at);
      if (key === "kind" && typeof v === "string") paths.add(`${at}=${v}`);
      if (typeof v === "object" && v !== null && "kind" in v && typeof (v as { kind: unknown }).kind === "string") paths.add(`${at}.kind=${(v as { kind: string }).kind}`);
      walk(v, at);
    }
  };
  for (const file of files) for (const d of file.declarations) walk(d, d.type);
  return paths;
}

describe("docs/language.md", () => {
  it("has examples", () => {
    expect(blocks.length).toBeGreaterThan(40);
    expect(blocks.some((b) => b.fragment)).toBe(true);
  });

  describe.each(blocks.map((b) => [b.line, b] as const))("the example at line %i", (_line, block) => {
    it("parses with no syntax diagnostic", () => {
      const result = parse(block.source, `docs/language.md:${block.line}`);
      const syntax = result.diagnostics.filter((d) => d.code.startsWith("UPG01"));
      expect(syntax.map((d) => `${d.code} ${d.message} at ${(d.span?.start ?? 0) - block.offset}`)).toEqual([]);
      expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    });

    it("says something: the parser builds declarations from it", () => {
      const file = parsed(block);
      expect(file.declarations.length).toBeGreaterThan(0);
      if (block.fragment) {
        // A fragment adds to the empty service it is wrapped in.
        const empty = parse("service example {\n}\n", "empty").value.declarations[0];
        const strip = (v: unknown): string => JSON.stringify(v, (k, x: unknown) => (k === "span" || k === "keywordSpan" ? undefined : x));
        expect(strip(file.declarations[0])).not.toBe(strip(empty));
      }
    });
  });

  it("shows every construct of the AST in some example", () => {
    const used = usedPaths(blocks.map(parsed));
    const required = [
      // plan, use, inventory, hosts
      "plan.name", "plan.kind", "plan.urgent", "plan.from", "plan.to", "plan.start", "plan.parallelism", "plan.deploy", "plan.connection",
      "use.target.kind=module", "use.target.kind=file", "use.alias", "inventory.path",
      "hosts.hosts.items.kind=name", "hosts.hosts.items.kind=range",
      // window, secret, connection, checkpoint, method
      "window.days", "window.from", "window.to", "window.zone", "window.cutoff",
      "secret.source.kind=env", "secret.source.kind=file",
      "connection.exec", "connection.probe", "connection.probe.options.timeout",
      "checkpoint.before", "checkpoint.run", "checkpoint.restore", "checkpoint.note",
      "method.vars", "method.actions",
      // template and service
      "service.isTemplate", "service.extends", "service.on", "service.after", "service.tags", "service.plane", "service.deploy", "service.connection",
      "service.vars", "service.window", "service.skew", "service.takes",
      "service.rolling.batch", "service.rolling.maxUnavailable", "service.rolling.maxUnavailable.per", "service.rolling.pause",
      "service.rolling.maxFailures", "service.rolling.maxFailures.cancel", "service.rolling.order", "service.rolling.deadline",
      "service.maintenance.enter", "service.maintenance.exit",
      "service.evacuate.strategy", "service.evacuate.concurrency", "service.evacuate.timeout", "service.evacuate.run",
      "service.evacuate.countVar", "service.evacuate.capacityVar",
      "service.reboot.action", "service.reboot.window", "service.reboot.takes",
      "service.health.action", "service.health.every", "service.health.within", "service.health.healthyFor", "service.health.onDeadline",
      "service.skew.kind=needs-new", "service.skew.kind=never-newer-than",
      // every action kind, every option, every command form
      ...["precheck", "expand", "migrate", "contract", "pin", "unpin", "cleanup", "postcheck", "stop", "upgrade", "start", "rollback", "version"].map(
        (k) => `service.actions.kind=${k}`,
      ),
      // in a service `reboot` is its own statement; in a method it is an action like the others
      "method.actions.kind=reboot",
      ...["takes", "timeout", "grace", "retries", "backoff", "env", "cwd", "done", "undo", "once"].map((o) => `service.actions.action.options.${o}`),
      "service.actions.action.options.undo.kind=irreversible",
      "service.actions.action.command.kind=argv", "service.actions.action.command.kind=shell", "service.actions.action.command.kind=module",
    ];
    expect(required.filter((p) => !used.has(p))).toEqual([]);
  });

  it("decodes its literal examples as the guide says", () => {
    const files = blocks.map(parsed);
    const decls = files.flatMap((f) => f.declarations);
    const marker = decls.find((d) => d.type === "checkpoint" && d.name.text === "marker");
    expect(marker?.type === "checkpoint" ? marker.note?.value : undefined).toBe('say "hello"\tto C:\\backup\nsecond line \u2713');
    const computes = decls.find((d) => d.type === "hosts" && d.name.text === "computes");
    const items = computes?.type === "hosts" ? computes.hosts.items : [];
    expect(items[0]).toMatchObject({ kind: "range", prefix: "cmp", suffix: "", from: 1, to: 240, width: 3 });
    expect(items[1]).toMatchObject({ kind: "range", prefix: "cmp", suffix: ".edge.example.com", from: 1, to: 8, width: 0 });
    const weekend = decls.find((d) => d.type === "window" && d.name.text === "weekend");
    expect(weekend?.type === "window" ? weekend.days.map((r) => `${r.from}..${r.to}`) : []).toEqual(["fri..mon", "wed..wed"]);
    expect(weekend?.type === "window" ? [weekend.to?.hour, weekend.to?.minute] : []).toEqual([24, 0]);
    const first = decls.find((d) => d.type === "service" && d.name.text === "nova-compute");
    expect(first?.type === "service" ? first.takes?.seconds : undefined).toBe(360);
  });

  it("mentions every keyword of the language in an example", () => {
    expect(keywords.length, "src/parser/tokens.ts exports `keywords`").toBeGreaterThan(50);
    const code = blocks.map((b) => b.code).join("\n");
    const missing = keywords.filter((k) => !new RegExp(`(?<![\\w.-])${k.replace(/-/g, "\\-")}(?![\\w-])`).test(code));
    expect(missing).toEqual([]);
  });
});

describe("docs/language.md, Rolling modes", () => {
  it("shows the worked example's preview as upgradec prints it (examples/dataplane-continuous/preview.txt)", () => {
    const preview = readFileSync(join(import.meta.dirname, "..", "..", "examples", "dataplane-continuous", "preview.txt"), "utf8").split("\n");
    const section = text.slice(text.indexOf("## Rolling modes"));
    const excerpt = /```text\n([^]*?)```/.exec(section)?.[1] ?? "";
    const lines = excerpt.split("\n").filter((l) => l.trim() !== "" && l.trim() !== "…");
    expect(lines.length).toBeGreaterThan(5);
    expect(lines.filter((l) => !preview.includes(l))).toEqual([]);
  });
});
