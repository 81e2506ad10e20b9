import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { renderPreview } from "../../src/preview/preview.js";
import type { PlanFile } from "../../src/plan/plan.js";
import { fixturePlan } from "../support/plan-builder.js";

const plan = fixturePlan();
const dependencyEdges = (p: PlanFile): number => p.services.reduce((n, s) => n + s.after.length, 0);
const stepEdges = (p: PlanFile): number => p.steps.reduce((n, s) => n + s.after.length, 0);

/** Graphviz is optional on a developer's machine (the structural checks below always run); `.ci/run` installs it, so CI never skips. */
const graphviz = spawnSync("dot", ["-V"], { encoding: "utf8" }).status === 0;
if (!graphviz && process.env["CI"] === "true") {
  throw new Error("the DOT preview test needs Graphviz's dot; .ci/run installs it (apt-get install -y graphviz)");
}
if (!graphviz) console.warn("graphviz is not installed: the DOT layout test is skipped (apt-get install graphviz)");

function runDot(source: string): { status: number | null; svg: string; stderr: string } {
  const r = spawnSync("dot", ["-Tsvg"], { input: source, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, svg: r.stdout, stderr: r.stderr };
}

describe("json preview", () => {
  it("is the plan file itself, one step per line, and the same bytes every time", () => {
    const out = renderPreview(plan, "json", { steps: false, color: false });
    expect(JSON.parse(out)).toEqual(plan);
    expect(out.split("\n")[1]).toBe('  "format": "upgradec.plan/1",');
    const lines = out.split("\n");
    const first = lines.indexOf('  "steps": [') + 1;
    expect(lines.slice(first, first + plan.steps.length).map((l) => JSON.parse(l.trim().replace(/,$/, "")) as unknown)).toEqual(plan.steps);
    expect(renderPreview(fixturePlan(), "json", { steps: false, color: false })).toBe(out);
  });
});

describe("dot preview", () => {
  const dag = renderPreview(plan, "dot", { steps: false, color: false });
  const steps = renderPreview(plan, "dot", { steps: true, color: false });

  it("has one node per service with its size and rollout kind, and one edge per dependency", () => {
    for (const s of plan.services) {
      const kind = s.rolling.rolling ? `rolling, ${s.rolling.batches.length} batch` : "all at once";
      expect(dag).toContain(`"${s.name}" [label="${s.name}\\n${s.hosts.length} hosts · ${kind}`);
    }
    expect(dag.match(/ -> /g)?.length).toBe(dependencyEdges(plan));
    expect(dag).toContain('"nova-conductor" -> "nova-compute";');
    expect(dag.startsWith('digraph "zed-to-2023.1" {')).toBe(true);
  });

  it("with steps, has every step and every after-edge, clustered by phase and rollout service", () => {
    expect(steps.match(/^\s+"[^"]+" \[label=/gm)?.length).toBe(plan.steps.length);
    expect(steps.match(/ -> /g)?.length).toBe(stepEdges(plan));
    expect(steps).toContain('subgraph "cluster_rollout" {');
    expect(steps).toContain('subgraph "cluster_rollout_nova-compute" {');
    expect(steps.split("{").length).toBe(steps.split("}").length);
  });

  it.runIf(graphviz)("is valid DOT: Graphviz lays both graphs out with every node", () => {
    const a = runDot(dag);
    expect(a.stderr).toBe("");
    expect(a.status).toBe(0);
    expect(a.svg.match(/class="node"/g)?.length).toBe(plan.services.length);
    expect(a.svg.match(/class="edge"/g)?.length).toBe(dependencyEdges(plan));
    const b = runDot(steps);
    expect(b.status).toBe(0);
    expect(b.svg.match(/class="node"/g)?.length).toBe(plan.steps.length);
    expect(b.svg.match(/class="cluster"/g)?.length).toBeGreaterThanOrEqual(10 + plan.services.length);
  });

  it("escapes quotes and backslashes in names", () => {
    const odd = { ...plan, plan: { ...plan.plan, name: 'say "hi" \\ there' } };
    const out = renderPreview(odd, "dot", { steps: false, color: false });
    expect(out.split("\n")[0]).toBe('digraph "say \\"hi\\" \\\\ there" {');
    if (graphviz) expect(runDot(out).status).toBe(0);
  });
});

/** Mermaid's flowchart grammar, as far as these previews use it: checked line by line. */
function checkMermaid(source: string): { nodes: Set<string>; edges: [string, string][]; subgraphs: number } {
  const lines = source.trimEnd().split("\n");
  expect(lines[0]).toBe("flowchart LR");
  const nodes = new Set<string>();
  const edges: [string, string][] = [];
  let depth = 0;
  let subgraphs = 0;
  for (const raw of lines.slice(1)) {
    const line = raw.trim();
    let m: RegExpExecArray | null;
    if ((m = /^subgraph (\w+)\["([^"]*)"\]$/.exec(line))) {
      depth++;
      subgraphs++;
    } else if (line === "end") {
      depth--;
      expect(depth).toBeGreaterThanOrEqual(0);
    } else if ((m = /^(\w+)\["([^"]*)"\]$/.exec(line))) {
      expect(nodes.has(m[1] ?? "")).toBe(false);
      nodes.add(m[1] ?? "");
    } else if ((m = /^(\w+) --> (\w+)$/.exec(line))) {
      edges.push([m[1] ?? "", m[2] ?? ""]);
    } else if (/^classDef \w+ [\w#:,-]+$/.test(line) || /^class [\w,]+ \w+$/.test(line)) {
      // styling
    } else {
      throw new Error(`not a Mermaid flowchart line: ${raw}`);
    }
  }
  expect(depth).toBe(0);
  for (const [a, b] of edges) {
    expect(nodes.has(a), a).toBe(true);
    expect(nodes.has(b), b).toBe(true);
  }
  return { nodes, edges, subgraphs };
}

describe("mermaid preview", () => {
  it("draws the service DAG", () => {
    const out = renderPreview(plan, "mermaid", { steps: false, color: false });
    const g = checkMermaid(out);
    expect(g.nodes.size).toBe(plan.services.length);
    expect(g.edges).toHaveLength(dependencyEdges(plan));
    expect(out).toContain('s4["cinder-volume<br/>2 hosts · all at once"]');
    expect(out).toContain("class s4 allAtOnce");
  });

  it("draws the step graph in one subgraph per phase and per rollout service", () => {
    const out = renderPreview(plan, "mermaid", { steps: true, color: false });
    const g = checkMermaid(out);
    expect(g.nodes.size).toBe(plan.steps.length);
    expect(g.edges).toHaveLength(stepEdges(plan));
    expect(g.subgraphs).toBe(10 + plan.services.length);
  });

  it("keeps quotes and angle brackets from breaking a label", () => {
    const odd = { ...plan, services: plan.services.map((s, i) => (i === 0 ? { ...s, name: 'a"<b>#c' } : s)) };
    const out = renderPreview(odd, "mermaid", { steps: false, color: false });
    checkMermaid(out);
    expect(out).toContain('s0["a#quot;#lt;b#gt;#35;c<br/>');
  });
});
