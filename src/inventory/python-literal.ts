/**
 * Ansible types an INI value by handing it to Python's `ast.literal_eval` and keeping the
 * text as a string when that fails (plugins/inventory/ini.py, `_parse_value`). This module
 * does the same for the literals an inventory holds, so that a plan reads the same values
 * Ansible would:
 *   - `12`, `-3`, `0x1f`, `1_000` → numbers; `012` is a Python syntax error, so it stays the
 *     string "012" (rack and unit numbers keep their padding);
 *   - `1.5`, `1e3` → numbers;
 *   - `True` / `False` → booleans. `true`, `yes`, `no` are *not* Python literals: Ansible keeps
 *     them as strings (its `bool` filter reads them later), and so do we;
 *   - `'a b'`, `"x"` → the string inside the quotes (escapes decoded);
 *   - `[..]`, `(..)`, `{..}` → lists and dicts;
 *   - `None` → null;
 *   - anything else (`az1`, `10.0.0.1`, `ubuntu # comment`) → the text unchanged.
 * A trailing `# comment` is ignored by Python's tokenizer, so `8080 # http` is 8080 while
 * `ubuntu # admin` (not a literal) is the whole string: that is what Ansible does with a
 * `[group:vars]` line.
 */

export type PyValue = string | number | boolean | null | PyValue[] | { readonly [key: string]: PyValue };

/** The value Ansible gives an INI value: a Python literal when the text is one, else the text. */
export function ansibleIniValue(text: string): PyValue {
  const parsed = new LiteralReader(text).readWhole();
  return parsed === NOT_A_LITERAL ? text : parsed;
}

/** The names ast.literal_eval reads as values. */
const PYTHON_NAMES: ReadonlyMap<string, PyValue> = new Map<string, PyValue>([
  ["True", true],
  ["False", false],
  ["None", null],
]);

const NOT_A_LITERAL = Symbol("not a literal");
type Parsed = PyValue | typeof NOT_A_LITERAL;

