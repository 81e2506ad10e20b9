/**
 * The plan file's schema check (schema/plan.schema.json, by src/plan/validate.ts). The
 * validator (ajv, a fifth of the CLI bundle) is loaded by the commands that read a plan
 * file, not by every command at start-up.
 */

/** One line per problem; empty when the plan matches the schema. */
export async function validateAgainstSchema(json: unknown): Promise<string[]> {
  const { validatePlanFile } = await import("../plan/validate.js");
  const result = validatePlanFile(json);
  return result.ok ? [] : result.errors;
}
