import { describe, expect, it } from "vitest";
import { checkModel } from "../../../src/compiler/validate/check-model.js";
import type { Model, ModelService } from "../../../src/compiler/model.js";
import type { Program } from "../../../src/compiler/program.js";
import type { Diagnostic, Span } from "../../../src/diagnostics/diagnostic.js";
import { expectWellFormed } from "../../diagnostics/well-formed.js";
import { action, checkpoint, computeService, host, model, names, rolling, service, window } from "../model-builder.js";

const PROGRAM: Program = { entry: "cloud.upg", files: [], inventory: null };

function at(start: number): Span {
  return { file: "cloud.upg", start, end: start + 1 };
}

/** All diagnostics, each checked against the registry. */
function check(m: Model): Diagnostic[] {
  const found = checkModel(m, PROGRAM);
  for (const d of found) expectWellFormed(d);
  return found;
}

function only(m: Model, code: string): Diagnostic[] {
  return check(m).filter((d) => d.code === code);
}

function one(m: Model, code: string): Diagnostic {
  const found = only(m, code);
  expect(found, `exactly one ${code}`).toHaveLength(1);
  return found[0] as Diagnostic;
}

/** A small cloud that passes every check. */
function openstack(overrides: Partial<Model> = {}): Model {
  const ctl = ["ctl1", "ctl2", "ctl3"];
  return model({
    services: [
      service("keystone", { hosts: ctl, actions: { upgrade: action(["upgrade"]), contract: action(["keystone-manage", "db_sync", "--contract"]) } }),
      service("nova-conductor", { hosts: ctl, after: ["keystone"] }),
      service("nova-api", { hosts: ctl, after: ["nova-conductor"] }),
      computeService("nova-compute", names("cmp", 4), {
        after: ["nova-api"],
        skew: [{ kind: "never-newer-than", services: ["nova-conductor"], span: at(50) }],
      }),
    ],
    checkpoints: [checkpoint("db-backup", "expand")],
    ...overrides,
  });
}

describe("checkModel", () => {
  it("finds nothing in a sound plan", () => {
    expect(check(openstack())).toEqual([]);
  });
});

describe("dependency cycles (UPG0420)", () => {
  it("reports each cycle once, as a path, at its first service", () => {
    const m = model({
      services: [
        service("a", { hosts: ["h1"], after: ["c"], nameSpan: at(10) }),
        service("b", { hosts: ["h1"], after: ["a"], nameSpan: at(20) }),
        service("c", { hosts: ["h1"], after: ["b"], nameSpan: at(30) }),
        service("d", { hosts: ["h1"], after: ["d"], nameSpan: at(40) }),
      ],
    });
    const found = only(m, "UPG0420");
    expect(found.map((d) => d.message)).toEqual(["dependency cycle: a → c → b → a", "dependency cycle: d → d"]);
    const first = found[0] as Diagnostic;
    expect(first.severity).toBe("error");
    expect(first.span).toEqual(at(10));
    expect(first.labels?.map((l) => l.span.start)).toEqual([30, 20]);
  });

  it("is quiet for a chain, and ignores names that are not planned", () => {
    const m = model({ services: [service("a", { hosts: ["h1"], after: ["ghost"] }), service("b", { hosts: ["h1"], after: ["a"] })] });
    expect(only(m, "UPG0420")).toEqual([]);
  });
});

describe("version skew (UPG0421)", () => {
  it("errors when the service is not ordered after the one it names", () => {
    const m = openstack();
    const compute = m.services.find((s) => s.name === "nova-compute") as ModelService;
    const broken = { ...m, services: m.services.map((s) => (s === compute ? { ...s, after: ["keystone"] } : s)) };
    const d = one(broken, "UPG0421");
    expect(d.severity).toBe("error");
    expect(d.message).toContain("never be newer than `nova-conductor`");
    expect(d.span).toEqual(at(50));
    expect(d.help).toBe("add `after nova-conductor` to service nova-compute");
  });

  it("accepts a transitive order and skips services that are not planned", () => {
    const m = model({
      services: [
        service("conductor", { hosts: ["h1"] }),
        service("api", { hosts: ["h1"], after: ["conductor"] }),
        service("compute", { hosts: ["h2"], after: ["api"], skew: [{ kind: "needs-new", services: ["conductor", "placement"], span: at(5) }] }),
      ],
    });
    expect(only(m, "UPG0421")).toEqual([]);
  });
});

describe("placement (UPG0500)", () => {
  it("errors for a service on no host", () => {
    const d = one(model({ services: [service("glance", { hosts: [], nameSpan: at(7) })] }), "UPG0500");
    expect(d.severity).toBe("error");
    expect(d.message).toBe("service `glance` is placed on no host");
    expect(d.span).toEqual(at(7));
  });

  it("is quiet when every service has hosts", () => {
    expect(only(openstack(), "UPG0500")).toEqual([]);
  });
});

