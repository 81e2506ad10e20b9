import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../../src/diagnostics/diagnostic.js";
import { loadProgram } from "../../../src/compiler/load.js";
import { memoryHost } from "../../inventory/memory-host.js";

const stdlibDir = "/pkg/src/stdlib";
const stdlib = {
  [`${stdlibDir}/openstack.upg`]: 'use "./common.upg"\n',
  [`${stdlibDir}/common.upg`]: "",
  [`${stdlibDir}/ceph.upg`]: "",
};

function load(files: Record<string, string>, entry = "main.upg") {
  const all = { ...stdlib, ...files };
  const result = loadProgram(entry, memoryHost(all), { stdlibDir });
  /** The source text a diagnostic's span covers. */
  const at = (d: Diagnostic | undefined): string => {
    const file = result.value.files.find((f) => f.path === d?.span?.file);
    return file?.text.slice(d?.span?.start, d?.span?.end) ?? `<no span in ${d?.span?.file}>`;
  };
  return { ...result, at };
}

const codes = (ds: readonly Diagnostic[]) => ds.map((d) => d.code);

describe("loadProgram", () => {
  it("loads the entry, then each import depth-first, with namespaces", () => {
    const { value, diagnostics } = load({
      "main.upg": 'use openstack\nuse "./site.upg"\nuse "./lib/lib.upg" as lib\n',
      "site.upg": "",
      "lib/lib.upg": 'use "./helpers.upg"\n',
      "lib/helpers.upg": "",
    });
    expect(diagnostics).toEqual([]);
    expect(value.entry).toBe("main.upg");
    expect(value.files.map((f) => [f.path, f.namespace, f.stdlib])).toEqual([
      ["main.upg", null, false],
      ["<stdlib>/openstack.upg", "openstack", true],
      ["<stdlib>/common.upg", "openstack", true],
      ["site.upg", null, false],
      ["lib/lib.upg", "lib", false],
      ["lib/helpers.upg", "lib", false],
    ]);
    expect(value.files[0]?.ast.declarations.map((d) => d.type)).toEqual(["use", "use", "use"]);
    expect(value.files[0]?.text).toBe('use openstack\nuse "./site.upg"\nuse "./lib/lib.upg" as lib\n');
  });

  it("shows paths relative to the working directory", () => {
    const result = loadProgram("plans/main.upg", memoryHost({ "plans/main.upg": 'use "../common/site.upg"\n', "common/site.upg": "" }, "/repo"), { stdlibDir });
    expect(result.value.files.map((f) => f.path)).toEqual(["plans/main.upg", "common/site.upg"]);
    const absolute = loadProgram("/repo/plans/main.upg", memoryHost({ "plans/main.upg": "" }, "/repo"), { stdlibDir });
    expect(absolute.value.entry).toBe("plans/main.upg");
  });

  it("loads a file reached twice (a diamond) once", () => {
    const { value, diagnostics } = load({
      "main.upg": 'use "./b.upg"\nuse "./c.upg"\n',
      "b.upg": 'use "./d.upg"\n',
      "c.upg": 'use "./d.upg"\nuse openstack\n',
      "d.upg": "use openstack\n",
    });
    expect(diagnostics).toEqual([]);
    expect(value.files.map((f) => f.path)).toEqual(["main.upg", "b.upg", "d.upg", "<stdlib>/openstack.upg", "<stdlib>/common.upg", "c.upg"]);
  });

  it("reports a cycle at the use that closes it, naming the chain", () => {
    const { value, diagnostics, at } = load({
      "main.upg": 'use "./a.upg"\n',
      "a.upg": 'use "./b.upg"\n',
      "b.upg": 'use "./c.upg"\n',
      "c.upg": '# back to the start\nuse "./a.upg"\n',
    });
    expect(codes(diagnostics)).toEqual(["UPG0202"]);
    expect(diagnostics[0]?.message).toBe("import cycle: a.upg -> b.upg -> c.upg -> a.upg");
    expect(diagnostics[0]?.span?.file).toBe("c.upg");
    expect(at(diagnostics[0])).toBe('use "./a.upg"');
    expect(value.files.map((f) => f.path)).toEqual(["main.upg", "a.upg", "b.upg", "c.upg"]);
  });

  it("reports a file that imports itself, and the entry imported back", () => {
    const self = load({ "main.upg": 'use "./main.upg"\n' });
    expect(self.diagnostics.map((d) => d.message)).toEqual(["import cycle: main.upg -> main.upg"]);
    const back = load({ "main.upg": 'use "./x.upg"\n', "x.upg": 'use "./main.upg"\n' });
    expect(back.diagnostics.map((d) => d.message)).toEqual(["import cycle: main.upg -> x.upg -> main.upg"]);
  });

  it("reports a missing file at the use's string", () => {
    const { diagnostics, at } = load({ "main.upg": 'use "./site.upg"\nuse "./sites.upg"\n', "site.upg": "" });
    expect(codes(diagnostics)).toEqual(["UPG0200"]);
    expect(at(diagnostics[0])).toBe('"./sites.upg"');
    expect(diagnostics[0]?.message).toContain("sites.upg");
    expect(diagnostics[0]?.help).toBe('did you mean "./site.upg"?');
  });

  it("suggests the missing .upg extension", () => {
    const { diagnostics } = load({ "main.upg": 'use "./lib/site"\n', "lib/site.upg": "" });
    expect(diagnostics[0]?.help).toBe('did you mean "./lib/site.upg"?');
  });

  it("reports an unknown standard library module with the nearest name", () => {
    const { diagnostics, at } = load({ "main.upg": "use opnestack\n" });
    expect(codes(diagnostics)).toEqual(["UPG0201"]);
    expect(at(diagnostics[0])).toBe("opnestack");
    expect(diagnostics[0]?.help).toBe("did you mean `openstack`?");
  });

  it("lists the modules when none is near", () => {
    const { diagnostics } = load({ "main.upg": "use kubernetes\n" });
    expect(diagnostics[0]?.help).toBe("the standard library has: ceph, common, openstack");
  });

  it("suggests quoting a module name that is a file beside the importer", () => {
    const { diagnostics } = load({ "main.upg": "use site\n", "site.upg": "" });
    expect(diagnostics[0]?.help).toBe('to import the file beside this one, quote its path: use "./site.upg"');
  });

  it("reports a file imported under two namespaces, with the first import", () => {
    const { diagnostics, at } = load({ "main.upg": 'use "./a.upg" as x\nuse "./b.upg"\n', "a.upg": "", "b.upg": 'use "./a.upg" as y\n' });
    expect(codes(diagnostics)).toEqual(["UPG0204"]);
    expect(diagnostics[0]?.span?.file).toBe("b.upg");
    expect(at(diagnostics[0])).toBe('use "./a.upg" as y');
    expect(diagnostics[0]?.labels?.[0]?.span.file).toBe("main.upg");
  });

  it("reports a missing entry without a span", () => {
    const result = loadProgram("nowhere.upg", memoryHost({}), { stdlibDir });
    expect(codes(result.diagnostics)).toEqual(["UPG0002"]);
    expect(result.diagnostics[0]?.span).toBeUndefined();
    expect(result.value.files).toEqual([]);
  });

  it("keeps loading past syntax errors, passing them on", () => {
    const { value, diagnostics } = load({ "main.upg": 'use "./a.upg"\nservice {\n', "a.upg": "" });
    expect(diagnostics.length).toBeGreaterThan(0);
    expect(diagnostics.every((d) => d.span?.file === "main.upg")).toBe(true);
    expect(value.files.map((f) => f.path)).toEqual(["main.upg", "a.upg"]);
  });
});

