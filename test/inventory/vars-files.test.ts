import { describe, expect, it } from "vitest";
import { readInventory } from "../../src/inventory/read-inventory.js";
import { groupHosts, hostVars, readFrom } from "./helpers.js";
import { memoryHost } from "./memory-host.js";

const ini = "[compute]\ncmp01 az=host-inline\ncmp02\n\n[compute:vars]\naz=compute-inline\nlevel=compute-inline\n\n[nova:children]\ncompute\n\n[nova:vars]\nlevel=nova-inline\nnova_only=1\n";

describe("group_vars/ and host_vars/", () => {
  it("reads group_vars/<group>.yml beside an inventory file", () => {
    const { inventory, diagnostics } = readFrom({ "inv/hosts": ini, "inv/group_vars/compute.yml": "az: compute-file\nrack: r1\n" }, "inv/hosts");
    expect(diagnostics).toEqual([]);
    expect(hostVars(inventory, "cmp02")).toMatchObject({ az: "compute-file", rack: "r1" });
    expect(inventory.groups.get("compute")?.vars).toMatchObject({ az: "compute-file", level: "compute-inline" });
    expect(inventory.files.map((f) => f.path)).toEqual(["inv/hosts", "inv/group_vars/compute.yml"]);
  });

  it("reads .yaml, .json and extension-less files", () => {
    const { inventory } = readFrom(
      { hosts: ini, "group_vars/compute.yaml": "a: 1\n", "group_vars/nova.json": '{"b": 2}', "host_vars/cmp01": "c: 3\n" },
      "hosts",
    );
    expect(hostVars(inventory, "cmp01")).toMatchObject({ a: 1, b: 2, c: 3 });
    expect(hostVars(inventory, "cmp02")).not.toHaveProperty("c");
  });

  it("merges a directory of files in name order, recursing into subdirectories", () => {
    const { inventory } = readFrom(
      {
        hosts: ini,
        "group_vars/compute/20-late.yml": "x: late\ny: late\n",
        "group_vars/compute/10-early.yml": "x: early\nz: early\n",
        "group_vars/compute/30-sub/a.yml": "y: sub\n",
        "group_vars/compute/.hidden.yml": "x: hidden\n",
        "group_vars/compute/backup.yml~": "x: backup\n",
        "group_vars/compute/notes.txt": "x: notes\n",
      },
      "hosts",
    );
    expect(hostVars(inventory, "cmp01")).toMatchObject({ x: "late", y: "sub", z: "early" });
  });

  it("takes the first of NAME, NAME.yml, NAME.yaml, NAME.json, as Ansible does", () => {
    const { inventory } = readFrom({ hosts: ini, "group_vars/compute/main.yml": "x: dir\n", "group_vars/compute.yml": "x: file\ny: file\n" }, "hosts");
    expect(hostVars(inventory, "cmp01")).toMatchObject({ x: "dir" });
    expect(hostVars(inventory, "cmp01")).not.toHaveProperty("y");
  });

  it("reads group_vars/ inside an inventory directory", () => {
    const { inventory } = readFrom({ "inv/01-hosts": ini, "inv/group_vars/all.yml": "dns: 10.0.0.53\n", "inv/host_vars/cmp02.yml": "instances: 7\n" }, "inv");
    expect(hostVars(inventory, "cmp02")).toMatchObject({ dns: "10.0.0.53", instances: 7 });
  });

  it("merges in Ansible's order: all < groups by depth < group_vars files < host < host_vars", () => {
    const { inventory } = readFrom(
      {
        hosts: "[all:vars]\nv1=all-inline\nv2=all-inline\nv3=all-inline\n" + ini,
        "group_vars/all.yml": "v2: all-file\nlevel: all-file\n",
        "group_vars/nova.yml": "v3: nova-file\nf: nova-file\n",
        "group_vars/compute.yml": "f: compute-file\n",
        "host_vars/cmp01.yml": "az: host-file\n",
      },
      "hosts",
    );
    const cmp01 = hostVars(inventory, "cmp01");
    // Inline vars of a child group beat its parent's; any group_vars file beats every inline group var.
    expect(cmp01).toMatchObject({ v1: "all-inline", v2: "all-file", v3: "nova-file", level: "all-file", f: "compute-file", nova_only: 1, az: "host-file" });
    expect(hostVars(inventory, "cmp02")).toMatchObject({ az: "compute-inline", level: "all-file" });
  });

  it("orders groups of equal depth by ansible_group_priority, then by name", () => {
    const text = "[a]\nh1\n[b]\nh1\n[c]\nh1\n[a:vars]\nx=a\n[b:vars]\nx=b\n[c:vars]\nx=c\nansible_group_priority=0\n";
    expect(hostVars(readFrom({ hosts: text }, "hosts").inventory, "h1")["x"]).toBe("b");
    const prioritised = text.replace("[a:vars]\nx=a\n", "[a:vars]\nx=a\nansible_group_priority=10\n");
    expect(hostVars(readFrom({ hosts: prioritised }, "hosts").inventory, "h1")["x"]).toBe("a");
  });

  it("ignores an empty vars file and vars of a group the inventory does not have", () => {
    const { inventory, diagnostics } = readFrom({ hosts: ini, "group_vars/compute.yml": "", "group_vars/unknown.yml": "x: 1\n" }, "hosts");
    expect(diagnostics).toEqual([]);
    expect(inventory.files.map((f) => f.path)).toEqual(["hosts", "group_vars/compute.yml"]);
  });

  it("warns about a vault-encrypted vars file and reads the rest", () => {
    const { inventory, diagnostics } = readFrom({ hosts: ini, "group_vars/all/vault.yml": "$ANSIBLE_VAULT;1.1;AES256\n6162\n", "group_vars/all/main.yml": "a: 1\n" }, "hosts");
    expect(diagnostics.map((d) => [d.code, d.severity, d.span?.file])).toEqual([["UPG0316", "warning", "group_vars/all/vault.yml"]]);
    expect(hostVars(inventory, "cmp01")).toMatchObject({ a: 1 });
  });

  it("does not look up a vars file for each host when host_vars/ holds few", () => {
    const host = memoryHost({ hosts: "[compute]\ncmp[0001:2000]\n", "host_vars/cmp0007.yml": "x: 1\n" });
    const result = readInventory("hosts", host);
    expect(result.value?.hosts.get("cmp0007")?.vars).toEqual({ x: 1 });
    expect(host.reads.filter((p) => p.includes("host_vars"))).toEqual(["/site/host_vars/cmp0007.yml"]);
    expect(groupHosts(result.value as NonNullable<typeof result.value>, "compute")).toHaveLength(2000);
  });
});
