/**
 * The HTML preview: one self-contained page (inline CSS, inline SVG, a little inline
 * script, no external URL of any kind, so it works offline and can be mailed or attached
 * to a change ticket). A Gantt timeline of batches per service over calendar time with the
 * window occurrences shaded, the service DAG laid out by topological depth, the impact
 * table, the checkpoints and the point of no return. Batches are drawn, never hosts, so
 * the page stays small at 10,000 hosts.
 */
import { withWayBack } from "../plan/way-back.js";
import type { PlanFile } from "../plan/plan.js";
import { commandText } from "./command-text.js";
import { formatEstimate } from "./estimates.js";
import { summariseHosts } from "./host-list.js";
import { batchLabel, outlinePlan, type PlanOutline } from "./plan-outline.js";
import { serviceGraph, type ServiceGraph } from "./service-graph.js";
import { formatDuration, formatOffset } from "../base/duration.js";
import { formatShare, planClock, type PlanClock } from "./time-format.js";
import { timeScale } from "./time-scale.js";

function esc(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** Numbers in SVG attributes: two decimals at most, so output is short and stable. */
function n(value: number): string {
  return String(Math.round(value * 100) / 100);
}

const STYLE = `
:root { --fg: #1d2430; --muted: #5b6575; --line: #d6dbe3; --bg: #ffffff; --panel: #f6f8fb; --red: #c0392b; --green: #2e7d4f; --blue: #3b6db3; --cyan: #1f8a9e; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px 48px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--fg); background: var(--bg); }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
.summary { display: flex; flex-wrap: wrap; gap: 8px 28px; color: var(--muted); margin: 6px 0 0; padding: 0; list-style: none; }
.summary b { color: var(--fg); font-weight: 600; }
.attention { list-style: none; padding: 0; margin: 12px 0 0; }
.attention li { background: #fff6e0; border-left: 4px solid #e0a100; padding: 4px 10px; margin: 4px 0; }
.attention li.danger { background: #fdecea; border-left-color: var(--red); }
.scroll { overflow-x: auto; background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 8px; }
svg text { font-family: inherit; }
.axis text { font-size: 11px; fill: var(--muted); }
.axis line { stroke: var(--line); }
.row-label { font-size: 12px; fill: var(--fg); }
.row-bg { fill: #ffffff; }
.window { fill: #1f8a9e; fill-opacity: 0.13; stroke: #1f8a9e; stroke-opacity: 0.35; }
.window-label { font-size: 10px; fill: var(--cyan); }
.fold { fill: #e9ecf1; stroke: #b8c0cc; stroke-dasharray: 3 3; }
.fold-label { font-size: 9.5px; fill: var(--muted); font-style: italic; }
.bar { stroke: #ffffff; stroke-width: 0.5; cursor: default; }
.bar.batch { fill: var(--blue); }
.bar.batch.data { fill: var(--green); }
.bar.batch.all-at-once { fill: var(--red); }
.bar.once { fill: #8a6fb5; }
.bar.once.prechecks, .bar.once.postchecks { fill: #8c96a5; }
.bar.once.checkpoint { fill: #2e9d5f; }
.bar.once.irreversible { fill: var(--red); }
.marker-line { stroke-width: 1.5; }
.marker-line.ponr { stroke: var(--red); }
.marker-line.checkpoint { stroke: var(--green); stroke-dasharray: 4 3; }
.marker-label { font-size: 11px; font-weight: 600; }
.marker-label.ponr { fill: var(--red); }
.marker-label.checkpoint { fill: var(--green); }
.dag-node rect { fill: #eef3fb; stroke: var(--blue); rx: 6; }
.dag-node.data rect { fill: #e6f4ea; stroke: var(--green); }
.dag-node.all-at-once rect { fill: #fde2e2; stroke: var(--red); }
.dag-node .name { font-size: 12px; font-weight: 600; }
.dag-node .detail { font-size: 10.5px; fill: var(--muted); }
.dag-edge { fill: none; stroke: #6b7585; stroke-width: 1.2; }
table { border-collapse: collapse; min-width: 560px; }
th, td { padding: 4px 12px; border-bottom: 1px solid var(--line); text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { font-weight: 600; color: var(--muted); }
td.down { color: var(--red); font-weight: 600; }
th.left, td.left { text-align: left; }
.dim-others .bar:not(.hl), .dim-others .dag-node:not(.hl), .dim-others tr.svc:not(.hl) { opacity: 0.3; }
.facts { margin: 8px 0 0; padding-left: 18px; }
.legend { display: flex; gap: 16px; flex-wrap: wrap; font-size: 12px; color: var(--muted); margin: 6px 0 0; }
.legend i { display: inline-block; width: 12px; height: 10px; margin-right: 4px; vertical-align: -1px; border-radius: 2px; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--panel); padding: 1px 4px; border-radius: 3px; }
`;

/** Highlight one service across the timeline, the DAG and the table while the pointer is on it. */
const SCRIPT = `
(function () {
  var body = document.body;
  function mark(service) {
    var all = document.querySelectorAll('[data-service]');
    for (var i = 0; i < all.length; i++) {
      if (service !== null && all[i].getAttribute('data-service') === service) all[i].classList.add('hl');
      else all[i].classList.remove('hl');
    }
    if (service === null) body.classList.remove('dim-others'); else body.classList.add('dim-others');
  }
  document.addEventListener('mouseover', function (e) {
    var t = e.target && e.target.closest ? e.target.closest('[data-service]') : null;
    mark(t ? t.getAttribute('data-service') : null);
  });
})();
`;

export function renderHtml(stored: PlanFile): string {
  const plan = withWayBack(stored);
  const clock = planClock(plan.plan.start, plan.plan.zone);
  const outline = outlinePlan(plan);
  const p = plan.plan;
  const source = p.startSource === "plan" ? "from the plan" : p.startSource === "option" ? "from --start" : "assumed";
  const parts: string[] = [];
  parts.push(
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    // Nothing may be fetched: the page must work offline and leak nothing about the cloud.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>Plan ${esc(p.name)}</title>`,
    `<style>${STYLE}</style>`,
    "</head>",
    "<body>",
    `<h1>Plan ${esc(p.name)}</h1>`,
    '<ul class="summary">',
    `<li>${esc(p.kind)}${p.from !== null || p.to !== null ? ` <b>${esc(p.from ?? "?")} → ${esc(p.to ?? "?")}</b>` : ""}${p.urgent ? " <b>(urgent)</b>" : ""}</li>`,
    `<li>start <b>${esc(clock.stamp(0))}</b> (${esc(p.zone)}, ${source})</li>`,
    `<li>end <b>${esc(clock.long(plan.timing.total))}</b></li>`,
    `<li>total <b id="total">${esc(formatDuration(plan.timing.total))}</b></li>`,
    `<li><b>${plan.services.length}</b> services, <b>${plan.steps.length}</b> steps, <b>${plan.timing.windowsUsed.length}</b> window occurrences</li>`,
    "</ul>",
  );
  parts.push(attention(plan, clock));
  parts.push("<h2>Timeline</h2>", '<div class="scroll">', gantt(plan, outline, clock), "</div>", legend());
  parts.push("<h2>Phases</h2>", phasesTable(outline, clock));
  parts.push("<h2>Dependencies</h2>", '<div class="scroll">', dag(serviceGraph(plan)), "</div>");
  parts.push("<h2>Impact</h2>", impactTable(plan));
  if ((plan.timing.bound?.services.length ?? 0) > 0) parts.push("<h2>Bound</h2>", boundTable(plan));
  // Plans made by hand (tests, older tools) may say nothing of their estimates.
  if (plan.services.some((s) => (s.estimates ?? []).length > 0)) parts.push("<h2>Estimates</h2>", estimatesTable(plan));
  parts.push("<h2>Checkpoints and the way back</h2>", checkpoints(plan, clock));
  parts.push("<h2>Windows</h2>", windows(plan, clock));
  parts.push(`<script>${SCRIPT}</script>`, "</body>", "</html>");
  return parts.join("\n") + "\n";
}

function attention(plan: PlanFile, clock: PlanClock): string {
  const items: string[] = [];
  if (plan.plan.startSource === "assumed") items.push("<li>The start time is assumed; give <code>start</code> in the plan or <code>--start</code>.</li>");
  if (plan.plan.urgent) items.push("<li>Urgent plan: windows are waived.</li>");
  for (const s of plan.impact.services) {
    if (s.downtime > 0) items.push(`<li class="danger">${esc(s.service)} is fully down for <b>${esc(formatDuration(s.downtime))}</b> (all ${s.instances} instances at once).</li>`);
  }
  const ponr = plan.impact.pointOfNoReturn;
  if (ponr) {
    const step = plan.steps.find((s) => s.id === ponr.step);
    const at = step ? ` at ${esc(formatOffset(step.estimate.start))} (${esc(clock.long(step.estimate.start))})` : "";
    items.push(`<li class="danger">Point of no return: <code>${esc(ponr.step)}</code>${at}. ${esc(ponr.reason)}.</li>`);
  }
  return items.length === 0 ? "" : `<ul class="attention">${items.join("")}</ul>`;
}

const TICK_STEPS = [300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400, 172_800, 604_800];

function gantt(plan: PlanFile, outline: PlanOutline, clock: PlanClock): string {
  const total = Math.max(plan.timing.total, 60);
  const labelWidth = 170;
  const chartWidth = 1000;
  const rowHeight = 26;
  const top = 46;
  const busy: [number, number][] = [];
  for (const phase of outline.phases) {
    for (const group of phase.services) {
      if (group.batches.length > 0) for (const b of group.batches) busy.push([b.start, b.end]);
      else busy.push([group.start, group.end]);
    }
  }
  // Window occurrences count as busy, so each is drawn whole and the fold falls between them.
  for (const w of plan.timing.windowsUsed) busy.push([clock.offsetOf(w.start), clock.offsetOf(w.end)]);
  const scale = timeScale(busy, total, labelWidth, chartWidth);
  const x = (t: number): number => scale.x(t);

  const rows: (string | null)[] = [];
  if (plan.steps.some((s) => s.service === null)) rows.push(null);
  for (const s of plan.services) rows.push(s.name);
  const rowOf = new Map(rows.map((r, i) => [r, i]));
  const height = top + rows.length * rowHeight + 10;
  const out: string[] = [];
  out.push(`<svg id="gantt" width="${labelWidth + chartWidth + 20}" height="${height}" viewBox="0 0 ${labelWidth + chartWidth + 20} ${height}" role="img" aria-label="timeline">`);

  rows.forEach((r, i) => {
    const y = top + i * rowHeight;
    out.push(`<rect class="row-bg" x="${labelWidth}" y="${y + 1}" width="${chartWidth}" height="${rowHeight - 2}"/>`);
    out.push(`<text class="row-label"${r !== null ? ` data-service="${esc(r)}"` : ""} x="8" y="${y + rowHeight / 2 + 4}">${esc(r ?? "plan")}</text>`);
  });

  plan.timing.windowsUsed.forEach((w, i) => {
    const start = clock.offsetOf(w.start);
    const end = clock.offsetOf(w.end);
    const x0 = x(start);
    const x1 = x(end);
    const title = `window ${w.window} #${i + 1}: ${clock.long(start)} → ${clock.long(end)}`;
    out.push(`<rect class="window" data-window="${esc(w.window)}" x="${n(x0)}" y="${top - 14}" width="${n(Math.max(1, x1 - x0))}" height="${rows.length * rowHeight + 14}"><title>${esc(title)}</title></rect>`);
    if (x1 - x0 >= 56) out.push(`<text class="window-label" x="${n(x0 + 3)}" y="${top - 4}">${esc(w.window)} #${i + 1}</text>`);
  });

  // A tick every "nice" interval of the drawn (unfolded) time, aligned to the plan zone's clock.
  const drawn = scale.segments.filter((s) => !s.folded).reduce((sum, s) => sum + (s.to - s.from), 0);
  const interval = TICK_STEPS.find((s) => drawn / s <= 12) ?? 2_592_000;
  const startOfDay = clock.at(0).startOf("day");
  const first = -Math.round(clock.at(0).diff(startOfDay, "seconds").seconds);
  out.push('<g class="axis">');
  let lastDay = "";
  let lastX = -Infinity;
  scale.segments.forEach((segment, index) => {
    if (segment.folded) {
      const mid = (segment.x0 + segment.x1) / 2;
      out.push(
        `<rect class="fold" x="${n(segment.x0 + 4)}" y="${top - 14}" width="${n(segment.x1 - segment.x0 - 8)}" height="${rows.length * rowHeight + 14}">` +
          `<title>${esc(`nothing runs for ${formatDuration(segment.to - segment.from)}: ${clock.long(segment.from)} → ${clock.long(segment.to)} (folded)`)}</title></rect>`,
        `<text class="fold-label" x="${n(mid)}" y="12" text-anchor="middle">${esc(formatDuration(segment.to - segment.from))}</text>`,
      );
      lastX = segment.x1;
      lastDay = "";
      return;
    }
    // Leave room for the label of a fold that follows, and keep the last label inside the picture.
    const limit = Math.min(scale.segments[index + 1]?.folded === true ? segment.x1 - 40 : Infinity, labelWidth + chartWidth - 50);
    for (let t = first + Math.ceil((segment.from - first) / interval) * interval; t <= segment.to; t += interval) {
      const tx = x(t);
      if (tx - lastX < 44 || tx > limit) continue;
      const at = clock.at(t);
      const day = at.toFormat("yyyy-MM-dd");
      const text = interval >= 86_400 ? at.toFormat("ccc MM-dd") : day !== lastDay ? at.toFormat("ccc HH:mm") : at.toFormat("HH:mm");
      lastDay = day;
      lastX = tx;
      out.push(`<line x1="${n(tx)}" y1="${top - 18}" x2="${n(tx)}" y2="${height - 8}"/><text x="${n(tx + 2)}" y="12">${esc(text)}</text>`);
    }
  });
  out.push("</g>");

  const services = outline.services;
  for (const phase of outline.phases) {
    for (const group of phase.services) {
      const row = rowOf.get(group.service);
      if (row === undefined) continue;
      const y = top + row * rowHeight + 4;
      const h = rowHeight - 8;
      if (phase.phase === "rollout" && group.batches.length > 0) {
        const svc = services.get(group.service ?? "");
        const kind = svc && !svc.rolling.rolling ? " all-at-once" : svc?.plane === "data" ? " data" : "";
        for (const b of group.batches) {
          const title =
            `${group.service} ${batchLabel(svc?.rolling, b.index, group.batches.length)}: ${summariseHosts(b.hosts)}\n` +
            `${formatOffset(b.start)} → ${formatOffset(b.end)} (${formatDuration(b.end - b.start)})\n${clock.long(b.start)} → ${clock.long(b.end)}` +
            (b.window !== null ? `\nwindow ${b.window}` : "");
          out.push(
            `<rect class="bar batch${kind}" data-service="${esc(group.service ?? "")}" data-batch="${b.index}" data-hosts="${b.hosts.length}" ` +
              `x="${n(x(b.start))}" y="${y}" width="${n(Math.max(1.5, x(b.end) - x(b.start)))}" height="${h}"><title>${esc(title)}</title></rect>`,
          );
        }
      } else {
        const irreversible = group.irreversible ? " irreversible" : "";
        const title = `${group.service ?? "plan"} ${phase.phase}: ${group.actions.join(", ")}\n${formatOffset(group.start)} → ${formatOffset(group.end)} (${formatDuration(group.end - group.start)})\n${clock.long(group.start)} → ${clock.long(group.end)}${group.irreversible ? "\nPOINT OF NO RETURN: undo irreversible" : ""}`;
        out.push(
          `<rect class="bar once ${esc(phase.phase)}${irreversible}"${group.service !== null ? ` data-service="${esc(group.service)}"` : ""} data-phase="${esc(phase.phase)}" ` +
            `x="${n(x(group.start))}" y="${y}" width="${n(Math.max(1.5, x(group.end) - x(group.start)))}" height="${h}"><title>${esc(title)}</title></rect>`,
        );
      }
    }
  }

  for (const cp of plan.checkpoints) {
    const step = plan.steps.find((s) => s.id === cp.step);
    if (!step) continue;
    const cx = x(step.estimate.start);
    out.push(`<line class="marker-line checkpoint" x1="${n(cx)}" y1="${top - 14}" x2="${n(cx)}" y2="${height - 6}"><title>${esc(`checkpoint ${cp.name}`)}</title></line>`);
    out.push(`<text class="marker-label checkpoint" x="${n(cx + 3)}" y="26">◆ ${esc(cp.name)}</text>`);
  }
  const ponr = plan.impact.pointOfNoReturn;
  const ponrStep = ponr ? plan.steps.find((s) => s.id === ponr.step) : undefined;
  if (ponr && ponrStep) {
    const px = x(ponrStep.estimate.start);
    out.push(`<line id="ponr" class="marker-line ponr" x1="${n(px)}" y1="${top - 14}" x2="${n(px)}" y2="${height - 6}"><title>${esc(`point of no return: ${ponr.step}: ${ponr.reason}`)}</title></line>`);
    const anchor = px > labelWidth + chartWidth - 140 ? ' text-anchor="end"' : "";
    out.push(`<text class="marker-label ponr" x="${n(anchor ? px - 3 : px + 3)}" y="26"${anchor}>✖ point of no return</text>`);
  }
  out.push("</svg>");
  return out.join("\n");
}

function legend(): string {
  const item = (color: string, text: string): string => `<span><i style="background:${color}"></i>${text}</span>`;
  return `<div class="legend">${[
    item("#3b6db3", "control-plane batch"),
    item("#2e7d4f", "data-plane batch"),
    item("#c0392b", "all at once / irreversible"),
    item("#8a6fb5", "once per service"),
    item("#2e9d5f", "checkpoint"),
    item("rgba(31,138,158,0.25)", "window occurrence"),
  ].join("")}</div>`;
}

/** Layers by longest path from a service with no dependency; inside a layer, ordered near the services they follow. */
function dag(graph: ServiceGraph): string {
  const depth = new Map<string, number>();
  const preds = new Map<string, string[]>(graph.nodes.map((v) => [v.name, []]));
  const succs = new Map<string, string[]>(graph.nodes.map((v) => [v.name, []]));
  for (const e of graph.edges) {
    preds.get(e.to)?.push(e.from);
    succs.get(e.from)?.push(e.to);
  }
  const indegree = new Map(graph.nodes.map((v) => [v.name, preds.get(v.name)?.length ?? 0]));
  const queue = graph.nodes.filter((v) => indegree.get(v.name) === 0).map((v) => v.name);
  for (const name of queue) depth.set(name, 0);
  for (let i = 0; i < queue.length; i++) {
    const name = queue[i] ?? "";
    for (const next of succs.get(name) ?? []) {
      depth.set(next, Math.max(depth.get(next) ?? 0, (depth.get(name) ?? 0) + 1));
      const left = (indegree.get(next) ?? 0) - 1;
      indegree.set(next, left);
      if (left === 0) queue.push(next);
    }
  }
  // A cycle is a compile error, but the preview must not loop or drop nodes if one slips through.
  const deepest = Math.max(0, ...depth.values());
  for (const v of graph.nodes) if (!depth.has(v.name)) depth.set(v.name, deepest + 1);

  const layers: string[][] = [];
  for (const v of graph.nodes) (layers[depth.get(v.name) ?? 0] ??= []).push(v.name);
  const position = new Map<string, number>();
  layers.forEach((layer, d) => {
    if (d > 0) {
      const centre = (name: string): number => {
        const ps = (preds.get(name) ?? []).map((p) => position.get(p) ?? 0);
        return ps.length === 0 ? 0 : ps.reduce((a, b) => a + b, 0) / ps.length;
      };
      const order = new Map(layer.map((name, i) => [name, i]));
      layer.sort((a, b) => centre(a) - centre(b) || (order.get(a) ?? 0) - (order.get(b) ?? 0));
    }
    layer.forEach((name, i) => position.set(name, i));
  });

  const nodeWidth = 190;
  const nodeHeight = 44;
  const gapX = 70;
  const gapY = 18;
  const margin = 16;
  const tallest = Math.max(1, ...layers.map((l) => l?.length ?? 0));
  const width = margin * 2 + layers.length * nodeWidth + Math.max(0, layers.length - 1) * gapX;
  const height = margin * 2 + tallest * nodeHeight + (tallest - 1) * gapY;
  const place = (name: string): { x: number; y: number } => {
    const d = depth.get(name) ?? 0;
    const layerSize = layers[d]?.length ?? 1;
    const offset = ((tallest - layerSize) * (nodeHeight + gapY)) / 2;
    return { x: margin + d * (nodeWidth + gapX), y: margin + offset + (position.get(name) ?? 0) * (nodeHeight + gapY) };
  };

  const out: string[] = [];
  out.push(`<svg id="dag-svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="service dependencies">`);
  out.push('<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#6b7585"/></marker></defs>');
  for (const e of graph.edges) {
    const a = place(e.from);
    const b = place(e.to);
    const x1 = a.x + nodeWidth;
    const y1 = a.y + nodeHeight / 2;
    const x2 = b.x;
    const y2 = b.y + nodeHeight / 2;
    const bend = Math.max(30, (x2 - x1) / 2);
    out.push(
      `<path class="dag-edge" data-from="${esc(e.from)}" data-to="${esc(e.to)}" d="M${n(x1)},${n(y1)} C${n(x1 + bend)},${n(y1)} ${n(x2 - bend)},${n(y2)} ${n(x2)},${n(y2)}" marker-end="url(#arrow)"><title>${esc(`${e.to} after ${e.from}`)}</title></path>`,
    );
  }
  for (const v of graph.nodes) {
    const { x, y } = place(v.name);
    const kind = !v.rolling ? " all-at-once" : v.plane === "data" ? " data" : "";
    const deps = preds.get(v.name) ?? [];
    const title = `${v.name}: ${v.detail}, ${v.plane} plane${deps.length > 0 ? `\nafter ${deps.join(", ")}` : ""}`;
    out.push(
      `<g class="dag-node${kind}" data-service="${esc(v.name)}" transform="translate(${n(x)},${n(y)})"><title>${esc(title)}</title>` +
        `<rect width="${nodeWidth}" height="${nodeHeight}" rx="6"/>` +
        `<text class="name" x="10" y="18">${esc(v.name)}</text><text class="detail" x="10" y="34">${esc(v.detail)}</text></g>`,
    );
  }
  out.push("</svg>");
  return out.join("\n");
}

function phasesTable(outline: PlanOutline, clock: PlanClock): string {
  const rows = outline.phases.map((p) => {
    const services = p.services.map((g) => g.service ?? g.steps.find((s) => s.checkpoint !== null)?.checkpoint ?? "plan");
    const shown = services.length > 8 ? `${services.slice(0, 8).join(", ")}, … ${services.length - 8} more` : services.join(", ");
    return (
      `<tr class="phase" data-phase="${esc(p.phase)}"><td>${esc(p.phase)}</td><td>${esc(formatOffset(p.start))}</td><td>${esc(clock.long(p.start))}</td>` +
      `<td>${esc(formatDuration(p.end - p.start))}</td><td>${p.stepCount}</td><td class="left">${esc(shown)}</td></tr>`
    );
  });
  return (
    '<table id="phases-table"><thead><tr><th>phase</th><th>starts</th><th>at</th><th>takes</th><th>steps</th><th class="left">services</th></tr></thead>' +
    `<tbody>${rows.join("")}</tbody></table>`
  );
}

/** Each service's actions: the estimate and where it came from (measured over n runs, written, default). */
function estimatesTable(plan: PlanFile): string {
  const rows = plan.services.flatMap((s) =>
    (s.estimates ?? []).map((e) => {
      const source = e.source === "measured" ? `measured over ${e.runs ?? 0} run${e.runs === 1 ? "" : "s"} (${e.samples ?? 0} attempts)` : e.source;
      return (
        `<tr class="estimate ${e.source}" data-service="${esc(s.name)}" data-action="${esc(e.action)}"><td>${esc(s.name)}</td><td>${esc(e.action)}</td>` +
        `<td>${esc(formatEstimate(e.seconds))}${e.perInstance === true ? " per instance" : ""}</td><td class="left">${esc(source)}</td></tr>`
      );
    }),
  );
  const runs = (plan.history ?? []).map((h) => `<li>run <code>${esc(h.run)}</code>${h.plan !== null ? ` (${esc(h.plan)})` : ""}: ${h.samples} attempts, <code>${esc(h.journal)}</code></li>`);
  return (
    '<table id="estimates-table"><thead><tr><th>service</th><th>action</th><th>estimate</th><th class="left">from</th></tr></thead>' +
    `<tbody>${rows.join("")}</tbody></table>` +
    (runs.length > 0 ? `<p>Measured in the runs read with <code>--history</code>:</p><ul>${runs.join("")}</ul>` : "<p>No <code>--history</code>: nothing measured.</p>")
  );
}

/**
 * The plan's figures beside the bound its caps, parallelism and windows allow (the text
 * preview's "Bound"; docs/language.md, "The bound"): per rolling service, the services
 * bounded together by `parallelism`, and the plan.
 */
function boundTable(plan: PlanFile): string {
  const b = plan.timing.bound;
  if (b === undefined) return "";
  // The bound with the written batches gets a column only where it says more than the caps alone.
  const batched = (b.barriers ?? 0) > b.total || b.services.some((s) => (s.barriers ?? 0) > s.bound);
  const ratio = (planned: number, bound: number): string => (bound > 0 ? `${(planned / bound).toFixed(2)}×` : "–");
  const row = (kind: string, name: string, planned: number, bound: number, width: string, barriers?: number): string => {
    const extra = batched ? (barriers === undefined ? "<td></td><td></td>" : `<td>${esc(formatDuration(barriers))}</td><td>${ratio(planned, barriers)}</td>`) : "";
    return `<tr class="${kind}"><td class="left">${esc(name)}</td><td>${esc(formatDuration(planned))}</td><td>${esc(formatDuration(bound))}</td><td>${ratio(planned, bound)}</td>${extra}<td>${width}</td></tr>`;
  };
  const rows = b.services.map((s) => row("service", s.service, s.planned, s.bound, String(s.width), s.barriers));
  const shared = b.shared;
  if (shared !== undefined) {
    let end = 0;
    for (const s of b.services) if (shared.services.includes(s.service)) end = Math.max(end, s.start + s.planned);
    rows.push(row("shared", `together, sharing parallelism: ${shared.services.join(", ")}`, Math.max(0, end - shared.start), shared.bound, String(shared.width)));
  }
  rows.push(row("plan", "plan", plan.timing.total, b.total, "", b.barriers));
  const head = batched ? "<th>with the batches</th><th>ratio</th>" : "";
  return (
    `<table id="bound-table"><thead><tr><th class="left">what</th><th>planned</th><th>bound</th><th>ratio</th>${head}<th>out at once</th></tr></thead>` +
    `<tbody>${rows.join("")}</tbody></table>`
  );
}

function impactTable(plan: PlanFile): string {
  const rows = plan.impact.services.map(
    (s) =>
      `<tr class="svc" data-service="${esc(s.service)}"><td>${esc(s.service)}</td><td>${s.instances}</td><td>${s.minInService}</td><td>${formatShare(s.minShare)}</td>` +
      (s.downtime > 0 ? `<td class="down">${esc(formatDuration(s.downtime))}</td>` : "<td>none</td>") +
      "</tr>",
  );
  const out = [
    '<table id="impact-table"><thead><tr><th>service</th><th>instances</th><th>min in service</th><th>share</th><th>downtime</th></tr></thead>',
    `<tbody>${rows.join("")}</tbody></table>`,
  ];
  const hosts = plan.impact.hosts.filter((h) => h.outOfService > 0);
  const facts: string[] = [];
  if (hosts.length > 0) {
    let longest = hosts[0] ?? { host: "", outOfService: 0 };
    let sum = 0;
    for (const h of hosts) {
      sum += h.outOfService;
      if (h.outOfService > longest.outOfService) longest = h;
    }
    facts.push(
      `<li>${hosts.length} of ${plan.hosts.length} hosts out of service, each for at most <b>${esc(formatDuration(longest.outOfService))}</b> (${esc(longest.host)}), ${esc(formatDuration(sum / hosts.length))} on average</li>`,
    );
  } else {
    facts.push("<li>no host out of service</li>");
  }
  facts.push(`<li>instances live-migrated: <b>${plan.impact.instancesMigrated}</b></li>`);
  facts.push(`<li>peak data-plane capacity out: <b>${formatShare(plan.impact.peakDataPlaneOut)}</b></li>`);
  out.push(`<ul class="facts">${facts.join("")}</ul>`);
  return out.join("\n");
}

function checkpoints(plan: PlanFile, clock: PlanClock): string {
  const items = plan.checkpoints.map((cp) => {
    const step = plan.steps.find((s) => s.id === cp.step);
    const at = step ? ` at ${esc(formatOffset(step.estimate.start))} (${esc(clock.long(step.estimate.start))})` : "";
    const restore = cp.restore ? `restore with <code>${esc(commandText(cp.restore, 120))}</code>` : "a marker only";
    return `<li><b>◆ ${esc(cp.name)}</b>${at}: rolling back to it means: ${restore}${cp.note !== null ? `; ${esc(cp.note)}` : ""}</li>`;
  });
  const ponr = plan.impact.pointOfNoReturn;
  items.push(
    ponr
      ? `<li><b style="color:var(--red)">✖ point of no return</b>: <code>${esc(ponr.step)}</code>: ${esc(ponr.reason)}; after it only fix forward</li>`
      : "<li>no point of no return</li>",
  );
  return `<ul class="facts">${items.join("")}</ul>`;
}

function windows(plan: PlanFile, clock: PlanClock): string {
  if (plan.windows.length === 0) return "<p>No step is bound to a window.</p>";
  const items = plan.windows.map((w) => {
    const used = plan.timing.windowsUsed.filter((u) => u.window === w.name);
    const dates = used.map((u) => `${esc(clock.long(clock.offsetOf(u.start)))} → ${esc(clock.long(clock.offsetOf(u.end)))}`).join("; ");
    return `<li><b>${esc(w.name)}</b>: ${esc(w.days.join(", "))} ${esc(w.from)}–${esc(w.to)} ${esc(w.zone)}, cutoff ${esc(formatDuration(w.cutoff))}: ${used.length === 0 ? "not needed" : `${used.length} needed: ${dates}`}</li>`;
  });
  return `<ul class="facts">${items.join("")}</ul>`;
}
