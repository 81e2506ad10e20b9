/**
 * YAML as Ansible reads it (PyYAML, YAML 1.1: `yes`/`no`/`on`/`off` are booleans, `010` is
 * octal), with positions kept for diagnostics. Shared by the YAML inventory form and the
 * group_vars/ and host_vars/ files.
 */
import { isMap, isScalar, parseDocument, type Document, type Node, type ScalarTag, type Tags } from "yaml";
import { type Diagnostic, type Span, diag } from "../diagnostics/diagnostic.js";

/** `!vault` values are encrypted with a password we do not have; `!unsafe` only stops templating. */
const ansibleTags: ScalarTag[] = [
  { tag: "!vault", resolve: () => "(vault-encrypted)" },
  { tag: "!unsafe", resolve: (value: string) => value },
];

/**
 * PyYAML's booleans, narrower than YAML 1.1's: `y` and `n` stay strings (a host var
 * `rack: n` is the letter). The rest of the 1.1 schema matches PyYAML for inventory values.
 */
const BOOL = "tag:yaml.org,2002:bool";
const pyYamlBools: ScalarTag[] = [
  { tag: BOOL, default: true, identify: (v) => v === true, test: /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/, resolve: () => true },
  { tag: BOOL, default: true, identify: (v) => v === false, test: /^(?:no|No|NO|false|False|FALSE|off|Off|OFF)$/, resolve: () => false },
];

const customTags = (tags: Tags): Tags => [...tags.filter((t) => typeof t !== "object" || t.tag !== BOOL), ...pyYamlBools, ...ansibleTags];

export function parseYaml(text: string, file: string, into: Diagnostic[]): Document.Parsed {
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { version: "1.1", prettyErrors: false, uniqueKeys: false, customTags, keepSourceTokens: false });
  } catch (error) {
    // The YAML parser recurses once per level of nesting, and `a: b: c: …` nests on one
    // line: a hostile file exhausts the stack. That is the file's error, not ours.
    if (!(error instanceof RangeError)) throw error;
    into.push(diag("UPG0307", {
      message: "YAML syntax error: the file nests deeper than the YAML parser can follow",
      span: { file, start: 0, end: 0 },
      help: "an inventory nests a few levels (all → children → group → hosts → host → vars): check for a line with many `key:` in a row",
    }));
    return parseDocument("");
  }
  // The first error only: the parser's later ones are mostly consequences of it.
  for (const error of doc.errors.slice(0, 1)) {
    // The parser can place an error one past the end of the text (an unclosed `{`).
    const start = Math.min(error.pos[0], text.length);
    const end = Math.min(Math.max(error.pos[1], start), text.length);
    into.push(diag("UPG0307", {
      message: `YAML syntax error: ${firstLine(error.message)}`,
      span: { file, start, end },
      help: "fix the YAML: check the indentation and that every key ends with ': '",
    }));
  }
  return doc;
}

function firstLine(message: string): string {
  const line = message.split("\n")[0] ?? message;
  return line.replace(/\.$/, "").replace(/^./, (c) => c.toLowerCase());
}

export function nodeSpan(node: Node | null | undefined, file: string, fallback: Span): Span {
  const range = node?.range;
  return range ? { file, start: range[0], end: range[1] } : fallback;
}

/** A mapping's entries by key, the last value winning (as PyYAML builds a dict), with a warning at each repeat. */
export function mapEntries(node: Node, file: string, into: Diagnostic[]): { key: string; keySpan: Span; value: Node | null }[] {
  if (!isMap(node)) return [];
  const out = new Map<string, { key: string; keySpan: Span; value: Node | null }>();
  for (const pair of node.items) {
    const keyNode = pair.key as Node | null;
    const key = isScalar(keyNode) ? String(keyNode.value) : keyNode ? String(keyNode.toJSON()) : "";
    const keySpan = nodeSpan(keyNode, file, { file, start: node.range?.[0] ?? 0, end: node.range?.[0] ?? 0 });
    const value = (pair.value as Node | null) ?? null;
    const earlier = out.get(key);
    if (earlier) {
      into.push(diag("UPG0315", {
        message: `duplicate key '${key}': the last one wins`,
        span: keySpan,
        labels: [{ span: earlier.keySpan, message: "first given here" }],
        help: "remove one of the two, or merge them",
      }));
      out.set(key, { key, keySpan: earlier.keySpan, value });
    } else out.set(key, { key, keySpan, value });
  }
  return [...out.values()];
}

/** True for a missing value or an explicit null (`hosts:` with nothing after). */
export function isNullNode(node: Node | null): boolean {
  return node === null || (isScalar(node) && node.value === null);
}

/** A node's plain value; scalars directly (the common case, and much cheaper than toJS). */
export function jsValue(node: Node | null, doc: Document.Parsed): unknown {
  if (node === null) return null;
  if (isScalar(node)) return node.value;
  try {
    return node.toJS(doc);
  } catch {
    // toJS refuses alias bombs (too many aliases); keep the text rather than expand it.
    return String(node);
  }
}
