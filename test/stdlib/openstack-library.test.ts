/**
 * The standard library itself (src/stdlib/openstack.upg), checked as a library: it parses
 * cleanly, every placeholder in every command resolves under each deployment method (a typo
 * would otherwise surface only at run time, on a production host), every template cites the
 * upstream page it follows, and the commands are the ones upstream documents.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "../../src/parser/parse.js";
import type { Action, ActionOptions, Command, MethodDecl, ServiceDecl, SourceFile, VarDecl } from "../../src/parser/ast.js";

const path = join(import.meta.dirname, "..", "..", "src", "stdlib", "openstack.upg");
const text = readFileSync(path, "utf8");
const parsed = parse(text, "<stdlib>/openstack.upg");
const file: SourceFile = parsed.value;

const templates = new Map(
  file.declarations.filter((d): d is ServiceDecl => d.type === "service" && d.isTemplate).map((t) => [t.name.text, t]),
);
const methods = new Map(file.declarations.filter((d): d is MethodDecl => d.type === "method").map((m) => [m.name.text, m]));

/** Placeholders every command may use without a var: see src/runtime/command-line.ts. */
const BUILTIN = new Set(["host", "from", "to", "service", "inventory"]);
/** The service methods every OpenStack template must work with. */
const SERVICE_METHODS = ["apt", "kolla-ansible", "openstack-ansible"];

function chain(t: ServiceDecl): ServiceDecl[] {
  const out: ServiceDecl[] = [t];
  let parent = t.extends ? templates.get(t.extends.text) : undefined;
  while (parent) {
    out.push(parent);
    parent = parent.extends ? templates.get(parent.extends.text) : undefined;
  }
  return out;
}

function varsOf(decls: readonly VarDecl[]): Map<string, readonly string[]> {
  return new Map(decls.map((v) => [v.name.text, "items" in v.value ? v.value.items.map((i) => i.value) : [v.value.value]]));
}

function commandStrings(c: Command | undefined): string[] {
  if (!c) return [];
  if (c.kind === "argv") return c.argv.map((a) => a.value);
  if (c.kind === "shell") return [c.script.value];
  return [];
}

function actionStrings(a: Action | undefined): string[] {
  if (!a) return [];
  const o: ActionOptions = a.options;
  const undo = o.undo && o.undo.kind !== "irreversible" ? commandStrings(o.undo) : [];
  return [...commandStrings(a.command), ...commandStrings(o.done), ...undo, ...o.env.map((e) => e.value.value)];
}

function serviceStrings(s: ServiceDecl): string[] {
  return [
    ...s.actions.flatMap((a) => actionStrings(a.action)),
    ...actionStrings(s.health?.action),
    ...actionStrings(s.maintenance?.enter),
    ...actionStrings(s.maintenance?.exit),
    // `{concurrency}` and `{timeout}` are the evacuation's own, in its `run` only.
    ...actionStrings(s.evacuate?.run).map((a) => a.replace(/\{(concurrency|timeout)\}/g, "")),
    ...actionStrings(s.reboot?.action),
  ];
}

function placeholders(strings: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const s of strings) for (const m of s.matchAll(/\{([A-Za-z_][A-Za-z0-9_.-]*)\}/g)) out.add(m[1] as string);
  return out;
}

