/**
 * `upgradec fmt` through the built binary: what it does to the files (contents, mtimes,
 * permissions, nothing left beside them), what it prints, and its exit codes.
 */
import { execa } from "execa";
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const bin = join(root, "bin", "upgradec.js");

let dir = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "upgradec-fmt-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function upgradec(args: string[], input?: string) {
  return execa("node", [bin, ...args], { cwd: dir, reject: false, stripFinalNewline: false, env: { NO_COLOR: "1" }, ...(input !== undefined ? { input } : { stdin: "ignore" as const }) });
}

const MESSY = `# the plan
plan "p" {kind update
      from "1" to "2" ;  parallelism 4 }


use openstack   # the library
window nightly { days mon..fri  from 22:00   to 06:00 zone "UTC" cutoff 30m }
service api { on ctl[1-3] ,gw1
  rolling{batch 1,50%
  # a comment of its own
  max-unavailable 1}
  upgrade [ "apt-get", "install","-y", ] {takes 5m   timeout 10m}

}`;

const CANONICAL = `# the plan
plan "p" {
  kind update
  from "1" to "2"
  parallelism 4
}

use openstack  # the library
window nightly { days mon..fri  from 22:00 to 06:00  zone "UTC"  cutoff 30m }
service api {
  on ctl[1-3], gw1
  rolling {
    batch 1, 50%
    # a comment of its own
    max-unavailable 1
  }
  upgrade ["apt-get", "install", "-y"] { takes 5m  timeout 10m }
}
`;

const BROKEN = `service api {\n  on\n  rolling { batch 1 }\n`;

function write(name: string, text: string): string {
  const path = join(dir, name);
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, text);
  return path;
}

const LONG_AGO = new Date("2001-02-03T04:05:06Z");

