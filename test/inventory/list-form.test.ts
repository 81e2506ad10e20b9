import { describe, expect, it } from "vitest";
import { expectDiagnostic, groupHosts, hostVars, readClean, readFrom } from "./helpers.js";

/** Shaped like openstack-ansible's /etc/openstack_deploy/openstack_inventory.json (abridged). */
const osa = {
  _meta: {
    hostvars: {
      compute1: { ansible_host: "172.29.236.31", az: "az1", instances: 14 },
      compute2: { ansible_host: "172.29.236.32", az: "az2" },
      "infra1_nova_api_container-0c1d2e3f": { physical_host: "infra1", container_networks: { mgmt: { bridge: "br-mgmt" } } },
    },
  },
  all: { vars: { openstack_release: "2023.1" }, children: ["compute_hosts", "nova_all"] },
  compute_hosts: { hosts: ["compute1", "compute2"], children: [] },
  infra_hosts: { hosts: ["infra1"] },
  nova_all: { children: ["nova_compute", "nova_api_os_compute"], hosts: [] },
  nova_compute: { children: ["compute_hosts"], hosts: [], vars: { nova_virt_type: "kvm" } },
  nova_api_os_compute: { hosts: ["infra1_nova_api_container-0c1d2e3f"], children: [] },
  old_style: ["legacy1", "legacy2"],
};

describe("the --list form (ansible-inventory --list, openstack-ansible's openstack_inventory.json)", () => {
  it("reads groups, children, group vars and _meta.hostvars", () => {
    const inv = readClean(JSON.stringify(osa, null, 2), "openstack_inventory.json");
    expect(groupHosts(inv, "nova_all")).toEqual(["compute1", "compute2", "infra1_nova_api_container-0c1d2e3f"]);
    expect(groupHosts(inv, "old_style")).toEqual(["legacy1", "legacy2"]);
    expect(inv.hosts.get("compute1")?.groups).toEqual(["compute_hosts", "nova_all", "nova_compute"]);
    expect(hostVars(inv, "compute1")).toEqual({ openstack_release: "2023.1", nova_virt_type: "kvm", ansible_host: "172.29.236.31", az: "az1", instances: 14 });
    expect(hostVars(inv, "infra1_nova_api_container-0c1d2e3f")).toMatchObject({ physical_host: "infra1", container_networks: '{"mgmt":{"bridge":"br-mgmt"}}' });
    expect(hostVars(inv, "infra1")).toEqual({ openstack_release: "2023.1" });
  });

  it("reads the YAML output of ansible-inventory --list -y style too", () => {
    const inv = readClean("_meta:\n  hostvars:\n    h1: { az: az1 }\ncompute:\n  hosts: [h1]\n", "inv.yml");
    expect(hostVars(inv, "h1")).toEqual({ az: "az1" });
  });

  it("takes a group of vars only as a host of that name, as Ansible's script plugin does", () => {
    const inv = readClean(JSON.stringify({ _meta: { hostvars: {} }, web1: { ansible_host: "10.0.0.5" } }), "inv.json");
    expect(hostVars(inv, "web1")).toEqual({ ansible_host: "10.0.0.5" });
    expect(inv.hosts.get("web1")?.groups).toEqual(["web1"]);
  });

  it("reports hosts that are not a list", () => {
    const text = '{"_meta": {}, "compute": {"hosts": {"h1": null}}}';
    const { diagnostics } = readFrom({ "inv.json": text }, "inv.json");
    expectDiagnostic(diagnostics, "UPG0309", { text, file: "inv.json", snippet: '{"h1": null}', line: 1 });
  });

  it("reports a cycle through children", () => {
    const text = '{"_meta": {}, "a": {"children": ["b"]}, "b": {"children": ["a"]}}';
    const { diagnostics } = readFrom({ "inv.json": text }, "inv.json");
    expect(diagnostics.map((d) => d.code)).toEqual(["UPG0308"]);
    expect(diagnostics[0]?.message).toContain("b -> a -> b");
  });
});
