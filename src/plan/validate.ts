/**
 * Validation of a plan file against schema/plan.schema.json (JSON Schema 2020-12): the
 * runtime refuses a plan that does not validate, and outside tools use the same schema.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import ajvFormats from "ajv-formats";
import { PACKAGE_ROOT } from "../version.js";
import type { PlanFile } from "./plan.js";

// ajv-formats is CommonJS: under NodeNext the default import is its module object, whose
// `default` is the plugin (the plugin function carries itself as `default` at run time too).
const addFormats = ajvFormats.default;

export const PLAN_SCHEMA_PATH = join(PACKAGE_ROOT, "schema", "plan.schema.json");

/** Compiled on first use: it takes about half a second, which a `compile` or `--help` never needs to pay. */
let compiled: ValidateFunction | null = null;

function validator(): ValidateFunction {
  if (compiled === null) {
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats(ajv);
    compiled = ajv.compile(JSON.parse(readFileSync(PLAN_SCHEMA_PATH, "utf8")) as object);
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
