/**
 * The library's order holds through services the operator does not plan: `after` is followed
 * through a library template no planned service extends (the transitive closure), so a plan
 * without cinder-scheduler still upgrades cinder-volume after keystone and glance-api, as the
 * library orders cinder-scheduler. Asserted on the compiled plan (its services' `after`, the
 * steps' estimates) and on the preview's note of the bridged links.
 */
import fc from "fast-check";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compileFile, type CompileResult } from "../../src/compiler/compile.js";
import { nodeLoadHost } from "../../src/files/node-host.js";
import type { ServiceDecl } from "../../src/parser/ast.js";
import { parse } from "../../src/parser/parse.js";
import type { PlanFile, PlanStep } from "../../src/plan/plan.js";
import { renderText } from "../../src/preview/text.js";

const dirs: string[] = [];

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function compile(services: string): CompileResult {
  const dir = mkdtempSync(join(tmpdir(), "upgradec-order-"));
  dirs.push(dir);
  writeFileSync(join(dir, "inventory.ini"), "[control]\nctl1\nctl2\n");
  writeFileSync(
    join(dir, "plan.upg"),
    `plan "p" {
  kind upgrade
  from "zed" to "2023.1"
  deploy openstack.kolla-ansible
  start 2026-12-05T22:00 "Europe/Berlin"
}
use openstack
inventory "inventory.ini"
${services}
`,
  );
  return compileFile("plan.upg", nodeLoadHost(dir), { now: new Date("2026-12-01T12:00:00Z"), compilerVersion: "0.0.0-test" });
}

function planOf(r: CompileResult): PlanFile {
  const errors = r.diagnostics.filter((d) => d.severity === "error");
  expect(errors, errors.map((d) => d.message).join("\n")).toEqual([]);
  if (!r.plan) throw new Error("no plan");
  return r.plan;
}

/** When the service's first rollout step starts, and when its last ends (seconds from the plan's start). */
function rolloutSpan(plan: PlanFile, service: string): { start: number; end: number } {
  const steps = plan.steps.filter((s: PlanStep) => s.service === service && s.phase === "rollout");
  expect(steps.length, service).toBeGreaterThan(0);
  return {
    start: Math.min(...steps.map((s) => s.estimate.start)),
    end: Math.max(...steps.map((s) => s.estimate.start + s.estimate.duration)),
  };
}

const CLOUD = `service mariadb extends openstack.mariadb { on control }
service keystone extends openstack.keystone { on control }
service glance-api extends openstack.glance-api { on control  tags downtime-accepted }
service cinder-volume extends openstack.cinder-volume { on control }`;

describe("order through a library service the plan does not include", () => {
  it("puts cinder-volume after keystone and glance-api when cinder-scheduler is not planned", () => {
    const plan = planOf(compile(CLOUD));
    const volume = plan.services.find((s) => s.name === "cinder-volume");
    expect(volume?.after).toEqual(expect.arrayContaining(["keystone", "glance-api"]));
    expect(volume?.bridged).toEqual(expect.arrayContaining([{ after: "glance-api", through: ["openstack.cinder-scheduler"] }]));
    const cinder = rolloutSpan(plan, "cinder-volume");
    expect(cinder.start).toBeGreaterThanOrEqual(rolloutSpan(plan, "keystone").end);
    expect(cinder.start).toBeGreaterThanOrEqual(rolloutSpan(plan, "glance-api").end);
  });

  it("says in the preview which links it bridged", () => {
    const plan = planOf(compile(CLOUD));
    const text = renderText(plan, { color: false });
    expect(text).toMatch(/cinder-volume after .*glance-api.*through openstack\.cinder-scheduler/);
  });

  it("follows a chain of several unplanned services (cinder-api through cinder-backup, cinder-volume, cinder-scheduler)", () => {
    const plan = planOf(
      compile(`service keystone extends openstack.keystone { on control }
service cinder-api extends openstack.cinder-api { on control }`),
    );
    const api = plan.services.find((s) => s.name === "cinder-api");
    expect(api?.after).toEqual(["keystone"]);
    expect(rolloutSpan(plan, "cinder-api").start).toBeGreaterThanOrEqual(rolloutSpan(plan, "keystone").end);
  });

  it("changes nothing when every service in between is planned", () => {
    const plan = planOf(compile(`${CLOUD}\nservice cinder-scheduler extends openstack.cinder-scheduler { on control }`));
    const volume = plan.services.find((s) => s.name === "cinder-volume");
    expect(volume?.after).toEqual(["cinder-scheduler"]);
    expect(volume?.bridged).toBeUndefined();
  });
});

/** Every OpenStack template of the library with the templates it comes after (its `extends` chain's too), as written. */
function libraryAfter(): Map<string, string[]> {
  const text = readFileSync(join(import.meta.dirname, "..", "..", "src", "stdlib", "openstack.upg"), "utf8");
  const file = parse(text, "<stdlib>/openstack.upg").value;
  const templates = new Map(file.declarations.filter((d): d is ServiceDecl => d.type === "service" && d.isTemplate).map((t) => [t.name.text, t]));
  const chainAfter = (t: ServiceDecl): string[] => [...t.after.map((n) => n.text), ...(t.extends ? chainAfter(templates.get(t.extends.text) as ServiceDecl) : [])];
  const out = new Map<string, string[]>();
  for (const [name, t] of templates) if (t.vars.some((v) => v.name.text === "kolla-tag")) out.set(name, chainAfter(t));
  return out;
}

/** What `name` comes after in the library, through any number of links. */
function closure(after: ReadonlyMap<string, readonly string[]>, name: string): Set<string> {
  const seen = new Set<string>();
  const stack = [...(after.get(name) ?? [])];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    if (seen.has(next)) continue;
    seen.add(next);
    stack.push(...(after.get(next) ?? []));
  }
  return seen;
}

describe("order through unplanned services, for any choice of library services", () => {
  const after = libraryAfter();
  const names = [...after.keys()];

  it("keeps every planned pair in the library's order, however many services between them are left out", () => {
    fc.assert(
      fc.property(fc.subarray(names, { minLength: 2, maxLength: 8 }), (chosen) => {
        const services = chosen.map((n) => `service ${n} extends openstack.${n} { on control  tags downtime-accepted }`).join("\n");
        const plan = planOf(compile(services));
        for (const b of chosen) {
          const before = closure(after, b);
          for (const a of chosen) {
            if (a === b || !before.has(a)) continue;
            expect(rolloutSpan(plan, b).start, `${b} after ${a}`).toBeGreaterThanOrEqual(rolloutSpan(plan, a).end);
          }
        }
      }),
      { numRuns: 12 },
    );
  });
});
