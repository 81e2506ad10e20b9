/**
 * `upgradec lsp` as an editor meets it: the built binary spawned, spoken to over stdio by a
 * real JSON-RPC client (test/lsp/lsp-client.ts), documents opened, edited and closed;
 * assertions on the diagnostics it publishes (compared with `upgradec compile --format
 * json`), hovers, definitions, references, completions, formatting and the outline.
 */
import { execa } from "execa";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LspClient, positionOf, type LspDiagnostic } from "./lsp-client.js";

const root = join(import.meta.dirname, "..", "..");
const bin = join(root, "bin", "upgradec.js");
const stdlibFile = join(root, "src", "stdlib", "openstack.upg");

const CLOUD = `plan "p" { kind update  from "1" to "2"  start 2026-12-07T22:00 "Europe/Berlin" }
use openstack
inventory "hosts.ini"
window nightly { days mon..thu  from 22:00 to 05:00  zone "Europe/Berlin"  cutoff 45m }
service kernel extends openstack.compute-host {
  on compute
  deploy openstack.host-packages
  var packages = ["linux-image-amd64"]
  rolling { batch 1  max-unavailable 1 per az }
  reboot ["systemctl", "reboot"] window nightly takes 8m
  upgrade ["apt-get", "install", "-y", "{packages}"]
}
`;
const INVENTORY = "[compute]\ncmp01 az=az1 instances=2\ncmp02 az=az2 instances=0\ncmp03 az=az1 instances=1\n";

let dir = "";
let client: LspClient | null = null;
let cloud = "";

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "upgradec-lsp-"));
  cloud = join(dir, "cloud.upg");
  writeFileSync(cloud, CLOUD);
  writeFileSync(join(dir, "hosts.ini"), INVENTORY);
  client = await LspClient.start(dir);
});
afterEach(async () => {
  if (client) {
    const c = client;
    client = null;
    c.kill();
  }
  rmSync(dir, { recursive: true, force: true });
});

function lsp(): LspClient {
  if (!client) throw new Error("no client");
  return client;
}

/** What `upgradec compile --format json` reports, as (code, message, line, column) in the editor's 0-based terms. */
async function compiled(file: string): Promise<{ code: string; file: string; line: number; character: number; message: string }[]> {
  const out = await execa("node", [bin, "compile", file, "--format", "json"], { cwd: dir, reject: false, env: { NO_COLOR: "1" } });
  const json = JSON.parse(out.stdout) as { diagnostics: { code: string; file: string; line: number; column: number; message: string }[] };
  return json.diagnostics.map((d) => ({ code: d.code, file: d.file, line: d.line - 1, character: d.column - 1, message: d.message }));
}

function brief(list: readonly LspDiagnostic[]): { code: unknown; line: number; character: number; message: string }[] {
  return list.map((d) => ({ code: d.code, line: d.range.start.line, character: d.range.start.character, message: d.message.split("\n")[0] ?? "" }));
}

