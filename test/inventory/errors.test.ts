import { describe, expect, it } from "vitest";
import { readInventory } from "../../src/inventory/read-inventory.js";
import { expectDiagnostic, readFrom } from "./helpers.js";
import { memoryHost } from "./memory-host.js";

/** Reads `text` as the file `name` and checks its one diagnostic `code` points at `snippet` on `line`. */
function expectIn(name: string, text: string, code: string, snippet: string, line: number) {
  const { inventory, diagnostics } = readFrom({ [name]: text }, name);
  const d = expectDiagnostic(diagnostics, code, { text, file: name, snippet, line });
  return { inventory, diagnostic: d };
}

describe("malformed INI", () => {
  it("a section header with a space", () => {
    const { diagnostic } = expectIn("hosts", "[control]\nctl01\n[my group]\nh1\n", "UPG0301", "[my group]", 3);
    expect(diagnostic.help).toContain("no spaces");
  });

  it("a section header without its closing bracket", () => {
    const { diagnostic } = expectIn("hosts", "[control\nctl01\n", "UPG0301", "[control", 1);
    expect(diagnostic.help).toContain("']'");
  });

  it("a section of an unknown type, whose lines are then skipped", () => {
    const { inventory } = expectIn("hosts", "[compute:hosts2]\ncmp01\n[control]\nctl01\n", "UPG0302", "hosts2", 1);
    expect([...inventory.hosts.keys()]).toEqual(["ctl01"]);
  });

  it("[group:children] naming a group never declared", () => {
    const { diagnostic } = expectIn("hosts", "[compute]\ncmp01\n\n[nova:children]\ncompute\ncompte\n", "UPG0303", "compte", 6);
    expect(diagnostic.severity).toBe("error");
    expect(diagnostic.message).toContain("'compte'");
    expect(diagnostic.help).toBe("did you mean `compute`?");
  });

  it("[group:vars] for a group never declared", () => {
    const { diagnostic } = expectIn("hosts", "[compute]\ncmp01\n[comptue:vars]\naz=1\n", "UPG0304", "comptue", 3);
    expect(diagnostic.help).toBe("did you mean `compute`?");
  });

  it("a :vars line without '='", () => {
    expectIn("hosts", "[compute]\ncmp01\n[compute:vars]\naz az1\n", "UPG0305", "az az1", 4);
  });

  it("a host var without '='", () => {
    expectIn("hosts", "[compute]\ncmp01 az=az1 rack\n", "UPG0305", "rack", 2);
  });

  it("a backwards range", () => {
    const { diagnostic } = expectIn("hosts", "[compute]\ncmp[10:01] az=az1\n", "UPG0306", "[10:01]", 2);
    expect(diagnostic.help).toContain("[01:10]");
  });

  it("a zero-padded range with bounds of different widths", () => {
    expectIn("hosts", "[compute]\ncmp[001:40]\n", "UPG0306", "[001:40]", 2);
  });

  it("a group that is its own ancestor, naming the chain", () => {
    const { diagnostic } = expectIn("hosts", "[a:children]\nb\n[b:children]\nc\n[c:children]\na\n", "UPG0308", "a", 6);
    expect(diagnostic.message).toContain("c -> a -> b -> c");
  });

  it("a group that is its own child", () => {
    const { diagnostic } = expectIn("hosts", "[a:children]\na\n", "UPG0308", "a", 2);
    expect(diagnostic.message).toContain("a -> a");
  });

  it("an unterminated quote", () => {
    expectIn("hosts", "[compute]\ncmp01 motd='hello\n", "UPG0313", "'hello", 2);
  });

  it("a bad child group name", () => {
    expectIn("hosts", "[nova:children]\ncompute extra\n", "UPG0317", "compute extra", 2);
  });

  it("a YAML document mark in an INI file", () => {
    expectIn("hosts.ini", "[compute]\n---\n", "UPG0306", "---", 2);
  });

  it("reports several errors in one file and keeps what it could read", () => {
    const { inventory, diagnostics } = readFrom({ hosts: "[a b]\n[compute]\ncmp[3:1]\ncmp01 x\n[c:nope]\n" }, "hosts");
    expect(diagnostics.map((d) => d.code)).toEqual(["UPG0301", "UPG0306", "UPG0305", "UPG0302"]);
    expect([...inventory.hosts.keys()]).toEqual(["cmp01"]);
  });
});

