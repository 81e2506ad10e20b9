/**
 * `npm run build`: the CLI as one ES module, dist/upgradec.mjs, which bin/upgradec.js loads,
 * with chunks beside it for each verb and what only some commands load, dist/spawner.mjs,
 * the process that starts a run's commands, dist/plan-file-worker.mjs, the
 * thread that writes the plan file for `compile -o`, and dist/plan-validator.cjs, the plan
 * schema's validator compiled once here instead of at every `run` (src/plan/validate.ts).
 *
 * One file because loading the sources and their dependencies module by module (chevrotain
 * alone is some 250 files) took 1.5 s of every command before it did anything; the bundle
 * loads in about a tenth of that. Left out, and loaded from node_modules when used:
 * ts-morph (the type check of TypeScript actions, loaded only for a plan that has one) and
 * tsx (running those actions), pg (a state kept in PostgreSQL). Type checking is `npm run typecheck`; this only bundles.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import standaloneCode from "ajv/dist/standalone/index.js";
import ajvFormats from "ajv-formats";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");

// dist/ holds only the bundle: nothing stale from an older layout.
rmSync(dist, { recursive: true, force: true });

// string-width sets up a text segmenter and Unicode regular expressions as its module loads:
// the bundle gets a stand-in that loads it when help text is first laid out.
const lazyStringWidth = {
  name: "lazy-string-width",
  setup(b) {
    b.onResolve({ filter: /^string-width$/ }, () => ({ path: join(root, "src", "cli", "lazy-string-width.ts") }));
  },
};

await build({
  // The plan file's writing thread (compile -o) is a module of its own, beside the bundle.
  // So is the process that starts a run's commands (src/runtime/spawner-process.ts).
  entryPoints: {
    upgradec: join(root, "src", "cli", "main.ts"),
    "plan-file-worker": join(root, "src", "cli", "plan-file-worker.ts"),
    spawner: join(root, "src", "runtime", "spawner-process.ts"),
  },
  outdir: dist,
  outExtension: { ".js": ".mjs" },
  // What only some commands load (import()), such as the plan schema's validator and
  // execa, goes into chunks beside the bundle, which the other commands never parse.
  splitting: true,
  chunkNames: "[name]-[hash]",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20.19",
  // The bundle sits in dist/ like the module it replaces, so paths derived from its own
  // location (the package root: package.json, schema/, src/stdlib/) stay the same.
  // pg too: only a state kept in PostgreSQL loads it.
  external: ["ts-morph", "tsx", "tsx/*", "pg"],
  // CommonJS dependencies inside an ES module still call require() for Node's built-ins.
  banner: { js: 'import { createRequire as upgradecCreateRequire } from "node:module";\nconst require = upgradecCreateRequire(import.meta.url);' },
  sourcemap: "linked",
  legalComments: "linked",
  plugins: [lazyStringWidth],
  logLevel: "warning",
});

// The plan schema's validator as code (ajv standalone, CommonJS: it requires ajv's runtime
// helpers and ajv-formats' formats from node_modules), with the options validate.ts uses.
const ajv = new Ajv2020({ allErrors: true, strict: true, code: { source: true } });
ajvFormats.default(ajv);
const validate = ajv.compile(JSON.parse(readFileSync(join(root, "schema", "plan.schema.json"), "utf8")));
writeFileSync(join(dist, "plan-validator.cjs"), standaloneCode.default(ajv, validate));
