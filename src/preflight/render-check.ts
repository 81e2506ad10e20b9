/** The check report as a table with a summary line, or as JSON. Pure: text out, no I/O. */
import type { CheckReport, CheckRow } from "./check.js";

export function renderCheckTable(report: CheckReport, strict: boolean): string {
  const header = ["CHECK", "HOST", "RESULT", "DETAIL"];
  const cells = report.rows.map((r) => [label(r), r.host ?? "-", r.result, detail(r)]);
  const width = [0, 1, 2].map((i) => Math.max(header[i]?.length ?? 0, ...cells.map((c) => c[i]?.length ?? 0)));
  const line = (c: readonly string[]): string => c.map((text, i) => (i < 3 ? text.padEnd(width[i] ?? 0) : text)).join("  ").trimEnd();
  return [line(header), ...cells.map(line), "", summaryLine(report, strict)].join("\n") + "\n";
}

/** The detail, with the finding's code first and its fix after, where it has them. */
function detail(r: CheckRow): string {
  return `${r.code !== undefined ? `${r.code}: ` : ""}${r.detail}${r.help !== undefined ? `; help: ${r.help}` : ""}`;
}

function label(r: CheckRow): string {
  return r.service !== null ? `${r.check} ${r.service}` : r.check;
}

export function summaryLine(report: CheckReport, strict: boolean): string {
  const c = report.counts;
  const parts = [`${c.ok} ok`, `${c.warning} warning(s)`, `${c.failed} failed`, `${c.error} error(s)`, `${c["timed-out"]} timed out`, `${c.skipped} skipped`];
  const verdict = report.failed
    ? "NOT READY: fix the failed checks before the upgrade"
    : report.warnings > 0
      ? strict
        ? "NOT READY under --strict: warnings count as failures"
        : "ready, with warnings (read them)"
      : "ready";
  return `${parts.join(", ")}: ${verdict}`;
}

export function checkReportJson(report: CheckReport, strict: boolean, passed: boolean): Record<string, unknown> {
  return { passed, strict, counts: report.counts, rows: report.rows };
}
