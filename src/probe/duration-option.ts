/** A duration option as the language writes durations (`30s`, `2m`, `1m30s`) or plain seconds; null when it is neither. */
export function parseSeconds(text: string): number | null {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) > 0 ? Number(trimmed) : null;
  const parts = [...trimmed.matchAll(/(\d+)([hms])/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== trimmed) return null;
  const unit = { h: 3600, m: 60, s: 1 } as const;
  const seconds = parts.reduce((n, p) => n + Number(p[1]) * unit[p[2] as "h" | "m" | "s"], 0);
  return seconds > 0 ? seconds : null;
}
