/**
 * What a simulation says: a text summary for people, JSON for tools, JUnit XML for CI
 * (one testcase per invariant, a failure for each that was violated). Pure functions of
 * the report.
 */
import { INVARIANTS, type Violation } from "./invariants.js";
import type { SimulationReport } from "./simulate.js";

function hms(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, "0")}m${String(r).padStart(2, "0")}s` : m > 0 ? `${m}m${String(r).padStart(2, "0")}s` : `${r}s`;
}

export function describeViolation(v: Violation): string {
  const e = v.event;
  const where = [e.step !== null ? e.step : null, e.host !== null ? `on ${e.host}` : null].filter((x) => x !== null).join(" ");
  return `[${v.invariant}] ${v.message}\n    at +${hms(e.at)} (${e.time}) ${e.what}${where !== "" ? `: ${where}` : ""}`;
}

function outcomeLine(r: SimulationReport): string {
  switch (r.outcome) {
    case "completed":
      return "completed: every step succeeded";
    case "stopped":
      return `stopped: ${r.stopReason ?? ""}`;
    case "rolled-back":
      return `rolled back to ${r.rollback?.target ?? "the start"} (${r.rollback?.undone ?? 0} step(s) undone) after: ${r.stopReason ?? ""}`;
    case "rollback-stopped":
      return `the rollback stopped (an undo failed) after: ${r.stopReason ?? ""}`;
    case "rollback-refused":
      return `stopped, and the rollback was refused: ${r.rollback?.refused ?? ""} (after: ${r.stopReason ?? ""})`;
  }
}

export function renderText(r: SimulationReport): string {
  const m = r.model;
  const out: string[] = [];
  out.push(`simulation: ${outcomeLine(r)}`);
  for (const f of r.failed.slice(0, 10)) out.push(`  failed: ${f.step}: ${f.message}`);
  if (r.failed.length > 10) out.push(`  ... and ${r.failed.length - 10} more failure(s)`);
  for (const [service, hosts] of Object.entries(r.leftOut)) out.push(`  left out (failed within max-failures; the rollout went on): ${service}: ${hosts.join(", ")}`);
  if (r.notStarted > 0 && r.outcome !== "completed") out.push(`  not started: ${r.notStarted} step(s)`);
  const ratio = r.planned > 0 ? ` (${Math.round((r.duration / r.planned) * 100)}% of the plan's estimate)` : "";
  out.push(`simulated time: ${hms(r.duration)} against the plan's ${hms(r.planned)}${ratio}`);
  let atTo = 0;
  let total = 0;
  for (const s of m.services.values()) {
    atTo += s.atTo;
    total += s.spec.hosts.length;
  }
  const down = [...m.hosts.values()].filter((h) => !h.up).map((h) => h.name);
  out.push(`final state: ${atTo} of ${total} service instance(s) at ${m.to}; ${m.instanceCount} of ${m.totalInstances} VM(s)${down.length > 0 ? `; down: ${down.join(", ")}` : ""}`);
  if (r.injected.length > 0) out.push(`faults injected: ${r.injected.length} execution(s) failed on purpose`);
  for (const u of r.unfired) out.push(`warning: fault ${u.fault} never fired: ${u.why}`);
  for (const [notifier, events] of Object.entries(r.notifications)) {
    const told = Object.entries(events).map(([e, n]) => (n > 1 ? `${e} ×${n}` : e));
    out.push(`notifier ${notifier} (not run by simulate) would be told: ${told.length > 0 ? told.join(", ") : "nothing"}`);
  }
  if (r.violations.length === 0) out.push(`invariants: all ${INVARIANTS.length} held at every event`);
  else {
    out.push(`invariants: ${r.violations.length} violation(s)`);
    for (const v of r.violations) out.push("  " + describeViolation(v));
  }
  return out.join("\n") + "\n";
}

export function toJson(r: SimulationReport): unknown {
  const m = r.model;
  return {
    outcome: r.outcome,
    stopReason: r.stopReason,
    failed: r.failed,
    notStarted: r.notStarted,
    leftOut: r.leftOut,
    rollback: r.rollback,
    duration: r.duration,
    planned: r.planned,
    violations: r.violations,
    injected: r.injected,
    unfired: r.unfired,
    ...(Object.keys(r.notifications).length > 0 ? { notifications: r.notifications } : {}),
    final: {
      instances: [...m.instances.values()].map((i) => ({ host: i.host, service: i.service, version: i.version, running: i.running })),
      hosts: [...m.hosts.values()].map((h) => ({ name: h.name, up: h.up, maintenance: [...h.maintenance], instances: h.instances })),
      schema: Object.fromEntries([...m.services].map(([n, s]) => [n, s.schema])),
      pins: Object.fromEntries(m.pins),
      vms: { now: m.instanceCount, atStart: m.totalInstances },
    },
    stats: r.stats,
  };
}

function xml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** JUnit XML as Jenkins, GitLab and GitHub's test reporters read it. */
export function toJunit(r: SimulationReport, name: string): string {
  const failures = INVARIANTS.filter((inv) => r.violations.some((v) => v.invariant === inv.name)).length;
  const lines: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  lines.push(`<testsuites name="upgradec simulate" tests="${INVARIANTS.length}" failures="${failures}" time="0">`);
  lines.push(`  <testsuite name="${xml(name)}" tests="${INVARIANTS.length}" failures="${failures}" skipped="${r.outcome === "rolled-back" ? 0 : 1}" time="0">`);
  lines.push("    <properties>");
  lines.push(`      <property name="outcome" value="${xml(r.outcome)}"/>`);
  lines.push(`      <property name="simulated-seconds" value="${r.duration}"/>`);
  lines.push(`      <property name="planned-seconds" value="${r.planned}"/>`);
  lines.push("    </properties>");
  for (const inv of INVARIANTS) {
    const mine = r.violations.filter((v) => v.invariant === inv.name);
    const open = `    <testcase classname="upgradec.simulate" name="${xml(inv.name)}: ${xml(inv.title)}" time="0"`;
    if (mine.length > 0) {
      lines.push(`${open}>`);
      lines.push(`      <failure message="${xml(`${mine.length} violation(s); first: ${mine[0]?.message ?? ""}`)}" type="${xml(inv.name)}">${xml(mine.map(describeViolation).join("\n"))}</failure>`);
      lines.push("    </testcase>");
    } else if (inv.name === "rollback-restores-from" && r.outcome !== "rolled-back") {
      lines.push(`${open}>`);
      lines.push(`      <skipped message="no rollback ran"/>`);
      lines.push("    </testcase>");
    } else lines.push(`${open}/>`);
  }
  lines.push("  </testsuite>");
  lines.push("</testsuites>");
  return lines.join("\n") + "\n";
}
