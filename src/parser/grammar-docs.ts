/**
 * The grammar as documentation, derived from the parser itself so it cannot drift:
 * grammar/upg.ebnf (W3C EBNF, as railroad-diagram tools read it), grammar/upg-diagrams.html
 * (chevrotain's syntax diagrams) and the CST types the AST builder is written against.
 * grammar/generate.ts writes them; test/parser/grammar-docs.test.ts fails when they are stale.
 */
import {
  Alternation,
  Alternative,
  createSyntaxDiagramsCode,
  generateCstDts,
  NonTerminal,
  Option,
  Repetition,
  RepetitionMandatory,
  RepetitionMandatoryWithSeparator,
  RepetitionWithSeparator,
  Terminal,
  type IProduction,
  type TokenType,
} from "chevrotain";
import { upgParser } from "./grammar.js";
import { AnyToken, DateTime, Duration, HostRange, Identifier, Integer, keywords, Name, Percent, StringLiteral, TimeOfDay } from "./tokens.js";

/** The lexical tokens that are not spelled literally, with their definition. */
const lexicalRules: readonly { readonly token: TokenType; readonly ebnf: string; readonly note: string }[] = [
  { token: Name, ebnf: "IDENTIFIER | KEYWORD", note: "keywords are contextual: any keyword may be used as a name" },
  { token: Identifier, ebnf: "[A-Za-z_] [A-Za-z0-9_-]* ( '.' [A-Za-z0-9_] [A-Za-z0-9_-]* )*", note: "qualified with dots: openstack.nova-compute, ctl01.example.com" },
  { token: StringLiteral, ebnf: "'\"' ( [^\"\\#xA] | '\\' ( '\"' | '\\' | 'n' | 't' | 'u{' [0-9a-fA-F]+ '}' ) )* '\"'", note: "escapes: \\\" \\\\ \\n \\t \\u{1F600}" },
  { token: Duration, ebnf: "( [0-9]+ ( 'd' | 'h' | 'm' | 's' ) )+", note: "30s 5m 2h 1d 1h30m; units from largest to smallest" },
  { token: Integer, ebnf: "[0-9]+", note: "" },
  { token: Percent, ebnf: "[0-9]+ '%'", note: "0% to 100%" },
  { token: TimeOfDay, ebnf: "[0-9] [0-9]? ':' [0-9] [0-9]", note: "00:00 to 23:59, and 24:00 as the end of a day" },
  { token: DateTime, ebnf: "[0-9]{4} '-' [0-9]{2} '-' [0-9]{2} 'T' [0-9]{2} ':' [0-9]{2}", note: "a calendar date and a time of day, local to the given zone" },
  {
    token: HostRange,
    ebnf: "[A-Za-z_] [A-Za-z0-9_.-]* '[' [0-9]+ ( '-' | ':' ) [0-9]+ ']' [A-Za-z0-9_.-]*",
    note: "cmp[001-240] or cmp[001:240]; a lower bound written with a leading 0 sets the zero padding",
  },
  { token: AnyToken, ebnf: "/* any token but '{' and '}' */", note: "what an unknown statement is skipped over with, so parsing goes on" },
];

function terminalName(type: TokenType): string {
  const label = type.LABEL;
  if (typeof label === "string" && label.startsWith("`") && label.endsWith("`")) return `'${label.slice(1, -1)}'`;
  return ebnfTokenName(type);
}

function ebnfTokenName(type: TokenType): string {
  if (type === Name) return "NAME";
  if (type === StringLiteral) return "STRING";
  if (type === Identifier) return "IDENTIFIER";
  if (type === AnyToken) return "ANY";
  if (type === HostRange) return "HOST_RANGE";
  if (type === TimeOfDay) return "TIME_OF_DAY";
  if (type === DateTime) return "DATE_TIME";
  return type.name.toUpperCase();
}

function seq(productions: readonly IProduction[]): string {
  return productions.map(item).filter((s) => s.length > 0).join(" ");
}

function group(productions: readonly IProduction[]): string {
  const inner = seq(productions);
  return productions.length === 1 ? inner : `( ${inner} )`;
}

