import { describe, expect, it } from "vitest";
import { loadProgram } from "../../../src/compiler/load.js";
import type { Model, ModelService } from "../../../src/compiler/model.js";
import { resolve } from "../../../src/compiler/resolve.js";
import type { Diagnostic } from "../../../src/diagnostics/diagnostic.js";
import { sha256 } from "../../../src/plan/digest.js";
import { expandVarValues } from "../../../src/runtime/command-line.js";
import { memoryHost } from "../../inventory/memory-host.js";

const stdlibDir = "/pkg/src/stdlib";

/** A small library in the shape of the real one: a method, a template chain, `after` between templates. */
const LIBRARY = `
method pkg {
  var on-host = ["ssh", "{host}"]
  var in-service = ["ssh", "{host}", "docker", "exec", "{container}"]
  var unit = "{service}"
  var packages = ["{service}"]
  upgrade ["{on-host}", "apt-get", "install", "{packages}"] { takes 5m }
  stop ["{on-host}", "systemctl", "stop", "{unit}"]
}
template base {
  tags rolling-upgrade
  plane data
  var unit = "base"
  rolling { batch 1, 5%, 10%  max-unavailable 10%  pause 2m  order empty-first }
  start ["{on-host}", "systemctl", "start", "{unit}"]
}
template conductor { tags rolling-upgrade  var packages = ["conductor"]  var container = "c"  precheck ["{in-service}", "status"] }
template compute extends base {
  after conductor, not-planned-here
  skew never-newer-than conductor
  var packages = ["compute"]
  var unit = "compute"
}
`;

const INVENTORY = [
  "[ctl]",
  "ctl[1:3]",
  "[compute]",
  ...Array.from({ length: 40 }, (_, i) => `cmp${String(i + 1).padStart(2, "0")} instances=${40 - i} az=az${(i % 2) + 1}`),
].join("\n");

function compile(main: string, extra: Record<string, string> = {}): { model: Model | null; diagnostics: readonly Diagnostic[] } {
  const host = memoryHost({ [`${stdlibDir}/lib.upg`]: LIBRARY, "hosts.ini": INVENTORY, "main.upg": main, ...extra });
  const loaded = loadProgram("main.upg", host, { stdlibDir });
  expect(loaded.diagnostics).toEqual([]);
  const result = resolve(loaded.value, host);
  return { model: result.value, diagnostics: result.diagnostics };
}

const HEAD = 'plan "p" { from "zed" to "2023.1"  deploy lib.pkg }\nuse lib\ninventory "hosts.ini"\n';

function service(model: Model | null, name: string): ModelService {
  const s = model?.services.find((x) => x.name === name);
  if (!s) throw new Error(`no service ${name}`);
  return s;
}

