import { describe, expect, it } from "vitest";
import { groupHosts, hostVars, readClean } from "./helpers.js";

describe("YAML inventory", () => {
  it("reads all: hosts, vars and nested children", () => {
    const inv = readClean(
      `all:
  vars:
    ntp: 10.0.0.1
  hosts:
    deploy01:
  children:
    control:
      hosts:
        ctl[01:03]:
    compute:
      vars:
        instances: 0
      hosts:
        cmp[001:040]: { az: az1 }
        cmp[041:080]: { az: az2, instances: 20 }
      children:
        gpu:
          hosts:
            gpu01:
`,
      "hosts.yml",
    );
    expect([...inv.hosts.keys()]).toHaveLength(1 + 3 + 80 + 1);
    expect(groupHosts(inv, "control")).toEqual(["ctl01", "ctl02", "ctl03"]);
    expect(groupHosts(inv, "compute")).toHaveLength(81);
    expect(groupHosts(inv, "compute").at(-1)).toBe("gpu01");
    expect(hostVars(inv, "cmp001")).toEqual({ ntp: "10.0.0.1", instances: 0, az: "az1" });
    expect(hostVars(inv, "cmp041")).toEqual({ ntp: "10.0.0.1", instances: 20, az: "az2" });
    expect(hostVars(inv, "gpu01")).toEqual({ ntp: "10.0.0.1", instances: 0 });
    expect(inv.hosts.get("gpu01")?.groups).toEqual(["compute", "gpu"]);
    expect(groupHosts(inv, "ungrouped")).toEqual(["deploy01"]);
  });

  it("reads YAML 1.1 values as Ansible (PyYAML) does", () => {
    const inv = readClean(
      `all:
  hosts:
    h1:
      a: yes
      b: off
      c: "yes"
      d: 12
      e: 1.5
      f: [x, y]
      g: { k: v }
      h:
      i: [1, 2]
      j: !unsafe "{{ raw }}"
`,
      "hosts.yaml",
    );
    expect(hostVars(inv, "h1")).toEqual({ a: true, b: false, c: "yes", d: 12, e: 1.5, f: ["x", "y"], g: '{"k":"v"}', h: "", i: "[1,2]", j: "{{ raw }}" });
  });

  it("accepts a top-level group other than all, and a single string for hosts", () => {
    const inv = readClean("compute:\n  hosts: cmp01\nnetwork:\n  hosts:\n    net01:\n", "inv.yml");
    expect(groupHosts(inv, "compute")).toEqual(["cmp01"]);
    expect(inv.groups.get("all")?.children).toEqual(["ungrouped", "compute", "network"]);
  });

  it("takes a file without extension as YAML when it starts like YAML", () => {
    const inv = readClean("---\n# comment\nall:\n  children:\n    compute:\n      hosts:\n        cmp01:\n", "inventory");
    expect(groupHosts(inv, "compute")).toEqual(["cmp01"]);
  });

  it("reads JSON, which is YAML", () => {
    const inv = readClean(JSON.stringify({ all: { children: { compute: { hosts: { cmp01: { az: "az1" } } } } } }), "hosts.json");
    expect(hostVars(inv, "cmp01")).toEqual({ az: "az1" });
  });

  it("merges a group named in two places", () => {
    const inv = readClean(
      `all:
  children:
    nova:
      children:
        compute:
          hosts: { cmp01: }
    neutron:
      children:
        compute:
          hosts: { cmp02: }
`,
      "hosts.yml",
    );
    expect(groupHosts(inv, "compute")).toEqual(["cmp01", "cmp02"]);
    expect(groupHosts(inv, "nova")).toEqual(["cmp01", "cmp02"]);
    expect(inv.hosts.get("cmp02")?.groups).toEqual(["compute", "neutron", "nova"]);
  });

  it("keeps spans pointing at the host pattern", () => {
    const text = "all:\n  hosts:\n    cmp[01:02]:\n";
    const inv = readClean(text, "h.yml");
    const span = inv.hosts.get("cmp02")?.span;
    expect(text.slice(span?.start, span?.end)).toBe("cmp[01:02]");
  });
});