const STRING_PREFIX = /^(?:[rRuU]|[bB]|[bB][rR]|[rR][bB])?(?='|")/;
const NUMBER =
  /^(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|(?:(?:\d(?:_?\d)*)?\.\d(?:_?\d)*|\d(?:_?\d)*\.?)(?:[eE][+-]?\d(?:_?\d)*)?[jJ]?)/;

/**
 * Python's tokenizer refuses more than 200 nested brackets ("too many nested parentheses",
 * a SyntaxError), so Ansible keeps such a value as text; reading stops there too, before
 * the recursion could exhaust the stack on hostile input.
 */
const MAX_NESTING = 200;

class LiteralReader {
  private pos = 0;
  private depth = 0;
  constructor(private readonly text: string) {}

  readWhole(): Parsed {
    const value = this.readValue();
    if (value === NOT_A_LITERAL) return NOT_A_LITERAL;
    this.skipSpace();
    return this.pos === this.text.length ? value : NOT_A_LITERAL;
  }

  /** Whitespace, and comments to the end of the line, as Python's tokenizer skips them. */
  private skipSpace(): void {
    while (this.pos < this.text.length) {
      const c = this.text[this.pos];
      if (c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f") this.pos++;
      else if (c === "#") {
        const nl = this.text.indexOf("\n", this.pos);
        this.pos = nl < 0 ? this.text.length : nl;
      } else break;
    }
  }

  private readValue(): Parsed {
    this.skipSpace();
    const rest = this.text.slice(this.pos);
    const c = rest[0];
    if (c === undefined) return NOT_A_LITERAL;
    if (c === "[" || c === "(" || c === "{") {
      if (this.depth >= MAX_NESTING) return NOT_A_LITERAL;
      this.depth++;
      const value = c === "[" ? this.readSequence("]") : c === "(" ? this.readSequence(")") : this.readBraces();
      this.depth--;
      return value;
    }
    if (c === "+" || c === "-") {
      this.pos++;
      this.skipSpace();
      const n = this.readNumber();
      if (typeof n === "number") return c === "-" ? -n : n;
      if (typeof n === "string") return c === "-" ? `-${n}` : n;
      return NOT_A_LITERAL;
    }
    const prefix = STRING_PREFIX.exec(rest);
    if (prefix) return this.readStrings();
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest)?.[0];
    if (word !== undefined) {
      // Only these three names; a Map, so that `toString` or `constructor` is not found on
      // an object's prototype.
      const value = PYTHON_NAMES.get(word);
      if (value === undefined) return NOT_A_LITERAL;
      this.pos += word.length;
      return value;
    }
    if (/^[0-9.]/.test(rest)) return this.readNumber();
    return NOT_A_LITERAL;
  }

  /** A number; a complex literal (`2j`) comes back as its text, as Ansible turns it into a string. */
  private readNumber(): number | string | typeof NOT_A_LITERAL {
    const m = NUMBER.exec(this.text.slice(this.pos));
    if (!m || m[0] === "." || m[0] === "") return NOT_A_LITERAL;
    const raw = m[0];
    const after = this.text[this.pos + raw.length];
    // `10.0.0.1`, `1abc`: Python fails to tokenize or sees two tokens, so not a literal.
    if (after !== undefined && /[A-Za-z0-9_.'"]/.test(after)) return NOT_A_LITERAL;
    this.pos += raw.length;
    if (/[jJ]$/.test(raw)) return raw;
    const digits = raw.replace(/_/g, "");
    if (/^0[xX]/.test(digits)) return parseInt(digits.slice(2), 16);
    if (/^0[oO]/.test(digits)) return parseInt(digits.slice(2), 8);
    if (/^0[bB]/.test(digits)) return parseInt(digits.slice(2), 2);
    // Python 3 rejects a decimal integer with a leading zero ("leading zeros ... not permitted").
    if (/^0\d*$/.test(digits) && /[1-9]/.test(digits)) return NOT_A_LITERAL;
    return Number(digits);
  }

  /** One or more adjacent string literals ("a" 'b' concatenate, as in Python). */
  private readStrings(): Parsed {
    let out = "";
    let any = false;
    while (true) {
      this.skipSpace();
      const prefix = STRING_PREFIX.exec(this.text.slice(this.pos));
      if (!prefix) break;
      this.pos += prefix[0].length;
      const s = this.readString(/[rR]/.test(prefix[0]));
      if (s === NOT_A_LITERAL) return NOT_A_LITERAL;
      out += s;
      any = true;
    }
    return any ? out : NOT_A_LITERAL;
  }

  private readString(raw: boolean): string | typeof NOT_A_LITERAL {
    const text = this.text;
    const q = text[this.pos] ?? "";
    const triple = text.startsWith(q.repeat(3), this.pos);
    const close = triple ? q.repeat(3) : q;
    this.pos += close.length;
    let out = "";
    while (this.pos < text.length) {
      if (text.startsWith(close, this.pos)) {
        this.pos += close.length;
        return out;
      }
      const c = text[this.pos] ?? "";
      if (c === "\n" && !triple) return NOT_A_LITERAL;
      if (c === "\\") {
        const n = text[this.pos + 1];
        if (n === undefined) return NOT_A_LITERAL;
        if (raw) {
          out += c + n;
          this.pos += 2;
          continue;
        }
        const decoded = this.readEscape();
        if (decoded === NOT_A_LITERAL) return NOT_A_LITERAL;
        out += decoded;
        continue;
      }
      out += c;
      this.pos++;
    }
    return NOT_A_LITERAL;
  }

  private readEscape(): string | typeof NOT_A_LITERAL {
    const text = this.text;
    const n = text[this.pos + 1] ?? "";
    const simple: Record<string, string> = { "\n": "", "\\": "\\", "'": "'", '"': '"', a: "\x07", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v" };
    if (n in simple) {
      this.pos += 2;
      return simple[n] ?? "";
    }
    const hex = (len: number): string | typeof NOT_A_LITERAL => {
      const digits = text.slice(this.pos + 2, this.pos + 2 + len);
      if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(digits)) return NOT_A_LITERAL;
      this.pos += 2 + len;
      return String.fromCodePoint(parseInt(digits, 16));
    };
    if (n === "x") return hex(2);
    if (n === "u") return hex(4);
    if (n === "U") return hex(8);
    const octal = /^[0-7]{1,3}/.exec(text.slice(this.pos + 1))?.[0];
    if (octal !== undefined) {
      this.pos += 1 + octal.length;
      return String.fromCodePoint(parseInt(octal, 8));
    }
    // Python keeps an unknown escape as written.
    this.pos += 2;
    return `\\${n}`;
  }

  private readSequence(close: "]" | ")"): Parsed {
    this.pos++;
    const items: PyValue[] = [];
    while (true) {
      this.skipSpace();
      if (this.text[this.pos] === close) {
        this.pos++;
        return items;
      }
      const item = this.readValue();
      if (item === NOT_A_LITERAL) return NOT_A_LITERAL;
      items.push(item);
      this.skipSpace();
      if (this.text[this.pos] === ",") this.pos++;
      else if (this.text[this.pos] !== close) return NOT_A_LITERAL;
    }
  }

  /** A dict, or a set (which Ansible turns into a list). */
  private readBraces(): Parsed {
    this.pos++;
    const dict: Record<string, PyValue> = {};
    const set: PyValue[] = [];
    let kind: "dict" | "set" | null = null;
    while (true) {
      this.skipSpace();
      if (this.text[this.pos] === "}") {
        this.pos++;
        return kind === "set" ? set : dict;
      }
      const key = this.readValue();
      if (key === NOT_A_LITERAL) return NOT_A_LITERAL;
      this.skipSpace();
      if (this.text[this.pos] === ":" && kind !== "set") {
        kind = "dict";
        this.pos++;
        const value = this.readValue();
        if (value === NOT_A_LITERAL) return NOT_A_LITERAL;
        dict[typeof key === "string" ? key : JSON.stringify(key)] = value;
      } else if (kind !== "dict") {
        kind = "set";
        set.push(key);
      } else return NOT_A_LITERAL;
      this.skipSpace();
      if (this.text[this.pos] === ",") this.pos++;
      else if (this.text[this.pos] !== "}") return NOT_A_LITERAL;
    }
  }
}
