// STUB (owned by the TypeScript actions work): type-checks `uses "./x.ts#fn"` actions.
import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import type { Model } from "../model.js";
import type { LoadHost, Program } from "../program.js";

/** Check that every TypeScript action's module exists, exports the function, and has the action signature. */
export function checkActions(_model: Model, _program: Program, _host: LoadHost): Diagnostic[] {
  return [];
}
