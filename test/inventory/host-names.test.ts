/**
 * Host names and ssh's connection vars are untrusted input: what is not a host name, an
 * address or an alias is refused when the inventory is read, at the place it is written.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hostNameProblem } from "../../src/inventory/host-name.js";
import { expectDiagnostic, readClean, readFrom } from "./helpers.js";

describe("host names in an inventory", () => {
  it("refuses a YAML host that ssh would read as an option, and keeps the others", () => {
    const text = "all:\n  hosts:\n    ctl01:\n    '-oProxyCommand=touch /tmp/pwned':\n";
    const { inventory, diagnostics } = readFrom({ "hosts.yml": text }, "hosts.yml");
    const d = expectDiagnostic(diagnostics, "UPG0325", { text, file: "hosts.yml", snippet: "'-oProxyCommand=touch /tmp/pwned'", line: 4 });
    expect(d.message).toContain("begins with '-'");
    expect([...inventory.hosts.keys()]).toEqual(["ctl01"]);
  });

  it("refuses shell metacharacters, white space and control characters in INI and YAML", () => {
    for (const name of ["cmp1;reboot", "cmp$(id)", "cmp`id`", "a|b", "x>y"]) {
      const text = `[compute]\n${name}\n`;
      expectDiagnostic(readFrom({ hosts: text }, "hosts").diagnostics, "UPG0325", { text, file: "hosts", snippet: name, line: 2 });
    }
    const yaml = 'all:\n  hosts:\n    "cmp1\\nreboot":\n';
    expect(readFrom({ "h.yml": yaml }, "h.yml").diagnostics.map((d) => d.code)).toEqual(["UPG0325"]);
  });

  it("accepts DNS names, addresses and Ansible aliases with ansible_host", () => {
    const inventory = readClean("[all]\nctl01.example.com\n10.0.0.7\nfe80::1%eth0\nweb_1 ansible_host=192.0.2.1 ansible_user=stack ansible_port=2222\nkörper-01\n");
    expect([...inventory.hosts.keys()]).toEqual(["ctl01.example.com", "10.0.0.7", "fe80::1%eth0", "web_1", "körper-01"]);
  });

  it("refuses ansible_host, ansible_user and ansible_port values ssh could not take safely, from group vars too", () => {
    const text = "[compute]\ncmp1 ansible_host=-oProxyCommand=x\ncmp2\n[compute:vars]\nansible_user=-lroot\n";
    const { diagnostics } = readFrom({ hosts: text }, "hosts");
    expect(diagnostics.map((d) => [d.code, d.message])).toEqual([
      ["UPG0326", 'host \'cmp1\': invalid ansible_host "-oProxyCommand=x": ansible_host: it begins with \'-\', so ssh and other programs would read it as an option'],
      ["UPG0326", 'host \'cmp1\': invalid ansible_user "-lroot": ansible_user begins with \'-\', so ssh would read it as an option'],
      ["UPG0326", 'host \'cmp2\': invalid ansible_user "-lroot": ansible_user begins with \'-\', so ssh would read it as an option'],
    ]);
  });

  it("never accepts a name that begins with '-' or holds white space, a control character or a shell metacharacter", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (name) => {
        // eslint-disable-next-line no-control-regex
        const dangerous = /^-|[\s\x00-\x1f\x7f;&|$`'"<>()*?!{}[\]\\~#=,/@^]/u.test(name);
        if (dangerous) expect(hostNameProblem(name), name).not.toBeNull();
      }),
      { numRuns: 2000 },
    );
  });
});