function item(p: IProduction): string {
  if (p instanceof Terminal) return terminalName(p.terminalType);
  if (p instanceof NonTerminal) return p.nonTerminalName;
  if (p instanceof Option) return `${group(p.definition)}?`;
  if (p instanceof Repetition) return `${group(p.definition)}*`;
  if (p instanceof RepetitionMandatory) return `${group(p.definition)}+`;
  if (p instanceof RepetitionMandatoryWithSeparator) {
    const one = seq(p.definition);
    return `${one} ( ${terminalName(p.separator)} ${one} )*`;
  }
  if (p instanceof RepetitionWithSeparator) {
    const one = seq(p.definition);
    return `( ${one} ( ${terminalName(p.separator)} ${one} )* )?`;
  }
  if (p instanceof Alternation) {
    const alternatives = p.definition.map((alt) => seq((alt as Alternative).definition));
    return alternatives.length === 1 ? (alternatives[0] ?? "") : `( ${alternatives.join(" | ")} )`;
  }
  if (p instanceof Alternative) return seq(p.definition);
  return "";
}

/** A top-level alternation reads better as one alternative per line. */
function ruleBody(definition: readonly IProduction[]): string {
  const only = definition[0];
  if (definition.length === 1 && only instanceof Alternation) {
    return only.definition.map((alt) => seq((alt as Alternative).definition)).join("\n    | ");
  }
  return seq(definition);
}

export function grammarEbnf(): string {
  const productions = upgParser().getGAstProductions();
  const lines: string[] = [
    "/* The grammar of .upg files (W3C EBNF).",
    " * GENERATED from src/parser/grammar.ts by `npx tsx grammar/generate.ts`; do not edit.",
    " * docs/language.md is the guide. Comments run from '#' to the end of the line; newlines",
    " * are not significant; ';' may end any statement. A word that begins no statement of its",
    " * block is reported with the nearest keyword (unknownStatement) and parsing goes on. */",
    "",
  ];
  for (const [name, rule] of Object.entries(productions)) {
    const doc = ruleDocs[name];
    if (doc) lines.push(`/* ${doc} */`);
    lines.push(`${name} ::= ${ruleBody(rule.definition)}`, "");
  }
  lines.push("/* ---- lexical rules ---- */", "");
  for (const rule of lexicalRules) {
    if (rule.note) lines.push(`/* ${rule.note} */`);
    lines.push(`${ebnfTokenName(rule.token)} ::= ${rule.ebnf}`, "");
  }
  lines.push(`KEYWORD ::= ${keywords.map((k) => `'${k}'`).join(" | ")}`, "");
  lines.push("/* skipped between tokens */", "WHITESPACE ::= [ #x9#xA#xD#xC#xB#xA0#xFEFF]+", "COMMENT ::= '#' [^#xA#xD]*", "");
  return lines.join("\n");
}

const ruleDocs: Readonly<Record<string, string>> = {
  file: "a .upg file: declarations in any order",
  unknownStatement: "not a statement: reported as `unknown statement`, skipped up to the next statement keyword of the block",
  rebootStatement: "reboot [COMMAND] [window NAME] [takes DURATION] [{ options }]",
  durationOption: "every, within, healthy-for and on-deadline belong to a health check",
  duration: "a bare INTEGER is an error (a duration needs a unit); accepted only to say so",
};

export function syntaxDiagramsHtml(): string {
  return createSyntaxDiagramsCode(upgParser().getSerializedGastProductions());
}

/**
 * CST types. Every child is optional: after error recovery a node may lack even the tokens
 * its rule requires, and the AST builder must not trust the grammar there.
 */
export function cstDts(): string {
  const header = "// GENERATED from src/parser/grammar.ts by `npx tsx grammar/generate.ts`; do not edit.\n";
  const dts = generateCstDts(upgParser().getGAstProductions(), { visitorInterfaceName: "UpgCstVisitor" });
  return header + dts.replace(/(CstChildren = \{)([^}]*)(\};)/g, (_m, open: string, body: string, close: string) => open + body.replace(/^( {2}\w+): /gm, "$1?: ") + close);
}

/** The generated files, by path relative to the repository root. */
export function generatedGrammarFiles(): readonly { readonly path: string; readonly text: string }[] {
  return [
    { path: "grammar/upg.ebnf", text: grammarEbnf() },
    { path: "grammar/upg-diagrams.html", text: syntaxDiagramsHtml() },
    { path: "src/parser/upg.cst.d.ts", text: cstDts() },
  ];
}
