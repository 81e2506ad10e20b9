/**
 * Host lists as a person reads them: consecutive numbered names folded into ranges
 * (`cmp001..cmp012`), the count when there are several, and a bounded length whatever the
 * size of the list.
 */

interface NumberedName {
  readonly prefix: string;
  readonly digits: string;
  readonly suffix: string;
  readonly value: number;
}

/**
 * A name split around its last run of digits (`cmp` `0042` `-b`), as /^(.*?)(\d+)(\D*)$/
 * splits it; null without digits, or with more than 15 in the run. Read from the end by
 * hand: the previews split each of 10,000 host names two or three times.
 */
export function numbered(name: string): NumberedName | null {
  let end = name.length;
  while (end > 0 && !isDigit(name.charCodeAt(end - 1))) end--;
  if (end === 0) return null;
  let start = end - 1;
  while (start > 0 && isDigit(name.charCodeAt(start - 1))) start--;
  if (end - start > 15) return null;
  const prefix = name.slice(0, start);
  // The pattern's `.` stops at a line break: such a prefix does not match.
  if (LINE_BREAK.test(prefix)) return null;
  const digits = name.slice(start, end);
  return { prefix, digits, suffix: name.slice(end), value: Number(digits) };
}

const LINE_BREAK = /[\n\r\u2028\u2029]/;

/** An ASCII digit, as \d matches (without the u flag). */
function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** Natural order: `cmp2` before `cmp10`; names with the same stem by the width, then the value, of their number. */
export function compareHostNames(a: string, b: string): number {
  return compareNamed({ name: a, parts: numbered(a) }, { name: b, parts: numbered(b) });
}

interface Named {
  readonly name: string;
  readonly parts: NumberedName | null;
}

function compareNamed(a: Named, b: Named): number {
  const na = a.parts;
  const nb = b.parts;
  if (na && nb && na.prefix === nb.prefix && na.suffix === nb.suffix) return na.digits.length - nb.digits.length || na.value - nb.value;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Runs of consecutive names: ["cmp001..cmp004", "cmp007", "ctl01", "ctl02"]; two in a row stay two names. */
export function hostRuns(hosts: readonly string[]): string[] {
  return runsOf([...new Set(hosts)]);
}

function runsOf(distinct: readonly string[]): string[] {
  // Each name is split once, not at each of the sort's comparisons.
  const sorted = distinct.map((name): Named => ({ name, parts: numbered(name) })).sort(compareNamed);
  const runs: string[] = [];
  let first: string | null = null;
  let last: string | null = null;
  let length = 0;
  let lastParts: NumberedName | null = null;
  const close = (): void => {
    if (first === null || last === null) return;
    // Two names read better as themselves than as a range.
    if (length <= 2) runs.push(...(first === last ? [first] : [first, last]));
    else runs.push(`${first}..${last}`);
  };
  for (const { name, parts } of sorted) {
    const follows =
      parts !== null &&
      lastParts !== null &&
      parts.prefix === lastParts.prefix &&
      parts.suffix === lastParts.suffix &&
      // cmp009..cmp010 keep their width; unpadded cmp9..cmp10 grow by a digit
      (parts.digits.length === lastParts.digits.length || (!parts.digits.startsWith("0") && !lastParts.digits.startsWith("0"))) &&
      parts.value === lastParts.value + 1;
    if (!follows) {
      close();
      first = name;
      length = 0;
    }
    last = name;
    length++;
    lastParts = parts;
  }
  close();
  return runs;
}

/**
 * `ctl01`, `cmp001..cmp012 (12 hosts)`, `cmp001..cmp003, cmp007, … 5 more ranges (40 hosts)`:
 * at most `maxRuns` runs, so a batch of 5,000 hosts stays one short line.
 */
export function summariseHosts(hosts: readonly string[], maxRuns = 4): string {
  const distinct = [...new Set(hosts)];
  const count = distinct.length;
  if (count === 0) return "no hosts";
  const runs = runsOf(distinct);
  const shown = runs.slice(0, maxRuns).join(", ");
  const more = runs.length > maxRuns ? `, … ${runs.length - maxRuns} more ${runs.length - maxRuns === 1 ? "range" : "ranges"}` : "";
  return count === 1 ? shown : `${shown}${more} (${count} hosts)`;
}