describe("malformed YAML", () => {
  it("a syntax error, at its line", () => {
    const text = "all:\n  children:\n    compute:\n      hosts:\n        cmp01: {az: az1\n    control:\n";
    const { diagnostics } = readFrom({ "hosts.yml": text }, "hosts.yml");
    const d = diagnostics.find((x) => x.code === "UPG0307");
    expect(d?.span?.file).toBe("hosts.yml");
    expect(diagnostics.filter((x) => x.code === "UPG0307")).toHaveLength(1);
    expect(text.slice(0, d?.span?.start).split("\n").length).toBe(6);
    expect(d?.message).toMatch(/^YAML syntax error: /);
  });

  it("vars that are not a mapping", () => {
    expectIn("hosts.yml", "all:\n  vars:\n    - a\n    - b\n", "UPG0309", "- a\n    - b\n", 3);
  });

  it("hosts written as a list", () => {
    const { diagnostic } = expectIn("hosts.yml", "all:\n  children:\n    compute:\n      hosts:\n        - cmp01\n", "UPG0309", "- cmp01\n", 5);
    expect(diagnostic.help).toContain("':'");
  });

  it("host vars that are not a mapping", () => {
    expectIn("hosts.yml", "all:\n  hosts:\n    cmp01: az1\n", "UPG0309", "az1", 3);
  });

  it("a bad range in a host key", () => {
    expectIn("hosts.yml", "all:\n  hosts:\n    cmp[10:01]:\n", "UPG0306", "[10:01]", 3);
  });

  it("a group that is its own ancestor", () => {
    const { diagnostic } = expectIn("hosts.yml", "all:\n  children:\n    a:\n      children:\n        b:\n          children:\n            a:\n", "UPG0308", "a", 7);
    expect(diagnostic.message).toContain("b -> a -> b");
  });

  it("a top level that is not a mapping", () => {
    expectIn("hosts.yml", "- cmp01\n- cmp02\n", "UPG0314", "- cmp01\n- cmp02\n", 1);
  });

  it("an unexpected key in a group is a warning, as in Ansible", () => {
    const { diagnostic, inventory } = expectIn("hosts.yml", "all:\n  hostz:\n    cmp01:\n  hosts:\n    ctl01:\n", "UPG0310", "hostz", 2);
    expect(diagnostic.severity).toBe("warning");
    expect([...inventory.hosts.keys()]).toEqual(["ctl01"]);
  });

  it("a group that is not a mapping is a warning, as in Ansible", () => {
    const { diagnostic } = expectIn("hosts.yml", "all:\n  hosts:\n    h1:\ncompute: cmp01\n", "UPG0311", "cmp01", 4);
    expect(diagnostic.severity).toBe("warning");
  });

  it("a duplicate key is a warning; the last one wins", () => {
    const { diagnostic, inventory } = expectIn("hosts.yml", "all:\n  hosts:\n    h1:\n      az: a\n      az: b\n", "UPG0315", "az", 5);
    expect(diagnostic.labels?.[0]?.message).toBe("first given here");
    expect(inventory.hosts.get("h1")?.vars).toEqual({ az: "b" });
  });
});

describe("malformed vars files", () => {
  it("a group_vars file that is not a mapping", () => {
    const text = "- a\n- b\n";
    const { diagnostics } = readFrom({ hosts: "[compute]\ncmp01\n", "group_vars/compute.yml": text }, "hosts");
    expectDiagnostic(diagnostics, "UPG0309", { text, file: "group_vars/compute.yml", snippet: text, line: 1 });
  });

  it("a YAML syntax error in a host_vars file", () => {
    const text = "az: az1\n  rack: r1\n";
    const { diagnostics } = readFrom({ hosts: "[compute]\ncmp01\n", "host_vars/cmp01.yml": text }, "hosts");
    expect(diagnostics.map((d) => d.code)).toEqual(["UPG0307"]);
    expect(diagnostics[0]?.span?.file).toBe("host_vars/cmp01.yml");
    expect(diagnostics[0]?.message).toBe("YAML syntax error: nested mappings are not allowed in compact mappings");
  });
});

describe("paths", () => {
  it("a missing path: no inventory, one error at the place given", () => {
    const at = { file: "plan.upg", start: 10, end: 20 };
    const result = readInventory("nowhere/hosts", memoryHost({}), { at });
    expect(result.value).toBeNull();
    expect(result.diagnostics).toEqual([expect.objectContaining({ code: "UPG0300", severity: "error", span: at })]);
    expect(result.diagnostics[0]?.message).toContain("nowhere/hosts");
  });

  it("an inventory with no hosts is a warning", () => {
    const { diagnostics } = readFrom({ hosts: "# nothing yet\n[compute]\n" }, "hosts");
    expect(diagnostics.map((d) => [d.code, d.severity])).toEqual([["UPG0312", "warning"]]);
  });
});
