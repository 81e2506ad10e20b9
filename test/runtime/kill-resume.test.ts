import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { PlanFile } from "../../src/plan/plan.js";
import { currentPointerPath, interrupted, journalOf, readStepLog, spawnCli } from "./harness.js";
import { argv, host, makePlan, rollingSteps, writePlan } from "../support/plan-builder.js";
import { tempDir } from "../support/temp-dir.js";

/** 42 steps over three services, batches and caps; each appends "B step host" and "E step host" to `log`. */
function workPlan(dir: string, sleep: string): PlanFile {
  const log = join(dir, "log");
  const { steps, services } = rollingSteps(
    [
      { name: "api", hosts: ["a1", "a2", "a3"], batches: [1, 2], maxUnavailable: 2 },
      { name: "cmp", hosts: ["c1", "c2", "c3", "c4", "c5", "c6"], batches: [1, 2, 3], maxUnavailable: 2, domain: "az", maxUnavailablePerDomain: 1, after: ["api"] },
      { name: "net", hosts: ["n1", "n2", "n3"], batches: [1, 2], maxUnavailable: 1, after: ["api"] },
    ],
    (id, h) => argv(["sh", "-c", `echo "B $0 $1 $(date +%s%N)" >> "$2"; sleep ${sleep}; echo "E $0 $1 $(date +%s%N)" >> "$2"`, id, h ?? "-", log]),
  );
  const hosts = [
    ...["a1", "a2", "a3", "n1", "n2", "n3"].map((h) => host(h)),
    ...["c1", "c2", "c3", "c4", "c5", "c6"].map((h, i) => host(h, { az: i % 2 === 0 ? "az1" : "az2" })),
  ];
  return makePlan({ dir, hosts, services, steps, parallelism: 4 });
}

describe("kill -9 and resume (real processes)", () => {
  // 50 s on an idle machine; 420 s at a load average of 20 on 2 cores, and more at 30.
  it("runs every step, in an order the graph allows, twice only when interrupted mid-run", { timeout: 900_000 }, async () => {
    let killedMidRun = 0;
    let interruptedSeen = 0;
    for (let trial = 0; trial < 20; trial++) {
      const dir = tempDir();
      const plan = workPlan(dir, "0.0" + String(1 + (trial % 4)));
      writePlan(dir, plan);
      const child = spawnCli(["run", "plan.json", "--skip-checks"], dir);
      // The kill lands after the k-th command began (k random in 1..20 of some 30: mid-run
      // whatever the machine's speed), or at once in every fifth trial.
      let finished = false;
      void child.finally(() => (finished = true)).catch(() => undefined);
      const k = 1 + Math.floor(Math.random() * 20);
      const began = Date.now();
      while (trial % 5 !== 0 && !finished && readStepLog(dir).filter((l) => l.kind === "B").length < k && Date.now() - began < 60_000) await new Promise((r) => setTimeout(r, 10));
      child.kill("SIGKILL");
      const first = await child;
      const allowedTwice = new Set<string>();
      if (first.signal === "SIGKILL") {
        if (existsSync(currentPointerPath(dir))) for (const id of interrupted(journalOf(dir))) allowedTwice.add(id);
        interruptedSeen += allowedTwice.size;
        killedMidRun += 1;
        let code: number | undefined;
        for (let attempt = 0; attempt < 3 && code !== 0; attempt++) {
          // Killed before its first record was durable: no pointer names the run, so it starts afresh.
          const hasRun = existsSync(currentPointerPath(dir));
          const next = await spawnCli(hasRun ? ["resume", "plan.json"] : ["run", "plan.json", "--skip-checks"], dir);
          code = next.exitCode;
          if (code !== 0) throw new Error(`trial ${trial} (${dir}): ${hasRun ? "resume" : "run"} exited ${code}: ${next.stderr}`);
        }
      } else {
        expect(first.exitCode, first.stderr).toBe(0);
      }
      // No sleep for orphans: the resume waited for the killed runner's commands before it began.
      const lines = readStepLog(dir);
      const begins = new Map<string, number>();
      for (const l of lines) if (l.kind === "B") begins.set(l.step, (begins.get(l.step) ?? 0) + 1);
      for (const step of plan.steps) {
        const n = begins.get(step.id) ?? 0;
        expect(n, `trial ${trial} (${dir}): ${step.id} ran ${n} times`).toBeGreaterThanOrEqual(1);
        if (!allowedTwice.has(step.id)) expect(n, `trial ${trial} (${dir}): ${step.id} ran ${n} times but was not interrupted`).toBe(1);
        else expect(n).toBeLessThanOrEqual(2);
      }
      // Each start comes after an end of every step it depends on.
      lines.forEach((l, i) => {
        if (l.kind !== "B") return;
        const step = plan.steps.find((s) => s.id === l.step);
        for (const dep of step?.after ?? []) {
          const ended = lines.slice(0, i).some((x) => x.kind === "E" && x.step === dep);
          expect(ended, `trial ${trial} (${dir}): ${l.step} began before ${dep} ended`).toBe(true);
        }
      });
      const journal = journalOf(dir);
      expect(journal.at(-1)?.type).toBe("run-finished");
    }
    expect(killedMidRun).toBeGreaterThanOrEqual(10);
    // The kills did land mid-step, so the at-least-once path was exercised.
    expect(interruptedSeen).toBeGreaterThan(0);
  });
});

describe("caps at run time (real processes)", () => {
  it("never has more hosts of a service out of service than its cap, globally and per failure domain", { timeout: 120_000 }, async () => {
    const dir = tempDir();
    const plan = workPlan(dir, "0.1");
    writePlan(dir, plan);
    const result = await spawnCli(["run", "plan.json", "--skip-checks"], dir);
    expect(result.exitCode, result.stderr).toBe(0);
    const lines = readStepLog(dir);
    // A host is out from the first begin to the last end of its chain (service, host, batch).
    const chains = new Map<string, { service: string; host: string; from: bigint; to: bigint }>();
    for (const l of lines) {
      const step = plan.steps.find((s) => s.id === l.step);
      if (!step || step.unavailable.length === 0 || step.service === null) continue;
      const key = `${step.service}|${l.host}|${step.batch}`;
      const c = chains.get(key) ?? { service: step.service, host: l.host, from: l.at, to: l.at };
      chains.set(key, { ...c, from: l.at < c.from ? l.at : c.from, to: l.at > c.to ? l.at : c.to });
    }
    const azOf = new Map(plan.hosts.map((h) => [h.name, String(h.vars["az"] ?? "-")]));
    for (const service of plan.services) {
      const mine = [...chains.values()].filter((c) => c.service === service.name);
      let peak = 0;
      for (const c of mine) {
        // At the instant c begins, who else is out?
        const out = mine.filter((o) => o.from <= c.from && o.to >= c.from);
        peak = Math.max(peak, out.length);
        expect(out.length, `${service.name}: ${out.map((o) => o.host).join(",")} out at once`).toBeLessThanOrEqual(service.rolling.maxUnavailable);
        if (service.rolling.maxUnavailablePerDomain !== null) {
          const sameDomain = out.filter((o) => azOf.get(o.host) === azOf.get(c.host));
          expect(sameDomain.length, `${service.name}: ${sameDomain.map((o) => o.host).join(",")} out at once in ${azOf.get(c.host)}`).toBeLessThanOrEqual(
            service.rolling.maxUnavailablePerDomain,
          );
        }
      }
      // The run used the room it had: the cap was reached, not just respected by going one at a time.
      expect(peak, service.name).toBe(service.rolling.maxUnavailable);
    }
  });
});
