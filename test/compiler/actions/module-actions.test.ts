/**
 * The TypeScript action checks (UPG0600-UPG0604) on real files: each test writes a small
 * plan and its action modules into a fresh temporary directory and compiles it as the CLI
 * does, so module paths, the file system and TypeScript are all the real ones.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Project } from "ts-morph";
import { afterAll, describe, expect, it } from "vitest";
import { ACTION_CONTEXT_DECLARATION } from "../../../src/compiler/actions/module-actions.js";
import { compileFile, type CompileResult } from "../../../src/compiler/compile.js";
import { nodeLoadHost } from "../../../src/files/node-host.js";
import type { Diagnostic } from "../../../src/diagnostics/diagnostic.js";
import { expectWellFormed } from "../../diagnostics/well-formed.js";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Write the files into a new temporary directory and compile its main.upg. */
function compile(files: Readonly<Record<string, string>>): CompileResult & { dir: string } {
  const dir = mkdtempSync(join(tmpdir(), "upgradec-actions-"));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const result = compileFile("main.upg", nodeLoadHost(dir), {
    now: new Date("2026-12-01T12:00:00Z"),
    compilerVersion: "0.0.0-test",
    start: "2026-12-05T22:00",
  });
  for (const d of result.diagnostics) expectWellFormed(d);
  return { ...result, dir };
}

/** A plan with one service whose `upgrade` is the given command. */
function plan(upgrade: string, more = ""): string {
  return `plan "p" { from "a" to "b" }\nservice api {\n  on web1\n  tags rolling-upgrade\n  upgrade ${upgrade}\n${more}}\n`;
}

/** The offset of the `upgrade` action's command in plan(…). */
const UPGRADE_AT = plan("").indexOf("upgrade ") + "upgrade ".length;

const GOOD_TS = `import { setTimeout as delay } from "node:timers/promises";

export interface Context {
  readonly host: string | null;
  readonly log: (line: string) => void;
  readonly signal: AbortSignal;
}

export async function upgrade(ctx: Context): Promise<void> {
  ctx.log(\`upgrading \${ctx.host ?? "nothing"}\`);
  await delay(0, undefined, { signal: ctx.signal });
}

export const isDone = async ({ vars }: { vars: Readonly<Record<string, unknown>> }): Promise<boolean> => vars["done"] === true;

export function undo(_ctx?: unknown, retries = 3): boolean {
  return retries > 0;
}

export default function snapshot(): void {}
`;

const GOOD_JS = `/** @param {{ host: string | null }} ctx */
export async function restore(ctx) {
  return ctx.host !== "forbidden";
}
`;

function codesOf(result: CompileResult): string[] {
  return result.diagnostics.map((d) => d.code);
}

function only(result: CompileResult, code: string): Diagnostic {
  const found = result.diagnostics.filter((d) => d.code === code);
  expect(found, JSON.stringify(result.diagnostics, null, 2)).toHaveLength(1);
  return found[0] as Diagnostic;
}

