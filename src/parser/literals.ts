/**
 * Decoding and checking of literal tokens. The lexer accepts a little more than the language
 * (`5x`, `25:00`, `cmp[3-1]`, `"\q"`) so that these functions can say precisely what is wrong.
 * Offsets in problems are relative to the start of the token.
 */
import { MAX_HOSTS } from "../limits.js";

export interface LiteralProblem {
  readonly code: "UPG0104" | "UPG0105" | "UPG0106" | "UPG0107" | "UPG0108" | "UPG0109" | "UPG0112" | "UPG0113";
  readonly message: string;
  readonly help?: string;
  /** Relative to the token's start; the whole token when absent. */
  readonly start?: number;
  readonly end?: number;
}

export type Decoded<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: LiteralProblem };

/** Decoded value and every bad escape (a string with a bad escape still has a value). */
export function decodeString(image: string): { value: string; problems: LiteralProblem[] } {
  const problems: LiteralProblem[] = [];
  const terminated = image.length >= 2 && image.endsWith('"') && !endsWithEscapedQuote(image);
  if (!terminated) {
    problems.push({ code: "UPG0104", message: "unterminated string", help: 'close the string with `"` on the same line' });
  }
  const body = image.slice(1, terminated ? -1 : undefined);
  let value = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i] ?? "";
    if (c !== "\\") {
      value += c;
      continue;
    }
    const next = body[i + 1];
    const at = i + 1; // offset in the image: +1 for the opening quote
    if (next === '"' || next === "\\") {
      value += next;
      i++;
    } else if (next === "n") {
      value += "\n";
      i++;
    } else if (next === "t") {
      value += "\t";
      i++;
    } else if (next === "u") {
      const m = /^u\{([0-9a-fA-F]{1,6})\}/.exec(body.slice(i + 1));
      const code = m?.[1] !== undefined ? Number.parseInt(m[1], 16) : NaN;
      if (m && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff)) {
        value += String.fromCodePoint(code);
        i += m[0].length;
      } else {
        const len = m ? m[0].length + 1 : 2;
        problems.push({
          code: "UPG0105",
          message: m ? `\`\\${m[0]}\` is not a unicode scalar value` : "malformed unicode escape",
          help: "write a code point in hexadecimal between braces, such as `\\u{1F600}`",
          start: at,
          end: at + len,
        });
        i += len - 1;
      }
    } else {
      const shown = next === undefined ? "\\" : `\\${next}`;
      problems.push({
        code: "UPG0105",
        message: `unknown escape \`${shown}\` in string`,
        help: "the escapes are `\\\"`, `\\\\`, `\\n`, `\\t` and `\\u{…}`; write `\\\\` for a backslash",
        start: at,
        end: at + shown.length,
      });
      if (next !== undefined) {
        value += next;
        i++;
      }
    }
  }
  return { value, problems };
}

function endsWithEscapedQuote(image: string): boolean {
  // `"abc\"` ends in a quote that is escaped: count the backslashes before it.
  let n = 0;
  for (let i = image.length - 2; i >= 1 && image[i] === "\\"; i--) n++;
  return n % 2 === 1;
}

const unitSeconds: Readonly<Record<string, number>> = { d: 86400, h: 3600, m: 60, s: 1 };
const unitOrder = "dhms";
const durationHelp = "write a duration with the units d, h, m and s, largest first: `30s`, `5m`, `2h`, `1d`, `1h30m`";

export function decodeDuration(image: string): Decoded<number> {
  const parts = [...image.matchAll(/(\d+)([A-Za-z]+)/g)];
  if (parts.map((p) => p[0]).join("") !== image) {
    return { ok: false, problem: { code: "UPG0106", message: `invalid duration \`${image}\``, help: durationHelp } };
  }
  let seconds = 0;
  let lastUnit = -1;
  for (const part of parts) {
    const unit = part[2] ?? "";
    const factor = unitSeconds[unit];
    if (factor === undefined) {
      const offset = (part.index ?? 0) + (part[1]?.length ?? 0);
      const hint = unit === "ms" ? "durations are whole seconds; write `1s` or more" : durationHelp;
      return { ok: false, problem: { code: "UPG0106", message: `unknown duration unit \`${unit}\` in \`${image}\``, help: hint, start: offset, end: offset + unit.length } };
    }
    const order = unitOrder.indexOf(unit);
    if (order <= lastUnit) {
      return { ok: false, problem: { code: "UPG0106", message: `units out of order in duration \`${image}\``, help: durationHelp } };
    }
    lastUnit = order;
    seconds += Number(part[1]) * factor;
  }
  if (!Number.isSafeInteger(seconds)) {
    return { ok: false, problem: { code: "UPG0106", message: `duration \`${image}\` is too long` } };
  }
  return { ok: true, value: seconds };
}