describe("rolling policies (UPG0501-UPG0504)", () => {
  const svc = (options: Partial<ModelService["rolling"]>, hosts = names("cmp", 5)): ModelService =>
    service("nova-compute", { hosts, rolling: rolling(options) });

  it("errors for max-unavailable 0", () => {
    const d = one(model({ services: [svc({ maxUnavailable: 0 })] }), "UPG0501");
    expect(d.message).toContain("no host may ever be down");
  });

  it("errors for the first batch larger than max-unavailable", () => {
    const d = one(model({ services: [svc({ batches: [1, 3], maxUnavailable: 2 })] }), "UPG0502");
    expect(d.severity).toBe("error");
    expect(d.message).toContain("batch 2 of `nova-compute` takes 3 hosts down, but max-unavailable is 2");
    expect(d.notes).toContain("resolved batch sizes: 1, 3, 1");
  });

  it("judges batches as they are cut, and skips services that do not roll", () => {
    expect(only(model({ services: [svc({ batches: [1, 5], maxUnavailable: 2 }, names("cmp", 3))] }), "UPG0502")).toEqual([]);
    expect(only(model({ services: [svc({ rolling: false, batches: [5], maxUnavailable: 0 })] }), "UPG0502")).toEqual([]);
    expect(only(model({ services: [svc({ rolling: false, maxUnavailable: 0 })] }), "UPG0501")).toEqual([]);
  });

  const zoned = (azs: (string | undefined)[]): Model["hosts"] => azs.map((az, i) => host(`cmp00${i + 1}`, az === undefined ? {} : { az }));

  it("errors for a batch larger than the per-domain cap across the domains", () => {
    const m = model({
      hosts: zoned(["a", "a", "b", "b"]),
      services: [svc({ batches: [1, 3], maxUnavailable: 3, domain: "az", maxUnavailablePerDomain: 1 }, names("cmp", 4))],
    });
    const d = one(m, "UPG0503");
    expect(d.message).toContain("takes 3 hosts down, but at most 1 per `az` across 2 `az` values allows 2");
  });

  it("accepts batches within the per-domain cap", () => {
    const m = model({
      hosts: zoned(["a", "a", "b", "b"]),
      services: [svc({ batches: [1, 2], maxUnavailable: 3, domain: "az", maxUnavailablePerDomain: 1 }, names("cmp", 4))],
    });
    expect(check(m)).toEqual([]);
  });

  it("errors naming the hosts that lack the domain var", () => {
    const m = model({
      hosts: zoned(["a", undefined, "b", undefined]),
      services: [svc({ batches: [1], domain: "az", maxUnavailablePerDomain: 1 }, names("cmp", 4))],
    });
    const d = one(m, "UPG0504");
    expect(d.severity).toBe("error");
    expect(d.message).toContain("2 of its hosts have no `az` var: cmp002, cmp004");
    expect(only(m, "UPG0503")).toEqual([]);
  });
});

describe("evacuation capacity (UPG0505)", () => {
  const cloud = (capacity: number | string, options: Partial<ModelService> = {}): Model => {
    const hosts = names("cmp", 4).map((h) => host(h, { instances: "10", capacity }));
    const compute = computeService("nova-compute", names("cmp", 4), options);
    const ev = compute.evacuate as NonNullable<ModelService["evacuate"]>;
    return model({ hosts, services: [{ ...compute, evacuate: { ...ev, capacityVar: "capacity" }, ...options }] });
  };

  it("errors at the first batch whose instances do not fit, with the numbers", () => {
    const d = one(cloud(15), "UPG0505");
    expect(d.severity).toBe("error");
    expect(d.message).toBe("evacuating batch 2 of `nova-compute` needs room for 20 instances, but its other hosts have 10 free");
    expect(d.notes?.[0]).toBe("batch 2: cmp002, cmp003");
    expect(d.help).toContain("smaller batches");
  });

  it("treats a service that does not roll as one batch", () => {
    const d = one(cloud(100, { tags: [], rolling: rolling({ rolling: false }) }), "UPG0505");
    expect(d.message).toContain("batch 1 of `nova-compute` needs room for 40 instances, but its other hosts have 0 free");
  });

  it("is quiet when every batch fits, or without a capacity var", () => {
    expect(only(cloud("20"), "UPG0505")).toEqual([]);
    const m = cloud(0);
    const noCapacity = { ...m, services: m.services.map((s) => ({ ...s, evacuate: s.evacuate && { ...s.evacuate, capacityVar: null } })) };
    expect(only(noCapacity, "UPG0505")).toEqual([]);
  });
});