describe("the inventory of a program", () => {
  it("reads it relative to the declaring file", () => {
    const { value, diagnostics } = load({
      "main.upg": 'use "./site/site.upg"\n',
      "site/site.upg": 'inventory "inventory/multinode"\n',
      "site/inventory/multinode": "[compute]\ncmp[01:03] az=az1\n",
      "site/inventory/group_vars/compute.yml": "rack: r1\n",
    });
    expect(diagnostics).toEqual([]);
    expect(value.inventory?.path).toBe("site/inventory/multinode");
    expect([...(value.inventory?.hosts.keys() ?? [])]).toEqual(["cmp01", "cmp02", "cmp03"]);
    expect(value.inventory?.hosts.get("cmp02")?.vars).toEqual({ rack: "r1", az: "az1" });
    expect(value.inventory?.files.map((f) => f.path)).toEqual(["site/inventory/multinode", "site/inventory/group_vars/compute.yml"]);
  });

  it("reports a second inventory, with a label at the first", () => {
    const { diagnostics, at, value } = load({
      "main.upg": 'inventory "a"\nuse "./b.upg"\n',
      "b.upg": 'inventory "b"\n',
      a: "[x]\nh1\n",
      b: "[y]\nh2\n",
    });
    expect(codes(diagnostics)).toEqual(["UPG0203"]);
    expect(at(diagnostics[0])).toBe('inventory "b"');
    expect(diagnostics[0]?.labels?.[0]?.span).toMatchObject({ file: "main.upg", start: 0, end: 13 });
    expect([...(value.inventory?.hosts.keys() ?? [])]).toEqual(["h1"]);
  });

  it("reports a missing inventory at the declaration's string", () => {
    const { diagnostics, at, value } = load({ "main.upg": 'inventory "inventory/hosts"\n' });
    expect(codes(diagnostics)).toEqual(["UPG0300"]);
    expect(at(diagnostics[0])).toBe('"inventory/hosts"');
    expect(value.inventory).toBeNull();
  });

  it("reports inventory errors in the inventory's file", () => {
    const { diagnostics } = load({ "main.upg": 'inventory "hosts"\n', hosts: "[compute]\ncmp[9:1]\n" });
    expect(diagnostics.map((d) => [d.code, d.span?.file, d.span?.start])).toEqual([["UPG0306", "hosts", 13]]);
  });
});