export function decodeInteger(image: string): Decoded<number> {
  const value = Number(image);
  if (!Number.isSafeInteger(value)) {
    return { ok: false, problem: { code: "UPG0113", message: `integer \`${image}\` is too large` } };
  }
  return { ok: true, value };
}

export function decodePercent(image: string): Decoded<number> {
  const value = Number(image.slice(0, -1));
  if (!Number.isFinite(value) || value > 100) {
    return { ok: false, problem: { code: "UPG0112", message: `percentage \`${image}\` is more than 100%`, help: "a share is between `0%` and `100%`" } };
  }
  return { ok: true, value };
}

export function decodeTimeOfDay(image: string): Decoded<{ hour: number; minute: number }> {
  const m = /^(\d{1,2}):(\d{2})$/.exec(image);
  const hour = Number(m?.[1]);
  const minute = Number(m?.[2]);
  const help = "write a time of day as `HH:MM` between `00:00` and `23:59` (`24:00` is the end of the day)";
  if (!m) return { ok: false, problem: { code: "UPG0107", message: `invalid time of day \`${image}\``, help } };
  if (minute > 59 || hour > 24 || (hour === 24 && minute !== 0)) {
    return { ok: false, problem: { code: "UPG0107", message: `\`${image}\` is not a time of day`, help } };
  }
  return { ok: true, value: { hour, minute } };
}

export function decodeDateTime(image: string): Decoded<{ year: number; month: number; day: number; hour: number; minute: number }> {
  const help = "write a date-time as `YYYY-MM-DDTHH:MM`, such as `2026-12-05T22:00`";
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(image);
  if (!m) return { ok: false, problem: { code: "UPG0108", message: `invalid date-time \`${image}\``, help } };
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as [number, number, number, number, number];
  const daysInMonth = month >= 1 && month <= 12 ? new Date(Date.UTC(year, month, 0)).getUTCDate() : 0;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) {
    return { ok: false, problem: { code: "UPG0108", message: `\`${image.slice(0, 10)}\` is not a calendar date`, help, start: 0, end: 10 } };
  }
  if (hour > 23 || minute > 59) {
    return { ok: false, problem: { code: "UPG0108", message: `\`${image.slice(11)}\` is not a time of day`, help: "hours run from 00 to 23 and minutes from 00 to 59", start: 11, end: image.length } };
  }
  return { ok: true, value: { year, month, day, hour, minute } };
}

export interface HostRangeParts {
  readonly prefix: string;
  readonly suffix: string;
  readonly from: number;
  readonly to: number;
  readonly width: number;
}

export function decodeHostRange(image: string): Decoded<HostRangeParts> {
  const open = image.indexOf("[");
  const close = image.indexOf("]", open);
  const prefix = image.slice(0, open);
  const inner = image.slice(open + 1, close);
  const suffix = image.slice(close + 1);
  const help = "write a host range as `cmp[001-240]` or `cmp[001:240]`: two numbers, the first not greater than the second";
  const innerProblem = (message: string): Decoded<HostRangeParts> => ({
    ok: false,
    problem: { code: "UPG0109", message, help, start: open, end: close + 1 },
  });
  const m = /^\s*(\d+)\s*[-:]\s*(\d+)\s*$/.exec(inner);
  if (!m || m[1] === undefined || m[2] === undefined) return innerProblem(`invalid host range \`[${inner}]\``);
  const from = Number(m[1]);
  const to = Number(m[2]);
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to)) return innerProblem(`host range \`[${inner}]\` is too large`);
  if (from > to) return innerProblem(`host range \`[${inner}]\` runs backwards`);
  if (to - from + 1 > MAX_HOSTS) return innerProblem(`host range \`[${inner}]\` names ${to - from + 1} hosts, more than the ${MAX_HOSTS} a plan may have`);
  if (suffix.startsWith("-") || suffix.includes("..")) return innerProblem(`invalid text \`${suffix}\` after host range`);
  const width = m[1].length > 1 && m[1].startsWith("0") ? m[1].length : 0;
  return { ok: true, value: { prefix, suffix, from, to, width } };
}
