/**
 * Our wording of chevrotain's syntax errors, in rustc's style: lowercase, no final period,
 * "expected X, found Y".
 */
import { EOF, type IParserErrorMessageProvider, type IToken, type TokenType } from "chevrotain";

/** What a rule stands for when none of its alternatives matched. */
const ruleDescriptions: Readonly<Record<string, string>> = {
  command: "a command (`[\"argv\", ...]`, `shell \"...\"` or `uses \"module.ts#export\"`)",
  duration: "a duration such as `30s`, `5m` or `1h30m`",
  amount: "a count or a percentage",
  hostSelection: "a host, a host range or a group",
  nameList: "a name",
  useDecl: "a module name or a quoted file path",
  varDecl: "a string or a list of strings",
  secretDecl: "`env` or `file`",
  undoOption: "a command or `irreversible`",
  skewStatement: "`needs-new` or `never-newer-than`",
  serviceDecl: "`service` or `template`",
};

export function describeToken(token: IToken): string {
  if (token.tokenType === EOF) return "end of file";
  const image = token.image;
  if (image.length === 0) return describeType(token.tokenType);
  if (image.length > 24) return describeType(token.tokenType);
  return "`" + image + "`";
}

export function describeType(type: TokenType): string {
  if (type === EOF) return "end of file";
  return typeof type.LABEL === "string" ? type.LABEL : type.name;
}

export function oneOf(items: readonly string[]): string {
  const unique = [...new Set(items)];
  if (unique.length <= 1) return unique[0] ?? "something else";
  if (unique.length === 2) return `${unique[0]} or ${unique[1]}`;
  return `one of ${unique.slice(0, -1).join(", ")} or ${unique[unique.length - 1]}`;
}

function firstTokens(paths: readonly (readonly TokenType[])[]): string[] {
  return paths.map((p) => p[0]).filter((t): t is TokenType => t !== undefined).map(describeType);
}

export const upgErrorMessages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual }) {
    return `expected ${describeType(expected)}, found ${describeToken(actual)}`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    return `unexpected ${describeToken(firstRedundant)}`;
  },
  buildNoViableAltMessage({ expectedPathsPerAlt, actual, ruleName }) {
    const found = actual[0] ? describeToken(actual[0]) : "end of file";
    const wanted = ruleDescriptions[ruleName] ?? oneOf(expectedPathsPerAlt.flatMap((alt) => firstTokens(alt)));
    return `expected ${wanted}, found ${found}`;
  },
  buildEarlyExitMessage({ expectedIterationPaths, actual, ruleName, customUserDescription }) {
    const found = actual[0] ? describeToken(actual[0]) : "end of file";
    const wanted = customUserDescription ?? ruleDescriptions[ruleName] ?? oneOf(firstTokens(expectedIterationPaths));
    return `expected ${wanted}, found ${found}`;
  },
};
