/**
 * The examples of docs/language.md. A ```upg block is a whole file; a ```upg fragment block
 * is the body of a service, and is parsed wrapped in `service example { … }`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const DOC_PATH = join(import.meta.dirname, "..", "..", "docs", "language.md");

export interface DocBlock {
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly fragment: boolean;
  readonly code: string;
  /** What the parser reads: the code, wrapped when a fragment. */
  readonly source: string;
  /** Offset of the code within `source`. */
  readonly offset: number;
}

export const FRAGMENT_OPEN = "service example {\n";
export const FRAGMENT_CLOSE = "\n}\n";

export function docText(): string {
  return readFileSync(DOC_PATH, "utf8");
}

/** Every fenced block whose info string starts with `upg`; an unknown variant is an error, not a silent skip. */
export function upgBlocks(text: string): DocBlock[] {
  const blocks: DocBlock[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)(?:\s+(.*))?$/.exec(lines[i] ?? "");
    if (!open) continue;
    const end = lines.findIndex((l, j) => j > i && l === "```");
    if (end < 0) throw new Error(`docs/language.md:${i + 1}: unclosed code block`);
    if (open[1] === "upg") {
      const variant = (open[2] ?? "").trim();
      if (variant !== "" && variant !== "fragment") throw new Error(`docs/language.md:${i + 1}: unknown block kind \`upg ${variant}\``);
      const code = lines.slice(i + 1, end).join("\n") + "\n";
      const fragment = variant === "fragment";
      blocks.push({
        line: i + 1,
        fragment,
        code,
        source: fragment ? FRAGMENT_OPEN + code + FRAGMENT_CLOSE : code,
        offset: fragment ? FRAGMENT_OPEN.length : 0,
      });
    }
    i = end;
  }
  return blocks;
}
