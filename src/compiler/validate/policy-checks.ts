/**
 * Per-service placement and downtime: a service placed on no host (UPG0500), and a
 * service without the rolling-upgrade tag on several hosts, which goes down on all of
 * them at once (UPG0506, with the downtime estimated as expansion estimates its steps).
 */
import { type Diagnostic, diag } from "../../diagnostics/diagnostic.js";
import { formatDuration } from "../../base/duration.js";
import { DEFAULT_ESTIMATES, gateEstimate } from "../estimates.js";
import type { Model, ModelService } from "../model.js";

export function checkPolicy(model: Model): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const s of model.services) {
    if (s.hosts.length === 0) out.push(noHosts(s));
    else if (!s.rolling.rolling && s.hosts.length > 1 && !s.tags.includes("downtime-accepted")) out.push(allAtOnce(s));
  }
  return out;
}

function noHosts(s: ModelService): Diagnostic {
  return diag("UPG0500", {
    message: `service \`${s.name}\` is placed on no host`,
    span: s.nameSpan,
    notes: ["a group it is placed `on` may have no hosts in the inventory"],
    help: `place it with \`on <group>\` or \`on host[1-3]\`, or check that its groups have hosts in the inventory`,
  });
}

function allAtOnce(s: ModelService): Diagnostic {
  const parts = downtimeParts(s);
  const total = parts.reduce((sum, p) => sum + p.seconds, 0);
  return diag("UPG0506", {
    message: `service \`${s.name}\` has no rolling-upgrade tag, so it is upgraded on all its ${s.hosts.length} hosts at once: about ${formatDuration(total)} of downtime`,
    span: s.nameSpan,
    notes: [`per host: ${parts.map((p) => `${p.kind} ${formatDuration(p.seconds)}${p.defaulted ? " (default)" : ""}`).join(" + ")}`],
    help: "if the service runs with mixed versions during an upgrade, tag it `rolling-upgrade` so its hosts go in batches; if the downtime is acceptable, say so with `tags downtime-accepted`",
  });
}

interface Part {
  readonly kind: string;
  readonly seconds: number;
  readonly defaulted: boolean;
}

/** Stop, upgrade, start and health gate on one host, estimated the way expansion estimates them. */
function downtimeParts(s: ModelService): Part[] {
  const parts: Part[] = [];
  const { stop, upgrade, start } = s.actions;
  if (stop) parts.push(part("stop", stop.takes, "stop"));
  if (upgrade) parts.push(part("upgrade", upgrade.takes ?? s.takes, "upgrade"));
  else parts.push({ kind: "upgrade", seconds: s.takes ?? 0, defaulted: false });
  if (start) parts.push(part("start", start.takes, "start"));
  if (s.health) {
    // The gate as expansion plans it: whole polls, never past its `within`.
    const gate = part("health", s.health.action.takes, "health");
    parts.push({ ...gate, seconds: gateEstimate(gate.seconds, s.health) });
  }
  return parts;
}

function part(kind: string, takes: number | null, fallback: keyof typeof DEFAULT_ESTIMATES): Part {
  return takes === null ? { kind, seconds: DEFAULT_ESTIMATES[fallback], defaulted: true } : { kind, seconds: takes, defaulted: false };
}