describe("upgradec fmt FILES", () => {
  it("rewrites a file in the canonical layout, in place, and names it", async () => {
    const path = write("cloud.upg", MESSY);
    const r = await upgradec(["fmt", "cloud.upg"]);
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    expect(readFileSync(path, "utf8")).toBe(CANONICAL);
    expect(r.stdout).toBe("cloud.upg\n");
    // Written beside and renamed over: nothing else is left in the directory.
    expect(readdirSync(dir)).toEqual(["cloud.upg"]);
  });

  it("does not rewrite a file that is formatted already (its mtime stays)", async () => {
    const path = write("cloud.upg", CANONICAL);
    utimesSync(path, LONG_AGO, LONG_AGO);
    const inode = statSync(path).ino;
    const r = await upgradec(["fmt", "cloud.upg"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe("");
    expect(statSync(path).mtime.getTime()).toBe(LONG_AGO.getTime());
    expect(statSync(path).ino).toBe(inode);
  });

  it("keeps the file's permissions", async () => {
    const path = write("secret.upg", MESSY);
    chmodSync(path, 0o600);
    const r = await upgradec(["fmt", "secret.upg"]);
    expect(r.exitCode).toBe(0);
    expect(readFileSync(path, "utf8")).toBe(CANONICAL);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it("formats the file a symbolic link points to, and the link stays a link", async () => {
    const real = write("shared/policy.upg", MESSY);
    symlinkSync(real, join(dir, "link.upg"));
    const r = await upgradec(["fmt", "link.upg"]);
    expect(r.exitCode).toBe(0);
    expect(lstatSync(join(dir, "link.upg")).isSymbolicLink()).toBe(true);
    expect(readFileSync(real, "utf8")).toBe(CANONICAL);
    expect(readdirSync(join(dir, "shared"))).toEqual(["policy.upg"]);
  });

  it("leaves a file with syntax errors byte for byte, and reports its errors as compile does (exit 1)", async () => {
    const path = write("broken.upg", BROKEN);
    utimesSync(path, LONG_AGO, LONG_AGO);
    const r = await upgradec(["fmt", "broken.upg"]);
    expect(r.exitCode).toBe(1);
    expect(readFileSync(path, "utf8")).toBe(BROKEN);
    expect(statSync(path).mtime.getTime()).toBe(LONG_AGO.getTime());
    const compiled = await upgradec(["compile", "broken.upg"]);
    expect(compiled.exitCode).toBe(1);
    expect(r.stderr).toBe(compiled.stderr);
    expect(r.stderr).toContain("broken.upg:2:5 - error UPG0103");
    expect(r.stdout).toBe("");
  });

  it("formats the other files when one has errors, and still exits 1", async () => {
    const good = write("good.upg", MESSY);
    write("broken.upg", BROKEN);
    const r = await upgradec(["fmt", "broken.upg", "good.upg"]);
    expect(r.exitCode).toBe(1);
    expect(readFileSync(good, "utf8")).toBe(CANONICAL);
    expect(r.stdout).toBe("good.upg\n");
  });

  it("formats every .upg file under a directory", async () => {
    const a = write("policy/a.upg", MESSY);
    const b = write("policy/site/b.upg", MESSY);
    const other = write("policy/notes.txt", MESSY);
    const r = await upgradec(["fmt", "policy"]);
    expect(r.exitCode).toBe(0);
    expect(readFileSync(a, "utf8")).toBe(CANONICAL);
    expect(readFileSync(b, "utf8")).toBe(CANONICAL);
    expect(readFileSync(other, "utf8")).toBe(MESSY);
    expect(r.stdout).toBe("policy/a.upg\npolicy/site/b.upg\n");
  });

  it("reports a file that does not exist as compile does (exit 1)", async () => {
    const r = await upgradec(["fmt", "missing.upg"]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("UPG0002");
    expect(r.stderr).toContain("missing.upg");
  });
});

describe("upgradec fmt --check", () => {
  it("lists the files that would change and exits 1, changing nothing", async () => {
    const messy = write("messy.upg", MESSY);
    const tidy = write("tidy.upg", CANONICAL);
    utimesSync(messy, LONG_AGO, LONG_AGO);
    const r = await upgradec(["fmt", "--check", "messy.upg", "tidy.upg"]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe("messy.upg\n");
    expect(readFileSync(messy, "utf8")).toBe(MESSY);
    expect(readFileSync(tidy, "utf8")).toBe(CANONICAL);
    expect(statSync(messy).mtime.getTime()).toBe(LONG_AGO.getTime());
  });

  it("exits 0 and prints nothing when every file is formatted", async () => {
    write("tidy.upg", CANONICAL);
    const r = await upgradec(["fmt", "--check", "tidy.upg"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("");
  });

  it("passes on the examples and the standard library (CI keeps them formatted)", async () => {
    const r = await execa("node", [bin, "fmt", "--check", "examples", "src/stdlib"], { cwd: root, reject: false, env: { NO_COLOR: "1" } });
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
  });
});

describe("upgradec fmt --diff", () => {
  it("prints a unified diff of what would change, and changes nothing", async () => {
    const path = write("cloud.upg", 'use  openstack\nwindow w { days mon   from 01:00 to 02:00 zone "UTC" }\n');
    const r = await upgradec(["fmt", "--diff", "cloud.upg"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(
      "--- cloud.upg\n+++ cloud.upg\n@@ -1,2 +1,2 @@\n-use  openstack\n-window w { days mon   from 01:00 to 02:00 zone \"UTC\" }\n+use openstack\n+window w { days mon  from 01:00 to 02:00  zone \"UTC\" }\n",
    );
    expect(readFileSync(path, "utf8")).toContain("use  openstack");
  });

  it("with --check, also exits 1", async () => {
    write("cloud.upg", "use  openstack\n");
    const r = await upgradec(["fmt", "--diff", "--check", "cloud.upg"]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain("+use openstack\n");
  });
});

describe("upgradec fmt -", () => {
  it("formats standard input to standard output", async () => {
    const r = await upgradec(["fmt", "-"], MESSY);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(CANONICAL);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("prints nothing to standard output for input with errors, and the errors on standard error (exit 1)", async () => {
    const r = await upgradec(["fmt", "-"], BROKEN);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("<stdin>:2:5 - error UPG0103");
  });

  it("--check - exits 1 for unformatted input", async () => {
    const r = await upgradec(["fmt", "--check", "-"], MESSY);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe("<stdin>\n");
  });
});

describe("upgradec fmt --help", () => {
  it("documents the modes with examples", async () => {
    const r = await upgradec(["fmt", "--help"]);
    expect(r.exitCode).toBe(0);
    for (const text of ["--check", "--diff", "upgradec fmt - <", "Examples:", "left as it is"]) expect(r.stdout).toContain(text);
  });
});
