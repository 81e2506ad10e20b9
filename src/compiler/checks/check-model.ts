// STUB (owned by the checks work): the semantic checks over a resolved model.
import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import type { Model } from "../model.js";
import type { Program } from "../program.js";

/** The checks that need the whole resolved model: cycles, policy, windows, evacuation, skew, releases. */
export function checkModel(_model: Model, _program: Program): Diagnostic[] {
  return [];
}