describe("resolve: a service from its method, templates and itself", () => {
  const { model, diagnostics } = compile(
    HEAD +
      `service conductor extends lib.conductor { on ctl }
       service nova-compute extends lib.compute {
         on compute
         var unit = "nova-compute"
         rolling { max-unavailable 2 per az }
         upgrade ["{on-host}", "apt-get", "install", "-y", "{packages}"]
       }`,
  );
  const compute = service(model, "nova-compute");

  it("has no findings", () => {
    expect(diagnostics).toEqual([]);
  });

  it("merges vars by name and actions by kind, the nearest layer winning", () => {
    expect(compute.vars["unit"]).toBe("nova-compute");
    expect(compute.vars["packages"]).toEqual(["compute"]);
    expect(compute.vars["on-host"]).toEqual(["ssh", "{host}"]);
    expect(service(model, "conductor").vars["unit"]).toBe("{service}");
    expect(compute.actions.upgrade?.spec.command).toEqual({ kind: "argv", argv: ["{on-host}", "apt-get", "install", "-y", "{packages}"] });
    // From the method, untouched by the chain.
    expect(compute.actions.stop?.spec.command).toEqual({ kind: "argv", argv: ["{on-host}", "systemctl", "stop", "{unit}"] });
    expect(compute.actions.start).toBeDefined();
    expect(compute.plane).toBe("data");
    expect(compute.extends).toBe("lib.compute");
  });

  it("merges rolling option by option and turns shares into host counts (round down, at least 1)", () => {
    expect(compute.rolling.rolling).toBe(true);
    // The ramp's shares as counts, its last entry repeating, the batches cut to the hosts.
    expect(compute.rolling.batches.slice(0, 3)).toEqual([1, 2, 4]);
    expect(compute.rolling.batches.reduce((a, b) => a + b, 0)).toBe(compute.hosts.length);
    expect(compute.rolling.continuous).toBe(false);
    expect(compute.rolling.maxUnavailable).toBe(4);
    expect(compute.rolling.domain).toBe("az");
    expect(compute.rolling.maxUnavailablePerDomain).toBe(2);
    expect(compute.rolling.pause).toBe(120);
  });

  it("orders the rollout empty-first by the instances host var", () => {
    expect(compute.hosts.slice(0, 3)).toEqual(["cmp40", "cmp39", "cmp38"]);
    expect(compute.hosts).toHaveLength(40);
  });

  it("links a template's `after` to the services extending the named template, dropping what is not planned", () => {
    expect(compute.after).toEqual(["conductor"]);
    expect(compute.skew).toEqual([expect.objectContaining({ kind: "never-newer-than", services: ["conductor"] })]);
  });

  it("plans only the hosts services use, in inventory order, and fingerprints every file read", () => {
    expect(model?.hosts.map((h) => h.name).slice(0, 4)).toEqual(["ctl1", "ctl2", "ctl3", "cmp01"]);
    expect(model?.hosts).toHaveLength(43);
    expect(model?.sources.map((s) => [s.path, s.kind])).toEqual([
      ["main.upg", "upg"],
      ["<stdlib>/lib.upg", "upg"],
      ["hosts.ini", "inventory"],
    ]);
    expect(model?.sources[1]?.sha256).toBe(sha256(LIBRARY));
  });
});

describe("resolve: names", () => {
  it("finds an operator's service in `after` by a template it extends under another name", () => {
    const { model, diagnostics } = compile(HEAD + "service conductors extends lib.conductor { on ctl }\nservice c extends lib.compute { on compute }");
    expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(service(model, "c").after).toEqual(["conductors"]);
  });

  it("reports an unknown `after` written in the service itself, with a suggestion", () => {
    const { diagnostics } = compile(HEAD + "service conductor extends lib.conductor { on ctl }\nservice api { on ctl  after condutor  upgrade [\"true\"] }");
    expect(diagnostics.map((d) => [d.code, d.help])).toContainEqual(["UPG0400", "did you mean `conductor`?"]);
  });

  it("resolves host sets through groups, ranges and other sets", () => {
    const { model, diagnostics } = compile(HEAD + "hosts canary = cmp[01-02]\nhosts first = canary, ctl1\nservice s { on first  tags rolling-upgrade  upgrade [\"true\"] }");
    expect(diagnostics).toEqual([]);
    expect(service(model, "s").hosts).toEqual(["ctl1", "cmp01", "cmp02"]);
  });

  it("reports a placeholder set on only some hosts, naming them", () => {
    const { diagnostics } = compile(HEAD + 'service s { on ctl1, cmp01  upgrade ["echo", "{az}"] }');
    const d = diagnostics.find((x) => x.code === "UPG0229");
    expect(d?.message).toContain("has no value on 1 of the 2 hosts");
    expect(d?.notes?.[0]).toContain("ctl1");
  });

  it("follows vars built from other vars", () => {
    const { diagnostics } = compile(HEAD + 'service s { on ctl  precheck ["{in-service}", "status"] }');
    expect(diagnostics.map((d) => d.message)).toContain("unknown placeholder {container}");
  });
});

describe("expandVarValues (the runtime's side of vars built from vars)", () => {
  it("substitutes inside items and splices list vars", () => {
    const vars = expandVarValues({ host: "cmp1", container: "nova_compute", "in-service": ["ssh", "{host}", "docker", "exec", "{container}"], cmd: ["{in-service}", "x"] });
    expect(vars["in-service"]).toEqual(["ssh", "cmp1", "docker", "exec", "nova_compute"]);
    expect(vars["cmd"]).toEqual(["ssh", "cmp1", "docker", "exec", "nova_compute", "x"]);
    expect(vars["host"]).toBe("cmp1");
  });

  it("leaves an unknown name as written and does not loop on a var naming itself", () => {
    expect(expandVarValues({ a: "{b}", self: "x{self}" })).toEqual({ a: "{b}", self: "x{self}" });
  });
});
