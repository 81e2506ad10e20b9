/**
 * Mermaid flowcharts: the service DAG, or with `steps` the whole step graph in one subgraph
 * per phase (and per service inside the rollout). Node ids are generated (`s0`, `n12`):
 * Mermaid ids cannot hold every character a name may have; labels carry the names.
 */
import type { PlanFile, PlanStep } from "../plan/plan.js";
import { PHASE_ORDER } from "./plan-outline.js";
import { serviceGraph } from "./service-graph.js";
import { formatDuration } from "../base/duration.js";

/** Text inside a quoted Mermaid label, with its entity codes for the characters that would end or break it. */
function label(text: string): string {
  const escaped = text
    .replace(/#/g, "#35;")
    .replace(/"/g, "#quot;")
    .replace(/</g, "#lt;")
    .replace(/>/g, "#gt;")
    .replace(/\r?\n/g, "<br/>");
  return `"${escaped}"`;
}

export function renderMermaid(plan: PlanFile, options: { readonly steps: boolean }): string {
  return options.steps ? stepGraph(plan) : serviceDag(plan);
}

function serviceDag(plan: PlanFile): string {
  const graph = serviceGraph(plan);
  const ids = new Map(graph.nodes.map((n, i) => [n.name, `s${i}`]));
  const lines = ["flowchart LR"];
  for (const n of graph.nodes) lines.push(`  ${ids.get(n.name)}[${label(`${n.name}\n${n.detail}`)}]`);
  for (const e of graph.edges) lines.push(`  ${ids.get(e.from)} --> ${ids.get(e.to)}`);
  lines.push("  classDef allAtOnce fill:#fde2e2,stroke:#c0392b", "  classDef dataPlane fill:#e6f4ea,stroke:#2e7d4f");
  const allAtOnce = graph.nodes.filter((n) => !n.rolling).map((n) => ids.get(n.name));
  const data = graph.nodes.filter((n) => n.rolling && n.plane === "data").map((n) => ids.get(n.name));
  if (allAtOnce.length > 0) lines.push(`  class ${allAtOnce.join(",")} allAtOnce`);
  if (data.length > 0) lines.push(`  class ${data.join(",")} dataPlane`);
  return lines.join("\n") + "\n";
}

function stepGraph(plan: PlanFile): string {
  const ids = new Map(plan.steps.map((s, i) => [s.id, `n${i}`]));
  const lines = ["flowchart LR"];
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
  phases.forEach((phase, p) => {
    lines.push(`  subgraph p${p}[${label(phase)}]`);
    let g = 0;
    for (const [service, steps] of byPhase.get(phase) ?? new Map<string, PlanStep[]>()) {
      const nested = phase === "rollout" && service !== "";
      if (nested) lines.push(`    subgraph p${p}g${g++}[${label(service)}]`);
      for (const step of steps) {
        const text = step.hosts.length === 1 && step.batch !== null ? `${step.hosts[0]} ${step.action}` : step.id;
        lines.push(`${nested ? "      " : "    "}${ids.get(step.id)}[${label(`${text}\n${formatDuration(step.estimate.duration)}`)}]`);
      }
      if (nested) lines.push("    end");
    }
    lines.push("  end");
  });
  for (const step of plan.steps) {
    for (const dep of step.after) {
      const from = ids.get(dep);
      if (from !== undefined) lines.push(`  ${from} --> ${ids.get(step.id)}`);
    }
  }
  const irreversible = plan.steps.filter((s) => s.undo === "irreversible").map((s) => ids.get(s.id));
  lines.push("  classDef irreversible fill:#fde2e2,stroke:#c0392b");
  if (irreversible.length > 0) lines.push(`  class ${irreversible.join(",")} irreversible`);
  return lines.join("\n") + "\n";
}
