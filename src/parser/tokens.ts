/**
 * The tokens of `.upg`, in the order the lexer tries them.
 *
 * Keywords are contextual: every keyword token also belongs to the `Name` category, so a
 * service, group, window or host may be called `control`, `window` or `data`. Literals are
 * lexed leniently (`5x` is one DurationLike token, `cmp[1-]` one HostRange token) so the
 * AST builder can say what is wrong with them instead of the lexer giving up on a character.
 */
import { createToken, Lexer, type TokenType } from "chevrotain";

/** Anything a name is expected at: an identifier or any keyword. */
export const Name = createToken({ name: "Name", pattern: Lexer.NA, label: "a name" });
/** Every token but `{` and `}`: what an unknown statement may skip over. */
export const AnyToken = createToken({ name: "AnyToken", pattern: Lexer.NA, label: "a token" });

export const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[ \t\r\n\f\v\u00a0\ufeff]+/, group: Lexer.SKIPPED });
export const Comment = createToken({ name: "Comment", pattern: /#[^\n\r]*/, group: Lexer.SKIPPED });

/** `2026-12-05T22:00`; digits counted loosely so a wrong date gets a precise diagnostic. */
export const DateTime = createToken({
  name: "DateTime",
  pattern: /\d{4}-\d{1,2}-\d{1,2}T\d{1,2}:\d{1,2}/,
  label: "a date-time",
  categories: [AnyToken],
});
/** `22:00`. */
export const TimeOfDay = createToken({ name: "TimeOfDay", pattern: /\d{1,2}:\d{1,2}/, label: "a time of day", categories: [AnyToken] });
export const Percent = createToken({ name: "Percent", pattern: /\d+%/, label: "a percentage", categories: [AnyToken] });
/** `30s`, `1h30m`, and also `5x` (a digit run followed by letters), checked when the AST is built. */
export const Duration = createToken({ name: "Duration", pattern: /\d+[A-Za-z][A-Za-z0-9]*/, label: "a duration", categories: [AnyToken] });
export const Integer = createToken({ name: "Integer", pattern: /\d+/, label: "an integer", categories: [AnyToken] });
/** A string; the closing quote is optional here so an unterminated string is one diagnostic, not a cascade. */
export const StringLiteral = createToken({
  name: "StringLiteral",
  pattern: /"(?:[^"\\\n\r]|\\[^\n\r])*"?/,
  label: "a string",
  categories: [AnyToken],
});
/** `'...'`: not a string of the language, lexed so it is reported once, as a string, with the fix. */
export const SingleQuotedString = createToken({
  name: "SingleQuotedString",
  pattern: /'[^'\n\r]*'?/,
  label: "a string",
  categories: [StringLiteral, AnyToken],
});
/** `cmp[001-240]`, `cmp[1:3].example.com`; the part in brackets is checked when the AST is built. */
export const HostRange = createToken({
  name: "HostRange",
  pattern: /[A-Za-z_][A-Za-z0-9_.-]*\[[^\]\n\r"[{}]*\][A-Za-z0-9_.-]*/,
  start_chars_hint: [..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_"],
  label: "a host range",
  categories: [AnyToken],
});
/** A name, possibly qualified with dots: `nova-compute`, `openstack.nova-compute`, `ctl01.example.com`. */
export const Identifier = createToken({
  name: "Identifier",
  pattern: /[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_][A-Za-z0-9_-]*)*/,
  label: "a name",
  categories: [Name, AnyToken],
});

export const LCurly = createToken({ name: "LCurly", pattern: "{", label: "`{`" });
export const RCurly = createToken({ name: "RCurly", pattern: "}", label: "`}`" });
export const LBracket = createToken({ name: "LBracket", pattern: "[", label: "`[`", categories: [AnyToken] });
export const RBracket = createToken({ name: "RBracket", pattern: "]", label: "`]`", categories: [AnyToken] });
export const Comma = createToken({ name: "Comma", pattern: ",", label: "`,`", categories: [AnyToken] });
export const Equals = createToken({ name: "Equals", pattern: "=", label: "`=`", categories: [AnyToken] });
export const Semicolon = createToken({ name: "Semicolon", pattern: ";", label: "`;`", categories: [AnyToken] });
export const DotDot = createToken({ name: "DotDot", pattern: "..", label: "`..`", categories: [AnyToken] });

/** Keyword spellings, for editors and the docs (the TextMate grammar is checked against this list). */
export const keywords = [
  "after",
  "as",
  "backoff",
  "batch",
  "before",
  "by",
  "cancel",
  "capacity-var",
  "checkpoint",
  "cleanup",
  "concurrency",
  "connection",
  "continuous",
  "contract",
  "count-var",
  "cutoff",
  "cwd",
  "days",
  "deadline",
  "deploy",
  "done",
  "enter",
  "env",
  "evacuate",
  "every",
  "exec",
  "exit",
  "expand",
  "extends",
  "facts",
  "file",
  "from",
  "grace",
  "health",
  "healthy-for",
  "hosts",
  "inventory",
  "irreversible",
  "kind",
  "maintenance",
  "max-failures",
  "max-unavailable",
  "method",
  "migrate",
  "needs-new",
  "never-newer-than",
  "note",
  "notify",
  "on",
  "on-deadline",
  "once",
  "order",
  "parallelism",
  "pause",
  "per",
  "pin",
  "plan",
  "plane",
  "postcheck",
  "precheck",
  "probe",
  "reboot",
  "restore",
  "retries",
  "rollback",
  "rolling",
  "run",
  "secret",
  "service",
  "shell",
  "skew",
  "start",
  "stop",
  "tags",
  "takes",
  "template",
  "then",
  "timeout",
  "to",
  "undo",
  "unpin",
  "upgrade",
  "urgent",
  "use",
  "uses",
  "var",
  "version",
  "window",
  "within",
  "zone",
] as const;

export type Keyword = (typeof keywords)[number];

function keywordTokenName(spelling: string): string {
  return "Kw" + spelling.split("-").map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join("");
}

/** The keyword token of each spelling. */
export const keywordTokens: Readonly<Record<Keyword, TokenType>> = Object.fromEntries(
  keywords.map((spelling) => [
    spelling,
    createToken({
      name: keywordTokenName(spelling),
      pattern: spelling,
      longer_alt: Identifier,
      label: `\`${spelling}\``,
      categories: [Name, AnyToken],
    }),
  ]),
) as Record<Keyword, TokenType>;

/** Longest spelling first, so `on-deadline` and `once` are tried before `on`. */
const keywordsByLength = [...keywords].sort((a, b) => b.length - a.length || (a < b ? -1 : 1)).map((k) => keywordTokens[k]);

export const allTokens: readonly TokenType[] = [
  WhiteSpace,
  Comment,
  Name,
  AnyToken,
  DateTime,
  TimeOfDay,
  Percent,
  Duration,
  Integer,
  StringLiteral,
  SingleQuotedString,
  HostRange,
  ...keywordsByLength,
  Identifier,
  LCurly,
  RCurly,
  LBracket,
  RBracket,
  Comma,
  Equals,
  Semicolon,
  DotDot,
];

/**
 * The lexer's options. Its validations (unreachable patterns, a lexer that cannot be
 * optimized) are skipped at every start; a test runs them with `skipValidations: false`.
 */
export const LEXER_CONFIG = { positionTracking: "full", ensureOptimizations: true, skipValidations: true } as const;

let lexer: Lexer | undefined;

/** One lexer for every file (it holds no per-input state), made when it is first needed. */
export function upgLexer(): Lexer {
  return (lexer ??= new Lexer([...allTokens], LEXER_CONFIG));
}
