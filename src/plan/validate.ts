/**
 * Validation of a plan file against schema/plan.schema.json (JSON Schema 2020-12): the
 * runtime refuses a plan that does not validate, and outside tools use the same schema.
 *
 * The built CLI loads the validator `npm run build` compiled from the schema
 * (dist/plan-validator.cjs, ajv's standalone code): compiling it at every `run` took a third
 * of the command's start-up. From the sources (tests), it is compiled on first use.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Ajv2020 as Ajv2020Class, ValidateFunction } from "ajv/dist/2020.js";
import type ajvFormats from "ajv-formats";
import { PACKAGE_ROOT } from "../version.js";
import type { PlanFile } from "./plan.js";


export const PLAN_SCHEMA_PATH = join(PACKAGE_ROOT, "schema", "plan.schema.json");

/** Beside the bundle (dist/), written by `npm run build`; never beside the sources. */
const PRECOMPILED = import.meta.url.endsWith(".ts") ? null : fileURLToPath(new URL("./plan-validator.cjs", import.meta.url));

/** Compiled (or loaded) on first use: it takes about half a second, which a `compile` or `--help` never needs to pay. */
let compiled: ValidateFunction | null = null;

function validator(): ValidateFunction {
  if (compiled === null) {
    if (PRECOMPILED !== null && existsSync(PRECOMPILED)) {
      // A CommonJS module (ajv's standalone code requires its runtime helpers).
      compiled = createRequire(import.meta.url)(PRECOMPILED) as ValidateFunction;
    } else {
      // The same options as the build's (scripts/build.mjs). ajv itself is loaded only here
      // (from node_modules, not the bundle): a run with the built validator never parses it.
      const require = createRequire(import.meta.url);
      const { Ajv2020 } = require("ajv/dist/2020.js") as { Ajv2020: typeof Ajv2020Class };
      // ajv-formats is CommonJS: its module object's `default` is the plugin.
      const addFormats = (require("ajv-formats") as typeof ajvFormats).default;
      const ajv = new Ajv2020({ allErrors: true, strict: true });
      addFormats(ajv);
      compiled = ajv.compile(JSON.parse(readFileSync(PLAN_SCHEMA_PATH, "utf8")) as object);
    }
  }
  return compiled;
}

/** Check parsed JSON against the plan schema; on failure, one line per problem ("/steps/3/estimate: must have required property 'start'"). */
export function validatePlanFile(json: unknown): { ok: true; plan: PlanFile } | { ok: false; errors: string[] } {
  const validate = validator();
  if (validate(json)) return { ok: true, plan: json as PlanFile };
  const errors = (validate.errors ?? []).map((e) => {
    const where = e.instancePath === "" ? "/" : e.instancePath;
    const extra = e.keyword === "additionalProperties" ? ` (${String((e.params as { additionalProperty?: unknown }).additionalProperty)})` : "";
    return `${where}: ${e.message ?? "is invalid"}${extra}`;
  });
  return { ok: false, errors: [...new Set(errors)] };
}
