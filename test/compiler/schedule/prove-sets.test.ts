/**
 * The independent proof of the host-set caps over a compiled plan's schedule (UPG0522): it
 * fails a schedule that takes two hosts of one set out at once beyond the set's cap, and
 * passes one that keeps them apart.
 */
import { describe, expect, it } from "vitest";
import { proveHostSets } from "../../../src/compiler/schedule/prove-sets.js";
import type { PlanFile } from "../../../src/plan/plan.js";
import { argv, host, makePlan, rolling, service, step } from "../../support/plan-builder.js";
import { tempDir } from "../../support/temp-dir.js";

/** Two hosts of anti-affinity group `ha` (cap 1), each upgraded at `starts[i]` for 60 s. */
function planOf(starts: readonly [number, number]): PlanFile {
  const hosts = ["c1", "c2"];
  return makePlan({
    dir: tempDir(),
    hosts: hosts.map((h) => host(h)),
    services: [
      service("nova-compute", hosts, {
        rolling: rolling({ batches: [1, 1], maxUnavailable: 2, hostSets: [{ var: "anti-affinity", value: "ha", hosts, max: 1, soft: false }] }),
      }),
    ],
    steps: hosts.map((h, i) =>
      step(`nova-compute/b${i + 1}/${h}/upgrade`, {
        service: "nova-compute",
        hosts: [h],
        batch: i,
        action: "upgrade",
        command: argv(["true"]),
        unavailable: [{ host: h, service: "nova-compute" }],
        estimate: { start: starts[i] ?? 0, duration: 60 },
      }),
    ),
  });
}

describe("proveHostSets", () => {
  it("reports two hosts of one anti-affinity group out at once as UPG0522, naming the group", () => {
    const found = proveHostSets(planOf([0, 30]), () => undefined);
    expect(found.map((d) => d.code)).toEqual(["UPG0522"]);
    expect(found[0]?.severity).toBe("error");
    expect(found[0]?.message).toContain("ha");
  });

  it("passes the same hosts one after the other", () => {
    expect(proveHostSets(planOf([0, 60]), () => undefined)).toEqual([]);
  });
});
