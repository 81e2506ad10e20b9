/**
 * The compiler on hostile sources, through the built binary (issue 23 points 9 and 10): each
 * case once ran out of memory, time or stack, flooded the terminal, or read what is no file.
 * Each must end with exit 1 (errors in the sources, never 70), a clear diagnostic, a bounded
 * stderr with no control characters, and in bounded time.
 */
import { execa } from "execa";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const bin = join(root, "bin", "upgradec.js");
const dir = mkdtempSync(join(tmpdir(), "upgradec-hostile-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PLAN = 'plan "p" { kind upgrade from "zed" to "2023.1" }\n';

async function compile(files: Record<string, string | Buffer>, entry = "cloud.upg") {
  const project = mkdtempSync(join(dir, "p-"));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(project, name), content);
  const started = Date.now();
  const r = await execa("node", [bin, "compile", entry], { cwd: project, reject: false, env: { NO_COLOR: "1" }, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
  return { ...r, project, ms: Date.now() - started };
}

function expectCleanFailure(r: Awaited<ReturnType<typeof compile>>, code: string): void {
  expect(r.stderr).toContain(code);
  expect(r.stderr).not.toContain("UPG0001");
  expect(r.exitCode).toBe(1);
  expect(r.stderr.length).toBeLessThan(512 * 1024);
  // eslint-disable-next-line no-control-regex
  expect(r.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
}

describe("compile on hostile sources", () => {
  it("refuses a host range of a hundred million hosts at once", async () => {
    const r = await compile({ "cloud.upg": `${PLAN}service a { on cmp[0-99999999] takes 1m }\n` });
    expectCleanFailure(r, "UPG0109");
    expect(r.stderr).toContain("more than the 1000000");
    expect(r.ms).toBeLessThan(20_000);
  });

  it("reads an INI value of 60,000 nested braces as text, as Ansible does, with no stack overflow", async () => {
    const deep = "{".repeat(60_000);
    const r = await compile({
      "cloud.upg": `${PLAN}inventory "hosts.ini"\nservice a { on compute  takes 1m }\n`,
      "hosts.ini": `[compute]\ncmp1 instances=${deep}\ncmp2 instances=3\n`,
    });
    expect(r.stderr).not.toContain("UPG0001");
    expect(r.stderr).not.toContain("call stack");
    expect(r.exitCode).toBe(0);
    const plan = await execa("node", [bin, "compile", "cloud.upg", "--format", "json"], { cwd: r.project, reject: false, maxBuffer: 64 * 1024 * 1024 });
    const hosts = (JSON.parse(plan.stdout) as { hosts: { name: string; vars: Record<string, unknown> }[] }).hosts;
    expect(hosts.find((h) => h.name === "cmp1")?.vars["instances"]).toBe(deep);
    expect(hosts.map((h) => h.name)).toEqual(["cmp1", "cmp2"]);
  });

  it("refuses /dev/zero and a FIFO as inventory without reading them", async () => {
    const zero = await compile({ "cloud.upg": `${PLAN}inventory "/dev/zero"\n` });
    expectCleanFailure(zero, "UPG0003");
    expect(zero.stderr).toContain("not a regular file (a character device)");
    const project = mkdtempSync(join(dir, "fifo-"));
    await execa("mkfifo", [join(project, "hosts")]);
    writeFileSync(join(project, "cloud.upg"), `${PLAN}inventory "hosts"\n`);
    const fifo = await execa("node", [bin, "compile", "cloud.upg"], { cwd: project, reject: false, env: { NO_COLOR: "1" }, timeout: 20_000 });
    expect(fifo.timedOut).toBe(false);
    expect(fifo.exitCode).toBe(1);
    expect(fifo.stderr).toContain("not a regular file (a FIFO)");
  });

  it("refuses a .upg file over the size limit", async () => {
    const window = 'window w{N} { days mon..fri from 22:00 to 06:00 zone "Europe/Berlin" cutoff 30m }\n';
    const many = Array.from({ length: 40_000 }, (_, i) => window.replace("{N}", String(i))).join("");
    const r = await compile({ "cloud.upg": PLAN + many });
    expectCleanFailure(r, "UPG0003");
    expect(r.stderr).toMatch(/more than the 2 MiB/);
  });

  it("shows at most 100 of 10,000 errors, with a count of the rest", async () => {
    const r = await compile({ "cloud.upg": PLAN + "service a { takes 5x }\n".repeat(10_000) });
    expectCleanFailure(r, "UPG0106");
    expect(r.stderr).toMatch(/… and \d+ more diagnostics not shown/);
    expect(r.stderr.match(/ - error UPG/g)?.length).toBe(100);
  });

  it("never writes a source's control characters to the terminal", async () => {
    const r = await compile({ "cloud.upg": `${PLAN}service a \u001b[31m\u0007\u202e { }\n` });
    expectCleanFailure(r, "UPG0101");
    expect(r.stderr).toContain("␛");
    expect(r.stderr).not.toContain("\u202e");
  });

  it("cuts a long line around the span", async () => {
    const r = await compile({ "cloud.upg": `${PLAN}${"# x".repeat(20_000)}\nservice a { on h takes 5x${" ".repeat(50_000)}}\n` });
    expectCleanFailure(r, "UPG0106");
    for (const line of r.stderr.split("\n")) expect(line.length).toBeLessThan(800);
  });

  it("bounds the nesting of blocks", async () => {
    const r = await compile({ "cloud.upg": `${PLAN}service a { foo ${"{".repeat(5000)}${"}".repeat(5000)} }\n` });
    expectCleanFailure(r, "UPG0119");
  });

  it("reports 200,000 unknown services in `after` without running out of stack", async () => {
    const names = Array.from({ length: 200_000 }, (_, i) => `x${i}`).join(", ");
    const r = await compile({ "cloud.upg": `${PLAN}service a { on h1 takes 1m upgrade ["true"] after ${names} }\n` });
    expectCleanFailure(r, "UPG0400");
  });

  it("refuses a 300,000-character name and a 300 KB time zone quickly", async () => {
    const r = await compile({
      "cloud.upg": `${PLAN}window w { from 22:00 to 06:00 zone "${"Europe/Berlin".repeat(23_000)}" }\nservice ${"a".repeat(300_000)} { on h takes 1m after ${"b".repeat(300_000)} }\n`,
    });
    expectCleanFailure(r, "UPG0120");
    expect(r.stderr).toContain("UPG0114");
    expect(r.ms).toBeLessThan(20_000);
  });

  it("refuses bytes that are not UTF-8, in a .upg file and in an inventory, at their place", async () => {
    const r = await compile({
      "cloud.upg": Buffer.concat([Buffer.from(`${PLAN}inventory "hosts.ini"\nservice a { on all takes 1m upgrade ["echo caf`), Buffer.from([0xe9]), Buffer.from(`"] }\n`)]),
      "hosts.ini": Buffer.concat([Buffer.from("[compute]\ncmp"), Buffer.from([0xff]), Buffer.from("01\n")]),
    });
    expectCleanFailure(r, "UPG0003");
    expect(r.stderr).toContain("cloud.upg:3:");
    expect(r.stderr).toContain("hosts.ini:2:4 - error UPG0003: 'hosts.ini' is not valid UTF-8 (byte 0xff");
  });

  it("shows nothing of a file outside the project named as an import or an inventory", async () => {
    const secret = join(mkdtempSync(join(dir, "outside-")), "passwd");
    writeFileSync(secret, "root:x-SECRET-1:0:0:root:/root:/bin/bash\nsvc x-SECRET-2 List Manager\n");
    const used = await compile({ "cloud.upg": `${PLAN}use "${secret}"\n` });
    expectCleanFailure(used, "UPG0205");
    expect(used.stderr).not.toContain("SECRET");
    const inventory = await compile({ "cloud.upg": `${PLAN}inventory "${secret}"\nservice a { on all takes 1m upgrade ["true"] }\n` });
    expectCleanFailure(inventory, "UPG0004");
    expect(inventory.stderr).not.toContain("SECRET");
    expect(inventory.stderr).toMatch(/passwd:2:\d+ - error UPG0004/);
  });

  it("reports a YAML inventory nested deeper than the YAML parser follows as a YAML error", async () => {
    const r = await compile({
      "cloud.upg": `${PLAN}inventory "hosts.yml"\nservice a { on all takes 1m upgrade ["true"] }\n`,
      "hosts.yml": `all:\n  hosts:\n    h1: { ansible_host: ${"10.host: ".repeat(3000)}}\n`,
    });
    expectCleanFailure(r, "UPG0307");
    expect(r.stderr).toContain("nests deeper than the YAML parser can follow");
  });

  it("reports a missing entry file once, with nothing that follows from it", async () => {
    const r = await compile({}, "missing.upg");
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("UPG0002");
    expect(r.stderr).not.toContain("UPG0231");
    expect(r.stderr).toContain("Found 1 error.");
  });
});

