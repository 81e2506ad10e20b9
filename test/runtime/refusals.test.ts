/**
 * Refusals before anything runs: each names its code and leaves the cloud and the state as
 * they were (no step's command ran, no run was recorded).
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ExitCode } from "../../src/cli/exit-codes.js";
import { resumePlan, runPlan } from "../../src/cli/session.js";
import { captureIO } from "./harness.js";
import { makePlan, shell, step, writePlan } from "../support/plan-builder.js";
import { tempDir } from "../support/temp-dir.js";

function touchPlan(dir: string, command = "touch ran"): ReturnType<typeof makePlan> {
  return makePlan({ dir, hosts: [], services: [], steps: [step("svc/precheck", { phase: "prechecks", action: "precheck", command: shell(command) })] });
}

describe("refused before anything runs", () => {
  it("resume with no run of the plan: UPG0804, exit 2, nothing recorded", async () => {
    const dir = tempDir();
    writePlan(dir, touchPlan(dir));
    const io = captureIO(dir);
    expect(await resumePlan({ plan: "plan.json" }, io.io)).toBe(ExitCode.Usage);
    expect(io.err()).toContain("error UPG0804");
    expect(existsSync(join(dir, "ran"))).toBe(false);
    expect(existsSync(join(dir, ".upgradec", "runs")) ? readdirSync(join(dir, ".upgradec", "runs")) : []).toEqual([]);
  });

  it("a secret that cannot be read: UPG0803 naming its source, exit 2, no step ran", async () => {
    const dir = tempDir();
    const plan = { ...touchPlan(dir, "touch ran"), secrets: [{ name: "db-password", source: "env" as const, ref: "UPGRADEC_TEST_NEVER_SET" }] };
    writePlan(dir, makePlan({ dir, hosts: [], services: [], steps: plan.steps, secrets: plan.secrets }));
    const env = { ...process.env };
    delete env["UPGRADEC_TEST_NEVER_SET"];
    const io = captureIO(dir, env);
    expect(await runPlan({ plan: "plan.json" }, io.io)).toBe(ExitCode.Usage);
    expect(io.err()).toContain("error UPG0803");
    expect(io.err()).toContain("UPGRADEC_TEST_NEVER_SET");
    expect(existsSync(join(dir, "ran"))).toBe(false);
  });
});
