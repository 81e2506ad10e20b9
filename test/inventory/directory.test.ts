import { describe, expect, it } from "vitest";
import { groupHosts, readFrom } from "./helpers.js";

describe("an inventory directory", () => {
  it("reads every file in name order, INI and YAML alike, skipping what Ansible skips", () => {
    const { inventory, diagnostics } = readFrom(
      {
        "inv/02-compute.yml": "all:\n  children:\n    compute:\n      hosts:\n        cmp01:\n",
        "inv/01-control": "[control]\nctl01\n",
        "inv/03-storage.ini": "[storage]\nstor01\n",
        "inv/sub/04-network": "[network]\nnet01\n",
        "inv/old.bak": "[bad\n",
        "inv/hosts~": "[bad\n",
        "inv/hosts.orig": "[bad\n",
        "inv/ansible.cfg": "[defaults]\nx=1\n",
        "inv/hosts.retry": "[bad\n",
        "inv/README.md": "# hello\n",
        "inv/.hidden": "[bad\n",
        "inv/group_vars/all.yml": "a: 1\n",
        "inv/host_vars/cmp01.yml": "b: 2\n",
      },
      "inv",
    );
    expect(diagnostics).toEqual([]);
    expect([...inventory.hosts.keys()]).toEqual(["ctl01", "cmp01", "stor01", "net01"]);
    expect(inventory.files.map((f) => f.path)).toEqual([
      "inv/01-control",
      "inv/02-compute.yml",
      "inv/03-storage.ini",
      "inv/sub/04-network",
      "inv/group_vars/all.yml",
      "inv/host_vars/cmp01.yml",
    ]);
    expect(inventory.hosts.get("cmp01")?.vars).toEqual({ a: 1, b: 2 });
  });

  it("lets a later file name a group declared by an earlier one as a child", () => {
    const { inventory, diagnostics } = readFrom({ "inv/01": "[compute]\ncmp01\n", "inv/02": "[nova:children]\ncompute\n" }, "inv");
    expect(diagnostics).toEqual([]);
    expect(groupHosts(inventory, "nova")).toEqual(["cmp01"]);
  });

  it("warns that a dynamic inventory script is not run", () => {
    const { diagnostics } = readFrom({ "inv/01": "[compute]\ncmp01\n", "inv/openstack.py": "#!/usr/bin/env python3\n" }, "inv");
    expect(diagnostics.map((d) => [d.code, d.severity])).toEqual([["UPG0318", "warning"]]);
  });
});
