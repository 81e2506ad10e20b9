import { describe, expect, it } from "vitest";
import { groupHosts, hostVars, readClean } from "./helpers.js";

describe("INI inventory", () => {
  it("reads groups and hosts in inventory order", () => {
    const inv = readClean("[control]\nctl01\nctl02\n\n[compute]\ncmp01\nctl01\n");
    expect([...inv.hosts.keys()]).toEqual(["ctl01", "ctl02", "cmp01"]);
    expect(groupHosts(inv, "control")).toEqual(["ctl01", "ctl02"]);
    expect(groupHosts(inv, "compute")).toEqual(["ctl01", "cmp01"]);
    expect(inv.hosts.get("ctl01")?.groups).toEqual(["compute", "control"]);
    expect(groupHosts(inv, "all")).toEqual(["ctl01", "ctl02", "cmp01"]);
  });

  it("types inline host vars as Ansible does", () => {
    const inv = readClean(`[compute]\ncmp001 ansible_host=10.0.0.1 az=az1 instances=12 rack=01 debug=True tls=true name="a b" port="'8080'" pw='x#y' tag=v#comment\n`);
    expect(hostVars(inv, "cmp001")).toEqual({
      ansible_host: "10.0.0.1",
      az: "az1",
      instances: 12,
      rack: "01",
      debug: true,
      tls: "true",
      name: "a b",
      port: "8080",
      pw: "x#y",
      tag: "v",
    });
  });

  it("types a value repeated over hosts and groups alike each time, and gives no two hosts the same list", () => {
    const inv = readClean(`[compute]\ncmp1 a=12 b="'12'" c=True l="['x']"\ncmp2 a=12 b="'12'" c=True l="['x']"\ncmp3 a="'12'" b=12 c=true\n\n[compute:vars]\ng=12\n`);
    expect(hostVars(inv, "cmp1")).toEqual({ g: 12, a: 12, b: "12", c: true, l: ["x"] });
    expect(hostVars(inv, "cmp2")).toEqual({ g: 12, a: 12, b: "12", c: true, l: ["x"] });
    expect(hostVars(inv, "cmp3")).toEqual({ g: 12, a: "12", b: 12, c: "true" });
    expect(hostVars(inv, "cmp1").l).not.toBe(hostVars(inv, "cmp2").l);
  });

  it("reads [group:vars], one var per line, the rest of the line being the value", () => {
    const inv = readClean("[compute]\ncmp01\n\n[compute:vars]\nhttp_port=8080 # a comment\nuser = ubuntu\nmotd=hello world\nflag=False\n");
    expect(inv.groups.get("compute")?.vars).toEqual({ http_port: 8080, user: "ubuntu", motd: "hello world", flag: false });
    expect(hostVars(inv, "cmp01")).toEqual({ http_port: 8080, user: "ubuntu", motd: "hello world", flag: false });
  });

  it("reads [group:children], transitively, declared before or after", () => {
    const inv = readClean("[openstack:children]\nnova\n\n[nova:children]\ncompute\ncontrol\n\n[control]\nctl01\n[compute]\ncmp01\n");
    expect(groupHosts(inv, "nova")).toEqual(["ctl01", "cmp01"]);
    expect(groupHosts(inv, "openstack")).toEqual(["ctl01", "cmp01"]);
    expect(inv.groups.get("nova")?.children).toEqual(["compute", "control"]);
    expect(inv.hosts.get("cmp01")?.groups).toEqual(["compute", "nova", "openstack"]);
    expect(inv.groups.get("all")?.children).toEqual(["ungrouped", "openstack"]);
  });

  it("expands ranges, keeping zero padding", () => {
    const inv = readClean("[compute]\ncmp[001:240] az=az1\n[storage]\nstor-[a:c]\n[even]\nw[0:6:2]\n");
    expect(groupHosts(inv, "compute")).toHaveLength(240);
    expect(groupHosts(inv, "compute")[0]).toBe("cmp001");
    expect(hostVars(inv, "cmp240")).toEqual({ az: "az1" });
    expect(groupHosts(inv, "storage")).toEqual(["stor-a", "stor-b", "stor-c"]);
    expect(groupHosts(inv, "even")).toEqual(["w0", "w2", "w4", "w6"]);
  });

  it("puts hosts outside any section in ungrouped, but not once they are in a group", () => {
    const inv = readClean("lonely ansible_connection=local\ncmp01\n\n[compute]\ncmp01\n");
    expect(groupHosts(inv, "ungrouped")).toEqual(["lonely"]);
    expect(inv.hosts.get("lonely")?.groups).toEqual(["ungrouped"]);
    expect(inv.hosts.get("cmp01")?.groups).toEqual(["compute"]);
  });

  it("skips comments with # and ;, blank lines, and CRLF line ends", () => {
    const inv = readClean("# a comment\r\n; another\r\n\r\n[control] # trailing comment\r\n  ctl01   # indented\r\n");
    expect(groupHosts(inv, "control")).toEqual(["ctl01"]);
  });

  it("reads a port after the host as ansible_port", () => {
    const inv = readClean("[control]\nctl01:2222\n");
    expect(hostVars(inv, "ctl01")).toEqual({ ansible_port: 2222 });
  });

  it("merges vars of one host given on several lines, the later winning", () => {
    const inv = readClean("[a]\nh1 x=1 y=1\n[b]\nh1 y=2\n");
    expect(hostVars(inv, "h1")).toEqual({ x: 1, y: 2 });
  });

  it("sets vars of all with [all:vars]", () => {
    const inv = readClean("[all:vars]\nntp=10.0.0.1\n[compute]\ncmp01\n");
    expect(inv.groups.get("all")?.vars).toEqual({ ntp: "10.0.0.1" });
    expect(hostVars(inv, "cmp01")).toEqual({ ntp: "10.0.0.1" });
  });

  it("records the span of each host and group, and the file read", () => {
    const text = "[compute]\ncmp[01:02] az=az1\n";
    const inv = readClean(text);
    const span = inv.hosts.get("cmp02")?.span;
    expect(span?.file).toBe("hosts");
    expect(text.slice(span?.start, span?.end)).toBe("cmp[01:02]");
    const g = inv.groups.get("compute")?.span;
    expect(text.slice(g?.start, g?.end)).toBe("compute");
    expect(inv.files).toEqual([{ path: "hosts", text }]);
  });
});
