/**
 * Durations as upgradec prints them everywhere: previews, diagnostics, progress and status.
 * A leaf module: it imports nothing from the project.
 */

/** `30s`, `4m44s`, `12m`, `5h12m`, `26h5m`, `4d3h`: compact, seconds only under an hour, days only past three. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const days = s >= 259_200 ? Math.floor(s / 86_400) : 0;
  const hours = Math.floor((s - days * 86_400) / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const secs = s % 60;
  if (days > 0) return `${days}d${hours > 0 ? `${hours}h` : ""}${minutes > 0 ? `${minutes}m` : ""}`;
  if (hours > 0) return `${hours}h${minutes > 0 ? `${minutes}m` : ""}`;
  return `${minutes}m${secs > 0 ? `${secs}s` : ""}`;
}

/** `+1h20m` from the plan's start. */
export function formatOffset(seconds: number): string {
  return `+${formatDuration(seconds)}`;
}
