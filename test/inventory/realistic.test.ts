import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { nodeLoadHost } from "../../src/files/node-host.js";
import { readInventory } from "../../src/inventory/read-inventory.js";
import type { Inventory } from "../../src/inventory/inventory.js";

const root = join(import.meta.dirname, "..", "..");

function read(path: string): Inventory {
  const result = readInventory(path, nodeLoadHost(root));
  expect(result.diagnostics).toEqual([]);
  if (!result.value) throw new Error("no inventory");
  return result.value;
}

describe("a kolla-ansible multinode inventory", () => {
  const inv = read("test/inventory/fixtures/kolla/multinode");
  const hosts = (g: string) => inv.groups.get(g)?.hosts ?? [];

  it("has the hosts of every section, in order", () => {
    expect(inv.hosts.size).toBe(3 + 2 + 120 + 1 + 3 + 1);
    expect([...inv.hosts.keys()].slice(0, 6)).toEqual(["control01", "control02", "control03", "network01", "network02", "compute001"]);
    expect(hosts("compute")).toHaveLength(120);
  });

  it("resolves the service groups through :children", () => {
    expect(hosts("nova-api")).toEqual(["control01", "control02", "control03"]);
    expect(hosts("nova-compute")).toEqual(hosts("compute"));
    expect(hosts("neutron-openvswitch-agent")).toEqual([...hosts("network"), ...hosts("compute")]);
    expect(hosts("cron")).toHaveLength(3 + 2 + 120 + 1 + 3);
    expect(hosts("cron")).not.toContain("localhost");
    // manila-share is declared after [openvswitch:children] names it.
    expect(inv.groups.get("openvswitch")?.children).toEqual(["network", "compute", "manila-share"]);
    expect(hosts("openvswitch")).toEqual([...hosts("network"), ...hosts("compute")]);
  });

  it("gives each host all its groups", () => {
    expect(inv.hosts.get("compute042")?.groups).toEqual([
      "baremetal",
      "common",
      "compute",
      "cron",
      "fluentd",
      "kolla-logs",
      "kolla-toolbox",
      "neutron-openvswitch-agent",
      "nova-compute",
      "openvswitch",
    ]);
    expect(inv.hosts.get("localhost")?.groups).toEqual(["deployment"]);
  });

  it("merges host vars, group_vars and host_vars into facts and failure domains", () => {
    expect(inv.hosts.get("compute042")?.vars).toEqual({
      kolla_base_distro: "ubuntu",
      openstack_release: "2023.1",
      network_interface: "eth0",
      tunnel_interface: "eth2",
      max_unavailable_per_rack: 2,
      az: "az1",
      rack: "r02",
      instances: 10,
    });
    expect(inv.hosts.get("compute007")?.vars).toMatchObject({ instances: 0, maintenance: true, rack: "r01" });
    expect(inv.hosts.get("control02")?.vars).toMatchObject({ ansible_user: "kolla", api_interface: "bond0.100" });
    expect(inv.hosts.get("localhost")?.vars).toMatchObject({ ansible_connection: "local" });
  });

  it("lists the files it read, for the fingerprint", () => {
    expect(inv.files.map((f) => f.path)).toEqual([
      "test/inventory/fixtures/kolla/multinode",
      "test/inventory/fixtures/kolla/group_vars/all.yml",
      "test/inventory/fixtures/kolla/group_vars/compute.yml",
      "test/inventory/fixtures/kolla/host_vars/compute007.yml",
    ]);
  });
});

describe("an openstack-ansible style YAML inventory directory", () => {
  const inv = read("test/inventory/fixtures/osa/inventory");
  const hosts = (g: string) => inv.groups.get(g)?.hosts ?? [];

  it("reads physical hosts and containers", () => {
    expect(hosts("shared-infra_hosts")).toEqual(["infra1", "infra2", "infra3"]);
    expect(hosts("identity_hosts")).toEqual(["infra1", "infra2", "infra3"]);
    expect(hosts("keystone_all")).toEqual(["infra1_keystone_container-1a2b3c4d", "infra2_keystone_container-5e6f7a8b"]);
    expect(hosts("nova_compute")).toEqual(["compute1", "compute2", "compute3"]);
    expect(hosts("neutron_ovn_controller")).toEqual(["net1", "net2", "compute1", "compute2", "compute3"]);
    expect(inv.hosts.get("compute2")?.groups).toEqual(["compute_hosts", "neutron_all", "neutron_ovn_controller", "nova_all", "nova_compute"]);
  });

  it("merges vars: group_vars files over inline group vars, host vars over both", () => {
    expect(inv.hosts.get("compute1")?.vars).toEqual({
      openstack_release: "2023.1.2",
      internal_lb_vip_address: "172.29.236.9",
      nova_virt_type: "kvm",
      nova_cpu_allocation_ratio: 4,
      instances: 14,
      ansible_host: "172.29.236.31",
      az: "az1",
    });
    expect(inv.hosts.get("compute3")?.vars).toMatchObject({
      rack: "r8",
      gpus: 2,
      container_networks: '{"management_address":{"bridge":"br-mgmt","interface":"eth1"}}',
    });
    expect(inv.hosts.get("infra1_keystone_container-1a2b3c4d")?.vars).toMatchObject({ physical_host: "infra1", is_metal: false });
  });
});
