/**
 * Writes the grammar's documentation and the CST types from the parser:
 *   npx tsx grammar/generate.ts
 * test/parser/grammar-docs.test.ts fails when a checked-in file differs from what this writes.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { generatedGrammarFiles } from "../src/parser/grammar-docs.js";

const root = join(import.meta.dirname, "..");
for (const file of generatedGrammarFiles()) {
  writeFileSync(join(root, file.path), file.text);
  console.log(`wrote ${file.path}`);
}