describe("TypeScript action checks", () => {
  it("accepts correct actions: typed, destructured, optional parameters, a default export, JavaScript, in done, undo and checkpoints", () => {
    const result = compile({
      "main.upg": plan(
        'uses "./actions/lb.ts#upgrade" { done uses "./actions/lb.ts#isDone"  undo uses "./actions/lb.ts#undo" }',
        '}\ncheckpoint snap before rollout {\n  run uses "./actions/lb.ts"\n  restore uses "./actions/restore.js#restore"\n',
      ),
      "actions/lb.ts": GOOD_TS,
      "actions/restore.js": GOOD_JS,
    });
    expect(result.diagnostics).toEqual([]);
    expect(result.plan).not.toBeNull();
  });

  it("UPG0600: a module that is not there, pointing at the action and naming the path it looked at", () => {
    const result = compile({ "main.upg": plan('uses "./actions/missing.ts#upgrade"') });
    const d = only(result, "UPG0600");
    expect(d.message).toBe("cannot read action module './actions/missing.ts'");
    expect(d.span?.start).toBe(UPGRADE_AT);
    expect(d.help).toContain(join("actions", "missing.ts"));
    expect(result.plan).toBeNull();
  });

  it("UPG0600: a module that is not TypeScript or JavaScript", () => {
    const result = compile({ "main.upg": plan('uses "./actions/drain.py#upgrade"'), "actions/drain.py": "print('hi')\n" });
    expect(only(result, "UPG0600").message).toBe("action module './actions/drain.py' is not a TypeScript or JavaScript file");
  });

  it("UPG0601: an export that is not there, with its exported functions and the nearest one", () => {
    const result = compile({ "main.upg": plan('uses "./actions/lb.ts#upgarde"'), "actions/lb.ts": GOOD_TS });
    const d = only(result, "UPG0601");
    expect(d.message).toBe("action module './actions/lb.ts' has no export 'upgarde'");
    expect(d.help).toContain("did you mean `upgrade`?");
    expect(d.notes).toContain("it exports these functions: upgrade, isDone, undo, default");
    expect(codesOf(result)).toEqual(["UPG0601"]);
  });

  it("UPG0601: in an action's undo, saying so", () => {
    const result = compile({ "main.upg": plan('uses "./actions/lb.ts#upgrade" { undo uses "./actions/lb.ts#rollback" }'), "actions/lb.ts": GOOD_TS });
    const d = only(result, "UPG0601");
    expect(d.notes).toContain("in the action's `undo`");
    expect(d.help).toBe("export the function from the module: export async function rollback(ctx) { … }");
  });

  it("UPG0602: an export that is a value or only a type", () => {
    const result = compile({
      "main.upg": plan('uses "./actions/lb.ts#retries"', '  start uses "./actions/lb.ts#Context"\n'),
      "actions/lb.ts": `export const retries = 3;\n${GOOD_TS}`,
    });
    const found = result.diagnostics.filter((d) => d.code === "UPG0602");
    expect(found.map((d) => d.message)).toEqual([
      "export 'retries' of './actions/lb.ts' is not a function",
      "export 'Context' of './actions/lb.ts' is not a function",
    ]);
    expect(found[0]?.notes).toContain("its type is `3`");
    expect(found[1]?.notes).toContain("it is only a type");
  });

  it("UPG0603: a function that needs more arguments than the runtime passes, in TypeScript and JavaScript", () => {
    const result = compile({
      "main.upg": plan('uses "./actions/lb.ts#upgrade"', '  start uses "./actions/start.js#start"\n'),
      "actions/lb.ts": "export async function upgrade(host: string | null, vars: object): Promise<void> {\n  void host;\n  void vars;\n}\n",
      "actions/start.js": "export function start(ctx, host) {\n  return [ctx, host];\n}\n",
    });
    const found = result.diagnostics.filter((d) => d.code === "UPG0603");
    expect(found.map((d) => d.message)).toEqual([
      "export 'upgrade' of './actions/lb.ts' needs 2 arguments, but the runtime passes one",
      "export 'start' of './actions/start.js' needs 2 arguments, but the runtime passes one",
    ]);
  });

  it("UPG0603: a parameter the action context is not assignable to", () => {
    const result = compile({
      "main.upg": plan('uses "./actions/lb.ts#upgrade"'),
      "actions/lb.ts": "export const upgrade = async (ctx: { host: string; retries: number }): Promise<void> => {\n  void ctx;\n};\n",
    });
    const d = only(result, "UPG0603");
    expect(d.message).toBe("export 'upgrade' of './actions/lb.ts' cannot take the action context: its parameter is `{ host: string; retries: number; }`");
  });

  it("UPG0604: type errors inside the module, at most five, with where they are", () => {
    const errors = Array.from({ length: 7 }, (_, i) => `export const n${i}: number = "${i}";`).join("\n");
    const result = compile({ "main.upg": plan('uses "./actions/lb.ts#upgrade"'), "actions/lb.ts": `${GOOD_TS}${errors}\n` });
    const found = result.diagnostics.filter((d) => d.code === "UPG0604");
    expect(found).toHaveLength(5);
    const line = GOOD_TS.split("\n").length;
    expect(found.map((d) => d.message)).toEqual(
      [0, 1, 2, 3, 4].map((i) => `type error in action module ${join("actions", "lb.ts")}:${line + i}:14: type 'string' is not assignable to type 'number'`),
    );
    expect(found[0]?.notes).toContain("TypeScript error TS2322");
    expect(new Set(found.map((d) => d.span?.start))).toEqual(new Set([UPGRADE_AT]));
    expect(found[4]?.notes).toContain("and 2 more type errors in this module");
    expect(codesOf(result).every((c) => c === "UPG0604")).toBe(true);
  });

  it("UPG0604: an import the module cannot resolve", () => {
    const result = compile({ "main.upg": plan('uses "./actions/lb.ts#upgrade"'), "actions/lb.ts": `import { helper } from "./helper.ts";\n${GOOD_TS}void helper;\n` });
    expect(only(result, "UPG0604").message).toContain("cannot find module './helper.ts'");
  });

  it("keeps its copy of the action context the same as the runtime's", () => {
    const root = join(import.meta.dirname, "..", "..", "..");
    const project = new Project({ tsConfigFilePath: join(root, "tsconfig.json"), skipAddingFilesFromTsConfig: true });
    project.createSourceFile(join(root, "test", "actions", "__context__.ts"), ACTION_CONTEXT_DECLARATION);
    const same = project.createSourceFile(
      join(root, "test", "actions", "__same__.ts"),
      [
        'import type { ActionContext as Runtime } from "../../src/runtime/process-executor.js";',
        'import type { ActionContext as Checked } from "./__context__.js";',
        "export const runtimeToChecked: Checked = null as unknown as Runtime;",
        "export const checkedToRuntime: Runtime = null as unknown as Checked;",
      ].join("\n"),
    );
    expect(same.getPreEmitDiagnostics().map((d) => d.getMessageText())).toEqual([]);
  });
});
