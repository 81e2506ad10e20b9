/** The verify report for an operator at 3 a.m.: each problem in plain words, its host, its step, the command to paste. */
import type { VerifyReport } from "./verify.js";

export function renderVerify(report: VerifyReport, planArg: string): string {
  const lines: string[] = [];
  const ok = report.rows.filter((r) => r.result === "ok").length;
  const warned = report.rows.filter((r) => r.result === "warning");
  const skipped = report.rows.filter((r) => r.result === "skipped");
  lines.push(report.run ? `verify ${planArg} (run ${report.run.id}: ${report.run.phase})` : `verify ${planArg} (no run recorded)`);
  lines.push(`${ok} check(s) passed, ${warned.length} warning(s), ${skipped.length} not checked, ${report.problems.length} problem(s)`);
  for (const w of warned) lines.push(`  warning: ${w.check}${w.host ? ` on ${w.host}` : ""}: ${w.detail}`);
  for (const s of skipped) lines.push(`  not checked: ${s.check}${s.service ? ` ${s.service}` : ""}: ${s.detail}`);
  report.problems.forEach((p, i) => {
    lines.push("", `PROBLEM ${i + 1} of ${report.problems.length}: ${p.problem}`);
    if (p.host !== null) lines.push(`  host:     ${p.host}`);
    if (p.step !== null) lines.push(`  step:     ${p.step}`);
    lines.push(`  do:       ${p.remedy.summary}`);
    for (const c of p.remedy.commands) lines.push(`  paste:    ${c}`);
    if (p.remedy.retryNote !== "") lines.push(`  retry:    ${p.remedy.retryNote}`);
  });
  if (report.problems.length > 0) {
    lines.push("", report.rollback.possible ? `rollback: possible (${report.rollback.reason}): ${report.rollback.command ?? ""}` : `rollback: not possible: ${report.rollback.reason}`);
    lines.push("", `NOT OK: ${report.problems.length} problem(s) above`);
  } else if (report.run === null) lines.push("", "OK: no run of this plan is recorded, but every probed host already runs the plan's `to`");
  else lines.push("", "OK: the cloud is where the plan leaves it");
  return lines.join("\n") + "\n";
}