describe("all hosts at once (UPG0506)", () => {
  const memcached = (hosts: string[], tags: string[] = []): ModelService =>
    service("memcached", {
      hosts,
      tags,
      rolling: rolling({ rolling: tags.includes("rolling-upgrade") }),
      actions: { stop: action(["stop"]), upgrade: action(["upgrade"], { takes: 300 }), start: action(["start"]) },
      health: { action: action(["check"]), every: 10, within: 600, healthyFor: 30, onDeadline: "stop" },
    });

  it("warns with the downtime estimated from its per-host actions", () => {
    const d = one(model({ services: [memcached(["ctl1", "ctl2", "ctl3"])] }), "UPG0506");
    expect(d.severity).toBe("warning");
    // stop 30s (default) + upgrade 5m + start 30s (default) + health 3m19s (default), the gate
    // as expansion plans it: whole polls of 10s, so 3m20s.
    expect(d.message).toContain("upgraded on all its 3 hosts at once: about 9m20s of downtime");
    expect(d.notes?.[0]).toBe("per host: stop 30s (default) + upgrade 5m + start 30s (default) + health 3m20s (default)");
  });

  it("counts a health gate no longer than its within", () => {
    const quick = { ...memcached(["ctl1", "ctl2"]), health: { action: action(["check"]), every: 1, within: 8, healthyFor: 1, onDeadline: "stop" as const } };
    const d = one(model({ services: [quick] }), "UPG0506");
    expect(d.notes?.[0]).toBe("per host: stop 30s (default) + upgrade 5m + start 30s (default) + health 8s (default)");
  });

  it("is quiet for one host, or a rolling service", () => {
    expect(only(model({ services: [memcached(["ctl1"])] }), "UPG0506")).toEqual([]);
    expect(only(model({ services: [memcached(["ctl1", "ctl2"], ["rolling-upgrade"])] }), "UPG0506")).toEqual([]);
  });
});

describe("point of no return (UPG0507)", () => {
  it("warns at the contract when no restorable checkpoint stands before it", () => {
    const m = openstack({ checkpoints: [checkpoint("late", "cleanup"), checkpoint("no-restore", "expand", { restore: null })] });
    const contractSpan = at(99);
    const withSpan = {
      ...m,
      services: m.services.map((s) => (s.name === "keystone" ? { ...s, actions: { ...s.actions, contract: action(["contract"], { span: contractSpan }) } } : s)),
    };
    const d = one(withSpan, "UPG0507");
    expect(d.severity).toBe("warning");
    expect(d.message).toBe("point of no return: the `contract` of `keystone` cannot be rolled back");
    // At the service (the operator's own line), the contract as a label.
    expect(d.span).toEqual(m.services.find((s) => s.name === "keystone")?.nameSpan);
    expect(d.labels?.[0]).toEqual({ span: contractSpan, message: "the contract runs this" });
    expect(d.labels?.slice(1).map((l) => l.message)).toEqual(["checkpoint `late` comes after the contract", "checkpoint `no-restore` has no `restore`"]);
    expect(d.help).toContain("checkpoint db-backup before expand");
  });

  it("is quiet with a restorable checkpoint before the contract, or a contract with its own undo", () => {
    expect(only(openstack({ checkpoints: [checkpoint("b", "contract")] }), "UPG0507")).toEqual([]);
    const undoable = model({ services: [service("keystone", { hosts: ["ctl1"], actions: { contract: action(["c"], { undo: action(["u"]).spec }) } })] });
    expect(only(undoable, "UPG0507")).toEqual([]);
  });
});

describe("urgent plans (UPG0508)", () => {
  it("warns once, at the plan, listing the waived windows", () => {
    const m = openstack({ windows: [window("nightly"), window("weekend")] });
    const compute = { ...(m.services[3] as ModelService), reboot: { action: null, window: "nightly", takes: 300 } };
    const urgent = model({ ...m, plan: { ...m.plan, urgent: true, span: at(0) }, services: [...m.services.slice(0, 3), compute] });
    const d = one(urgent, "UPG0508");
    expect(d.severity).toBe("warning");
    expect(d.span).toEqual(at(0));
    expect(d.message).toContain("its 2 windows are waived");
    expect(d.notes).toEqual(["window `nightly` is waived (used by reboots of `nova-compute`)", "window `weekend` is waived"]);
  });

  it("is quiet for an urgent plan with no windows, and for a plan that is not urgent", () => {
    expect(only(model({ ...openstack(), plan: { urgent: true } }), "UPG0508")).toEqual([]);
    expect(only(openstack({ windows: [window("nightly")] }), "UPG0508")).toEqual([]);
  });
});

