/**
 * Ansible splits an INI host line with Python's `shlex.split(line, comments=True)` (POSIX
 * mode): quotes group, backslash escapes, and `#` starts a comment even in the middle of a
 * word (`pw=ab#cd` is `pw=ab`; that is why Ansible's docs quote such values). This is the
 * same split, keeping where each token lies in the line for diagnostics.
 */

export interface ShlexToken {
  /** The token with quotes removed and escapes applied. */
  readonly value: string;
  /** Offsets of the token's first character and one past its last, in the line. */
  readonly start: number;
  readonly end: number;
}

export type ShlexResult =
  | { readonly ok: true; readonly tokens: readonly ShlexToken[] }
  | { readonly ok: false; readonly message: string; readonly at: number };

export function shlexSplit(line: string): ShlexResult {
  const tokens: ShlexToken[] = [];
  let i = 0;
  while (i < line.length) {
    if (isSpace(line, i)) {
      i++;
      continue;
    }
    if (line[i] === "#") break;
    const start = i;
    // The token's text so far, and where the run of characters still to be copied as they are began.
    let value = "";
    let run = i;
    let done = false;
    while (i < line.length) {
      if (isSpace(line, i)) break;
      const ch = line[i];
      if (ch === "#") {
        done = true;
        break;
      }
      if (ch === "\\") {
        if (i + 1 >= line.length) return { ok: false, message: "no escaped character", at: i };
        value += line.slice(run, i) + line[i + 1];
        i += 2;
        run = i;
        continue;
      }
      if (ch === "'" || ch === '"') {
        value += line.slice(run, i);
        const open = i;
        i++;
        let closed = false;
        while (i < line.length) {
          const q = line[i];
          if (q === ch) {
            closed = true;
            i++;
            break;
          }
          if (ch === '"' && q === "\\" && (line[i + 1] === '"' || line[i + 1] === "\\")) {
            value += line[i + 1];
            i += 2;
            continue;
          }
          value += q;
          i++;
        }
        if (!closed) return { ok: false, message: "no closing quotation", at: open };
        run = i;
        continue;
      }
      i++;
    }
    value += line.slice(run, i);
    tokens.push({ value, start, end: i });
    if (done) break;
  }
  return { ok: true, tokens };
}

const UNICODE_SPACE = /\s/;

/** Whitespace as `\s` has it; tested by code for ASCII, the whole of a host line in practice. */
function isSpace(line: string, i: number): boolean {
  const c = line.charCodeAt(i);
  if (c < 128) return c === 32 || (c >= 9 && c <= 13);
  return UNICODE_SPACE.test(line.charAt(i));
}
