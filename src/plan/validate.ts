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
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import ajvFormats from "ajv-formats";
import { PACKAGE_ROOT } from "../version.js";
import type { PlanFile } from "./plan.js";

// ajv-formats is CommonJS: under NodeNext the default import is its module object, whose
// `default` is the plugin (the plugin function carries itself as `default` at run time too).
const addFormats = ajvFormats.default;

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
      // The same options as the build's (scripts/build.mjs).
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