describe("src/stdlib/openstack.upg", () => {
  it("parses with no diagnostics", () => {
    expect(parsed.diagnostics).toEqual([]);
    expect(templates.size).toBeGreaterThan(25);
  });

  it("has a template for every service of the issue", () => {
    const wanted = [
      "mariadb", "rabbitmq", "load-balancer", "keystone", "glance-api", "placement-api",
      "nova-api", "nova-conductor", "nova-scheduler", "nova-novncproxy", "nova-compute",
      "neutron-server", "neutron-l3-agent", "neutron-dhcp-agent", "neutron-metadata-agent",
      "neutron-openvswitch-agent", "ovn-controller", "neutron-ovn-metadata-agent",
      "cinder-api", "cinder-scheduler", "cinder-volume", "cinder-backup", "heat-api", "heat-engine",
      "horizon", "swift-proxy", "swift-storage", "ceilometer-agent-notification", "ceilometer-polling",
    ];
    for (const name of wanted) expect([...templates.keys()]).toContain(name);
    for (const name of ["apt", "kolla-ansible", "openstack-ansible", "host-packages"]) expect([...methods.keys()]).toContain(name);
  });

  it("resolves every placeholder of every OpenStack template under each service method", () => {
    const serviceTemplates = [...templates.values()].filter((t) => chain(t).some((c) => c.vars.some((v) => v.name.text === "packages")));
    expect(serviceTemplates.length).toBeGreaterThan(25);
    for (const methodName of SERVICE_METHODS) {
      const method = methods.get(methodName) as MethodDecl;
      const methodVars = varsOf(method.vars);
      for (const t of serviceTemplates) {
        const vars = new Map([...methodVars, ...chain(t).reverse().flatMap((c) => [...varsOf(c.vars)])]);
        const used = placeholders([...chain(t).flatMap(serviceStrings), ...method.actions.flatMap((a) => actionStrings(a.action))]);
        // A method var's items may hold placeholders too (`{host}` in `on-host`): one level.
        for (const name of [...used]) for (const p of placeholders(vars.get(name) ?? [])) used.add(p);
        for (const name of used) {
          expect(BUILTIN.has(name) || vars.has(name), `${t.name.text} under ${methodName}: {${name}} is not defined`).toBe(true);
        }
      }
    }
  });

  it("resolves the host-level template under host-packages once the service names its packages", () => {
    const t = templates.get("compute-host") as ServiceDecl;
    const method = methods.get("host-packages") as MethodDecl;
    const vars = new Map([...varsOf(method.vars), ["packages", ["linux-image-amd64"]] as const]);
    const used = placeholders([...serviceStrings(t), ...method.actions.flatMap((a) => actionStrings(a.action))]);
    for (const name of [...used]) for (const p of placeholders(vars.get(name) ?? [])) used.add(p);
    for (const name of used) expect(BUILTIN.has(name) || vars.has(name), `{${name}}`).toBe(true);
  });

  it("cites an upstream page in the comment above every OpenStack template", () => {
    const lines = text.split("\n");
    for (const t of templates.values()) {
      if (["load-balancer", "heat-api", "cinder-volume", "cinder-backup", "cinder-api", "nova-scheduler", "nova-novncproxy", "nova-api", "nova-compute", "neutron-l3-agent", "neutron-dhcp-agent", "neutron-metadata-agent", "neutron-ovn-metadata-agent", "swift-proxy", "ceilometer-polling"].includes(t.name.text)) continue;
      const line = text.slice(0, t.span.start).split("\n").length - 1;
      let i = line - 1;
      const comment: string[] = [];
      while (i >= 0 && (lines[i] ?? "").startsWith("#")) comment.push(lines[i--] ?? "");
      expect(comment.join("\n"), `${t.name.text} has no upstream link above it`).toMatch(/https:\/\//);
    }
  });

  it("gates on <project>-status upgrade check, unwrapped, so its exit code reaches upgradec unchanged", () => {
    const status = ["keystone", "placement-api", "glance-api", "cinder-scheduler", "nova-conductor", "neutron-server", "heat-engine", "ceilometer-agent-notification"];
    for (const name of status) {
      const precheck = templates.get(name)?.actions.find((a) => a.kind === "precheck");
      const project = name.split("-")[0] ?? name;
      expect(commandStrings(precheck?.action.command), name).toEqual(["{in-service}", `${project}-status`, "upgrade", "check"]);
    }
  });

  it("uses the documented schema commands", () => {
    const joinedOf = (service: string, kind: string): string =>
      commandStrings(templates.get(service)?.actions.find((a) => a.kind === kind)?.action.command).join(" ");
    expect(joinedOf("keystone", "expand")).toContain("keystone-manage db_sync --expand");
    expect(joinedOf("keystone", "contract")).toContain("keystone-manage db_sync --contract");
    expect(joinedOf("glance-api", "expand")).toContain("glance-manage db expand && glance-manage db migrate");
    expect(joinedOf("glance-api", "contract")).toContain("glance-manage db contract");
    expect(joinedOf("neutron-server", "expand")).toContain("neutron-db-manage upgrade --expand");
    expect(joinedOf("neutron-server", "contract")).toContain("neutron-db-manage upgrade --contract");
    expect(joinedOf("nova-conductor", "expand")).toContain("nova-manage api_db sync && nova-manage db sync");
    expect(joinedOf("nova-conductor", "migrate")).toContain("nova-manage db online_data_migrations --max-count 1000");
    expect(joinedOf("cinder-scheduler", "expand")).toContain("cinder-manage db sync");
    expect(joinedOf("cinder-api", "migrate")).toContain("cinder-manage db online_data_migrations --max_count 1000");
    expect(joinedOf("placement-api", "expand")).toContain("placement-manage db sync");
    expect(joinedOf("heat-engine", "expand")).toContain("heat-manage db_sync");
  });

  it("loops online data migrations on exit 1 only, and in bounded rounds", () => {
    for (const [service, kind] of [["nova-conductor", "migrate"], ["cinder-api", "migrate"], ["placement-api", "migrate"]] as const) {
      const script = commandStrings(templates.get(service)?.actions.find((a) => a.kind === kind)?.action.command).join(" ");
      expect(script, service).toMatch(/while \[ \$i -lt \d+ \]/);
      expect(script, service).toContain("[ $rc -eq 1 ] || exit $rc");
      expect(script, service).toMatch(/done; exit 1$/);
    }
  });

  it("uses keystone's db_sync --check as the done-check of its expand and contract", () => {
    const keystone = templates.get("keystone") as ServiceDecl;
    const expand = keystone.actions.find((a) => a.kind === "expand");
    const contract = keystone.actions.find((a) => a.kind === "contract");
    expect(commandStrings(expand?.action.options.done).join(" ")).toContain("db_sync --check; rc=$?; [ $rc -eq 0 ] || [ $rc -eq 4 ]");
    expect(commandStrings(contract?.action.options.done)).toContain("--check");
    // The contract's way back is decided by the plan's checkpoints, never promised here.
    expect(contract?.action.options.undo).toBeUndefined();
  });

  it("puts computes in maintenance and live-migrates them, and keeps them behind the conductors", () => {
    const host = templates.get("compute-host") as ServiceDecl;
    expect(commandStrings(host.maintenance?.enter?.command).slice(0, 5)).toEqual(["openstack", "compute", "service", "set", "--disable"]);
    expect(commandStrings(host.maintenance?.exit?.command).slice(0, 5)).toEqual(["openstack", "compute", "service", "set", "--enable"]);
    expect(host.evacuate?.strategy.value).toBe("live-migrate");
    expect(commandStrings(host.evacuate?.run?.command).join(" ")).toContain("openstack server migrate --live-migration --wait");
    // The evacuation's concurrency reaches the command; no number is written into it.
    expect(commandStrings(host.evacuate?.run?.command).join(" ")).toContain("xargs -r -n 1 -P {concurrency} openstack");
    const compute = templates.get("nova-compute") as ServiceDecl;
    expect(compute.extends?.text).toBe("compute-host");
    expect(compute.skew.map((s) => [s.kind, s.services.map((n) => n.text)])).toEqual([["never-newer-than", ["nova-conductor"]]]);
    expect(compute.actions.map((a) => a.kind)).toContain("unpin");
    expect(templates.get("nova-conductor")?.actions.map((a) => a.kind)).toEqual(expect.arrayContaining(["pin", "expand", "precheck", "migrate"]));
  });

  it("runs kolla-ansible and openstack-ansible with their documented flags", () => {
    const upgradeOf = (m: string): string[] => commandStrings(methods.get(m)?.actions.find((a) => a.kind === "upgrade")?.action.command);
    expect(upgradeOf("kolla-ansible")).toEqual(["kolla-ansible", "upgrade", "-i", "{inventory}", "--limit", "{host}", "--tags", "{kolla-tag}"]);
    expect(upgradeOf("openstack-ansible")).toEqual(["openstack-ansible", "{osa-playbook}", "--limit", "{host}"]);
    expect(upgradeOf("apt")).toEqual(expect.arrayContaining(["apt-get", "install", "-y", "--only-upgrade", "{packages}"]));
  });

  it("rolls only what upstream documents as rollable, and says so with the planner's tag", () => {
    const tags = (n: string): string[] => (templates.get(n)?.tags ?? []).map((t) => t.name);
    // Asserted upstream (governance projects.yaml): rolled.
    for (const n of ["nova-conductor", "nova-compute", "cinder-volume", "neutron-server", "swift-proxy"]) {
      expect(tags(n), n).toEqual(expect.arrayContaining(["supports-rolling-upgrade", "rolling-upgrade"]));
    }
    // Experimental or unasserted with no documented rolling procedure: all at once.
    for (const n of ["glance-api", "heat-api", "heat-engine", "ceilometer-agent-notification"]) expect(tags(n), n).not.toContain("rolling-upgrade");
  });
});