describe("upgradec lsp: diagnostics", () => {
  it("publishes what compile reports on open, and follows edits until the file is right", async () => {
    const broken = CLOUD.replace("window nightly takes", "window nightlx takes");
    writeFileSync(cloud, broken);
    const uri = lsp().uri(cloud);
    const first = lsp().diagnostics(uri, (d) => d.length > 0);
    await lsp().open(cloud, broken);
    const published = await first;
    const expected = (await compiled("cloud.upg")).filter((d) => d.file === "cloud.upg");
    expect(expected.length).toBeGreaterThan(0);
    expect(brief(published.diagnostics)).toEqual(expected.map(({ code, line, character, message }) => ({ code, line, character, message })));
    expect(published.diagnostics[0]?.message).toContain("help: did you mean `nightly`?");
    expect(published.diagnostics[0]?.range.end).toEqual({ line: 9, character: 47 });

    // The unsaved fix is what counts, not the file on disk.
    const fixed = lsp().diagnostics(uri, (d) => d.length === 0);
    await lsp().change(cloud, CLOUD);
    await fixed;

    // An incremental change, as editors send them: the `1` after `batch` deleted.
    const again = lsp().diagnostics(uri, (d) => d.some((x) => x.code === "UPG0103" || x.code === "UPG0117"));
    const one = positionOf(CLOUD, "batch 1", 6);
    await lsp().edit(cloud, { start: one, end: { line: one.line, character: one.character + 1 } }, "");
    await again;
    await lsp().close(cloud);
    expect(await lsp().stop()).toBe(0);
  });

  it("after a burst of edits, publishes the last one's diagnostics, not one per edit", async () => {
    const uri = lsp().uri(cloud);
    const ready = lsp().diagnostics(uri);
    await lsp().open(cloud, CLOUD);
    await ready;
    const before = lsp().history.length;
    const last = lsp().diagnostics(uri, (d) => d.some((x) => x.message.includes("'nightly4'")));
    // Five edits 10 ms apart, as a typist's: each an unknown window, each spelled differently.
    for (const i of [0, 1, 2, 3, 4]) {
      await lsp().change(cloud, CLOUD.replace("window nightly takes", `window nightly${i} takes`));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await last;
    await new Promise((resolve) => setTimeout(resolve, 300));
    const published = lsp().history.slice(before).filter((p) => p.uri === uri);
    expect(published.length).toBeLessThan(5);
    expect(published.at(-1)?.diagnostics.map((d) => d.message.split("\n")[0])).toEqual(["unknown window 'nightly4'"]);
  });

  it("reports errors of a used file and of the inventory at their own files", async () => {
    const site = join(dir, "site.upg");
    writeFileSync(site, "window weekend { days sat..sun  from 25:00 to 06:00  zone \"UTC\" }\n");
    writeFileSync(join(dir, "hosts.ini"), INVENTORY + "[broken\n");
    const withUse = CLOUD.replace("use openstack\n", 'use openstack\nuse "./site.upg"\n');
    writeFileSync(cloud, withUse);
    const siteDiagnostics = lsp().diagnostics(lsp().uri(site), (d) => d.length > 0);
    const inventoryDiagnostics = lsp().diagnostics(lsp().uri(join(dir, "hosts.ini")), (d) => d.length > 0);
    await lsp().open(cloud, withUse);
    const fromSite = await siteDiagnostics;
    const fromInventory = await inventoryDiagnostics;
    const expected = await compiled("cloud.upg");
    expect(brief(fromSite.diagnostics).map((d) => d.code)).toEqual(expected.filter((d) => d.file === "site.upg").map((d) => d.code));
    expect(brief(fromInventory.diagnostics).map((d) => d.code)).toEqual(expected.filter((d) => d.file === "hosts.ini").map((d) => d.code));
    expect(fromSite.diagnostics.length).toBeGreaterThan(0);
    expect(fromInventory.diagnostics.length).toBeGreaterThan(0);

    // Opening the used file and fixing it there clears its diagnostics and keeps the plan's.
    const cleared = lsp().diagnostics(lsp().uri(site), (d) => d.length === 0);
    await lsp().open(site, "window weekend { days sat..sun  from 22:00 to 06:00  zone \"UTC\" }\n");
    await cleared;
  });

  it("a library file opened alone is not reported for lacking a plan", async () => {
    const lib = join(dir, "lib.upg");
    const text = "window w { days mon  from 22:00 to 06:00  zone \"UTC\" }\ntemplate t { takes 5x }\n";
    writeFileSync(lib, text);
    const got = lsp().diagnostics(lsp().uri(lib));
    await lsp().open(lib, text);
    const codes = (await got).diagnostics.map((d) => d.code);
    expect(codes).not.toContain("UPG0231");
    expect(codes.length).toBeGreaterThan(0);
  });
});

describe("upgradec lsp: hover, definition, references", () => {
  beforeEach(async () => {
    const ready = lsp().diagnostics(lsp().uri(cloud));
    await lsp().open(cloud, CLOUD);
    await ready;
  });

  type Hover = { contents: { value: string } } | null;

  it("hovers a keyword with its documentation", async () => {
    const hover = await lsp().request<Hover>("textDocument/hover", cloud, positionOf(CLOUD, "rolling {", 2));
    expect(hover?.contents.value).toContain("`rolling`");
    expect(hover?.contents.value).toContain("docs/language.md");
  });

  it("hovers a service with its merged settings and the layer of each", async () => {
    const hover = await lsp().request<Hover>("textDocument/hover", cloud, positionOf(CLOUD, "kernel", 2));
    const text = hover?.contents.value ?? "";
    // In rollout order: empty hosts first (the template's `order empty-first`).
    expect(text).toContain("hosts: 3 hosts (`cmp02`, `cmp03`, `cmp01`)");
    expect(text).toMatch(/\| on \| `compute` \| own body \|/);
    expect(text).toMatch(/\| evacuate \| `[^`]+` \| library template openstack\.compute-host \|/);
    expect(text).toMatch(/method openstack\.host-packages/);
  });

  it("hovers a group with its hosts and a window with its next occurrences", async () => {
    const group = await lsp().request<Hover>("textDocument/hover", cloud, positionOf(CLOUD, "on compute", 4));
    expect(group?.contents.value).toContain("3 hosts");
    const window = await lsp().request<Hover>("textDocument/hover", cloud, positionOf(CLOUD, "window nightly takes", 8));
    expect(window?.contents.value).toMatch(/next occurrences[^]*\d{4}-\d\d-\d\d \d\d:\d\dZ →/);
  });

  type Loc = { uri: string; range: { start: { line: number } } };

  it("goes to a library template, a method, a window and an inventory group", async () => {
    const template = await lsp().request<Loc>("textDocument/definition", cloud, positionOf(CLOUD, "openstack.compute-host", 12));
    expect(template.uri).toBe(lsp().uri(stdlibFile));
    const stdlib = readFileSync(stdlibFile, "utf8").split("\n");
    expect(stdlib[template.range.start.line]).toMatch(/^template compute-host/);

    const method = await lsp().request<Loc>("textDocument/definition", cloud, positionOf(CLOUD, "openstack.host-packages", 12));
    expect(stdlib[method.range.start.line]).toMatch(/^method host-packages/);

    const window = await lsp().request<Loc>("textDocument/definition", cloud, positionOf(CLOUD, "window nightly takes", 8));
    expect(window).toMatchObject({ uri: lsp().uri(cloud), range: { start: { line: 3 } } });

    const group = await lsp().request<Loc>("textDocument/definition", cloud, positionOf(CLOUD, "on compute", 4));
    expect(group.uri).toBe(lsp().uri(join(dir, "hosts.ini")));
    expect(group.range.start.line).toBe(0);
  });

  it("goes to the files a plan names: the inventory and the standard library module", async () => {
    const inventory = await lsp().request<Loc>("textDocument/definition", cloud, positionOf(CLOUD, '"hosts.ini"', 3));
    expect(inventory.uri).toBe(lsp().uri(join(dir, "hosts.ini")));
    const module = await lsp().request<Loc>("textDocument/definition", cloud, positionOf(CLOUD, "use openstack", 6));
    expect(module.uri).toBe(lsp().uri(stdlibFile));
  });

  it("finds the references of a window", async () => {
    const refs = await lsp().request<Loc[]>("textDocument/references", cloud, positionOf(CLOUD, "window nightly {", 8), { context: { includeDeclaration: true } });
    expect(refs.map((r) => r.range.start.line).sort()).toEqual([3, 9]);
  });
});

describe("upgradec lsp: completion, formatting, outline", () => {
  type Items = { label: string }[] | { items: { label: string }[] };
  const labels = (items: Items): string[] => (Array.isArray(items) ? items : items.items).map((i) => i.label);

  async function completeAt(text: string, marker: string): Promise<string[]> {
    const at = text.indexOf(marker);
    const edited = text.replace(marker, "");
    const ready = lsp().diagnostics(lsp().uri(cloud));
    await lsp().open(cloud, edited);
    await ready;
    return labels(await lsp().request<Items>("textDocument/completion", cloud, positionOf(edited, edited.slice(at), 0)));
  }

  it("offers the statements of the block the cursor is in", async () => {
    const got = await completeAt(CLOUD, "  upgrade [");
    expect(got).toEqual(expect.arrayContaining(["rolling", "evacuate", "health", "window", "upgrade"]));
    expect(got).not.toContain("plan");
    expect(got).not.toContain("batch");
    const inRolling = await completeAt(CLOUD, "max-unavailable 1 per az");
    expect(inRolling).toEqual(expect.arrayContaining(["batch", "max-unavailable", "pause"]));
    expect(inRolling).not.toContain("evacuate");
  });

  it("offers windows, templates, groups and host vars where names are expected", async () => {
    expect(await completeAt(CLOUD, "nightly takes")).toEqual(["nightly"]);
    expect(await completeAt(CLOUD, "openstack.compute-host {")).toEqual(expect.arrayContaining(["openstack.compute-host", "openstack.nova-compute"]));
    expect(await completeAt(CLOUD, "compute\n  deploy")).toEqual(expect.arrayContaining(["compute", "all"]));
    expect(await completeAt(CLOUD, "az }")).toEqual(expect.arrayContaining(["az", "instances"]));
  });

  it("offers the standard library's modules after use", async () => {
    expect(await completeAt(CLOUD, "openstack\ninventory")).toEqual(expect.arrayContaining(["openstack"]));
  });

  it("offers placeholders inside a command's string", async () => {
    const got = await completeAt(CLOUD, 'packages}"]');
    expect(got).toEqual(expect.arrayContaining(["host", "from", "to", "packages", "az", "instances"]));
  });

  it("formats as upgradec fmt does, and outlines the plan, services and windows", async () => {
    const messy = CLOUD.replace("  on compute\n", "  on   compute\n").replace('plan "p" { kind update', 'plan "p" {kind update');
    const ready = lsp().diagnostics(lsp().uri(cloud));
    await lsp().open(cloud, messy);
    await ready;
    const edits = await lsp().request<{ newText: string }[]>("textDocument/formatting", cloud, undefined, { options: { tabSize: 2, insertSpaces: true } });
    const fmt = await execa("node", [bin, "fmt", "-"], { cwd: dir, input: messy, env: { NO_COLOR: "1" }, stripFinalNewline: false });
    expect(edits).toHaveLength(1);
    expect(edits[0]?.newText).toBe(fmt.stdout);
    expect(edits[0]?.newText).not.toBe(messy);

    const symbols = await lsp().request<{ name: string; kind: number; children?: { name: string }[] }[]>("textDocument/documentSymbol", cloud);
    expect(symbols.map((s) => s.name)).toEqual(["p", "nightly", "kernel"]);
    expect(symbols[2]?.children?.map((c) => c.name)).toEqual(["rolling", "upgrade"]);
  });
});