describe("OpenStack release sequence (UPG0422-UPG0424)", () => {
  const plan = (from: string, to: string, kind: "upgrade" | "update" = "upgrade"): Diagnostic[] =>
    check(model({ plan: { from, to, kind, span: at(0) } })).filter((d) => /^UPG042[234]$/.test(d.code));

  it("accepts the next release and SLURP to SLURP", () => {
    expect(plan("zed", "2023.1")).toEqual([]);
    expect(plan("2023.1", "2024.1")).toEqual([]);
    expect(plan("Caracal", "epoxy")).toEqual([]);
    expect(plan("yoga", "zed")).toEqual([]);
  });

  it("errors for a downgrade", () => {
    const [d] = plan("2024.1", "2023.2");
    expect(d?.code).toBe("UPG0422");
    expect(d?.severity).toBe("error");
    expect(d?.span).toEqual(at(0));
  });

  it("errors for an upgrade to the same release, under either name", () => {
    const [d] = plan("antelope", "2023.1");
    expect(d?.code).toBe("UPG0423");
    expect(d?.severity).toBe("error");
    expect(d?.help).toContain("kind update");
  });

  it("errors for a skip that is not SLURP to SLURP, naming the release to go through", () => {
    const [fromZed] = plan("zed", "2024.1");
    expect(fromZed?.code).toBe("UPG0424");
    expect(fromZed?.message).toContain("OpenStack supports upgrades to the next release, or SLURP to SLURP");
    expect(fromZed?.help).toContain("upgrade to 2023.1 antelope first");
    expect(plan("yoga", "2023.1")[0]?.help).toContain("upgrade to zed first");
    expect(plan("2023.1", "2025.1")[0]?.help).toContain("upgrade to 2024.1 caracal first");
    expect(plan("2023.2", "2024.2")[0]?.help).toContain("upgrade to 2024.1 caracal first");
  });

  it("does not check updates or versions that are not OpenStack releases", () => {
    expect(plan("zed", "zed", "update")).toEqual([]);
    expect(plan("1.0.0", "3.0.0")).toEqual([]);
    expect(plan("zed", "2.0")).toEqual([]);
  });
});

describe("release names and numbers (UPG0425, UPG0426)", () => {
  const versions = (from: string, to: string, kind: "upgrade" | "update" = "upgrade"): Diagnostic[] =>
    check(model({ plan: { from, to, kind, span: at(0) } })).filter((d) => /^UPG042[56]$/.test(d.code));

  it("errors for a release number the sequence does not have, with the nearest one", () => {
    const [d] = versions("2023.2", "2023.3");
    expect(d?.code).toBe("UPG0425");
    expect(d?.severity).toBe("error");
    expect(d?.message).toBe('`to` "2023.3" is not an OpenStack release');
    expect(d?.help).toMatch(/did you mean "2023\.[12]"\?/);
    expect(d?.notes?.[0]).toContain("2023.1 antelope, 2023.2 bobcat");
  });

  it("errors for a misspelt release name, with the name meant, in updates too", () => {
    const [d] = versions("antelop", "bobcat");
    expect(d?.code).toBe("UPG0425");
    expect(d?.help).toBe('did you mean "antelope"?');
    expect(versions("zed", "zedd", "update")[0]?.help).toBe('did you mean "zed"?');
  });

  it("warns for a release later than every one known, and checks nothing else about it", () => {
    const [d] = versions("2026.2", "2027.1");
    expect(d?.code).toBe("UPG0426");
    expect(d?.severity).toBe("warning");
  });

  it("leaves alone versions that are not OpenStack releases", () => {
    expect(versions("1.0.0", "3.0.0")).toEqual([]);
    expect(versions("64", "65", "update")).toEqual([]);
    expect(versions("zed", "2023.1")).toEqual([]);
  });
});

describe("tags (UPG0509)", () => {
  it("warns for an unknown tag, with a suggestion when one is near", () => {
    const m = model({ services: [service("nova-api", { hosts: ["ctl1"], tags: ["rolling-upgrad", "shiny"], nameSpan: at(3) })] });
    const [typo, other] = only(m, "UPG0509");
    expect(typo?.severity).toBe("warning");
    expect(typo?.message).toBe("unknown tag `rolling-upgrad` on service `nova-api`");
    expect(typo?.span).toEqual(at(3));
    expect(typo?.help).toBe("did you mean `rolling-upgrade`?");
    expect(other?.message).toContain("`shiny`");
    expect(other?.notes?.[0]).toContain("supports-zero-impact-upgrade");
  });

  it("is quiet for known tags", () => {
    const tags = ["rolling-upgrade", "zero-downtime", "supports-upgrade", "supports-rolling-upgrade", "supports-accessible-upgrade", "supports-zero-downtime-upgrade", "supports-zero-impact-upgrade"];
    expect(only(model({ services: [service("nova-api", { hosts: ["ctl1"], tags })] }), "UPG0509")).toEqual([]);
  });
});
