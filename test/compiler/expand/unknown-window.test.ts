/**
 * The build's own guard (UPG0584): a model whose service names a window the model does not
 * hold. Resolve reports such a name as UPG0228 first; the build does not rely on it.
 */
import { describe, expect, it } from "vitest";
import { buildPlan } from "../../../src/compiler/build-plan.js";
import { action, host, model, service, window } from "../model-builder.js";

describe("a service bound to a window the model lacks", () => {
  it("is UPG0584 at the service, and no plan", () => {
    const m = model({
      hosts: [host("web1")],
      windows: [window("weekend")],
      services: [service("api", { hosts: ["web1"], window: "nightly", actions: { upgrade: action(["true"]) } })],
    });
    const result = buildPlan(m, { now: new Date("2026-12-01T12:00:00Z"), compilerVersion: "0.1.0" });
    const found = result.diagnostics.filter((d) => d.code === "UPG0584");
    expect(found).toHaveLength(1);
    expect(found[0]?.severity).toBe("error");
    expect(found[0]?.message).toContain("nightly");
    expect(result.value).toBeNull();
  });
});
