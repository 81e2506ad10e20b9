/**
 * Graphviz DOT: the service DAG, or with `steps` the whole step graph clustered by phase
 * and, inside the rollout, by service.
 */
import type { PlanFile, PlanStep } from "../plan/plan.js";
import { PHASE_ORDER } from "./plan-outline.js";
import { serviceGraph } from "./service-graph.js";
import { formatDuration } from "../base/duration.js";

/** A DOT double-quoted string; newlines become DOT's centred line breaks. */
function q(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\r?\n/g, "\\n")}"`;
}

export function renderDot(plan: PlanFile, options: { readonly steps: boolean }): string {
  return options.steps ? stepGraph(plan) : serviceDag(plan);
}

function preamble(plan: PlanFile, what: string): string[] {
  return [
    `digraph ${q(plan.plan.name)} {`,
    `  graph [rankdir=LR, fontname="Helvetica", labelloc=t, label=${q(`${plan.plan.name}: ${what}`)}];`,
    '  node [shape=box, style="rounded,filled", fillcolor="#eef3fb", color="#4a6fa5", fontname="Helvetica", fontsize=11];',
    '  edge [color="#555555", arrowsize=0.7];',
  ];
}

function serviceDag(plan: PlanFile): string {
  const graph = serviceGraph(plan);
  const lines = preamble(plan, "services");
  for (const n of graph.nodes) {
    const style = !n.rolling ? ', fillcolor="#fde2e2", color="#c0392b"' : n.plane === "data" ? ', fillcolor="#e6f4ea", color="#2e7d4f"' : "";
    lines.push(`  ${q(n.name)} [label=${q(`${n.name}\n${n.detail}`)}${style}];`);
  }
  for (const e of graph.edges) lines.push(`  ${q(e.from)} -> ${q(e.to)};`);
  lines.push("}");
  return lines.join("\n") + "\n";
}

function stepLabel(step: PlanStep): string {
  const base = step.hosts.length === 1 && step.batch !== null ? `${step.hosts[0]}\n${step.action}` : step.id;
  return `${base}\n${formatDuration(step.estimate.duration)}`;
}

function stepGraph(plan: PlanFile): string {
  const lines = preamble(plan, "steps");
  const byPhase = new Map<string, Map<string, PlanStep[]>>();
  for (const step of plan.steps) {
    let services = byPhase.get(step.phase);
    if (!services) byPhase.set(step.phase, (services = new Map()));
    const key = step.service ?? "";
    const list = services.get(key);
    if (list) list.push(step);
    else services.set(key, [step]);
  }
  const phases = [...PHASE_ORDER.filter((p) => byPhase.has(p)), ...[...byPhase.keys()].filter((p) => !PHASE_ORDER.some((o) => o === p))];
  for (const phase of phases) {
    const services = byPhase.get(phase) ?? new Map<string, PlanStep[]>();
    lines.push(`  subgraph ${q(`cluster_${phase}`)} {`, `    label=${q(phase)}; style="rounded"; color="#999999";`);
    for (const [service, steps] of services) {
      const nested = phase === "rollout" && service !== "";
      const indent = nested ? "      " : "    ";
      if (nested) lines.push(`    subgraph ${q(`cluster_${phase}_${service}`)} {`, `      label=${q(service)}; style="rounded,dashed";`);
      for (const step of steps) {
        const style = step.undo === "irreversible" ? ', fillcolor="#fde2e2", color="#c0392b"' : step.checkpoint !== null ? ', fillcolor="#e6f4ea", shape=octagon' : "";
        lines.push(`${indent}${q(step.id)} [label=${q(stepLabel(step))}${style}];`);
      }
      if (nested) lines.push("    }");
    }
    lines.push("  }");
  }
  for (const step of plan.steps) for (const dep of step.after) lines.push(`  ${q(dep)} -> ${q(step.id)};`);
  lines.push("}");
  return lines.join("\n") + "\n";
}
