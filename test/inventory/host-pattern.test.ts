import { describe, expect, it } from "vitest";
import { expandHostPattern } from "../../src/inventory/host-pattern.js";

function hosts(pattern: string): readonly string[] {
  const r = expandHostPattern(pattern);
  if (!r.ok) throw new Error(r.message);
  return r.hosts;
}

describe("host patterns", () => {
  it("keeps a plain name", () => {
    expect(hosts("ctl01.example.com")).toEqual(["ctl01.example.com"]);
  });

  it("expands a zero-padded numeric range, keeping the padding", () => {
    const all = hosts("cmp[001:240]");
    expect(all).toHaveLength(240);
    expect(all[0]).toBe("cmp001");
    expect(all[9]).toBe("cmp010");
    expect(all[239]).toBe("cmp240");
  });

  it("expands an unpadded range", () => {
    expect(hosts("n[8:11]")).toEqual(["n8", "n9", "n10", "n11"]);
  });

  it("takes an empty lower bound as 0", () => {
    expect(hosts("n[:2]")).toEqual(["n0", "n1", "n2"]);
  });

  it("expands letter ranges", () => {
    expect(hosts("db-[a:f]")).toEqual(["db-a", "db-b", "db-c", "db-d", "db-e", "db-f"]);
  });

  it("expands strides", () => {
    expect(hosts("w[0:10:2]")).toEqual(["w0", "w2", "w4", "w6", "w8", "w10"]);
    expect(hosts("w[01:10:3]")).toEqual(["w01", "w04", "w07", "w10"]);
  });

  it("expands several ranges and a suffix", () => {
    expect(hosts("r[1:2]n[01:02].dc1")).toEqual(["r1n01.dc1", "r1n02.dc1", "r2n01.dc1", "r2n02.dc1"]);
  });

  it("reads a port after the host", () => {
    expect(expandHostPattern("ctl01:2222")).toEqual({ ok: true, hosts: ["ctl01"], port: 2222 });
    expect(expandHostPattern("cmp[01:02]:22")).toEqual({ ok: true, hosts: ["cmp01", "cmp02"], port: 22 });
  });

  it("leaves an IPv6 address alone", () => {
    expect(expandHostPattern("fe80::1")).toEqual({ ok: true, hosts: ["fe80::1"], port: null });
  });

  it.each([
    ["cmp[10:01]", "runs backwards", "[10:01]"],
    ["db[f:a]", "runs backwards", "[f:a]"],
    ["cmp[001:40]", "same width", "[001:40]"],
    ["cmp[1:2:3:4]", "begin:end or begin:end:step", "[1:2:3:4]"],
    ["cmp[1:]", "end value", "[1:]"],
    ["cmp[1:4:0]", "positive integer", "[1:4:0]"],
    ["cmp[1:x9]", "neither numeric nor a letter range", "[1:x9]"],
    ["cmp[1:3", "no closing ']'", "[1:3"],
    ["r[1:2]n[05:01]", "runs backwards", "[05:01]"],
  ])("rejects %s (%s)", (pattern, message, at) => {
    const r = expandHostPattern(pattern);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.message).toContain(message);
    expect(pattern.slice(r.start, r.end)).toBe(at);
  });

  it("rejects a pattern ending in ':'", () => {
    const r = expandHostPattern("ctl01:");
    expect(r.ok).toBe(false);
  });

  it("refuses a range of more than a million hosts", () => {
    const r = expandHostPattern("h[0:99999999]");
    expect(r.ok).toBe(false);
  });
});
