/** The plan file's schema check (schema/plan.schema.json, by src/plan/validate.ts). */
import { validatePlanFile } from "../plan/validate.js";

/** One line per problem; empty when the plan matches the schema. */
export async function validateAgainstSchema(json: unknown): Promise<string[]> {
  const result = validatePlanFile(json);
  return result.ok ? [] : result.errors;
}
