// STUB (owned by the resolve work): replaced by name resolution and the semantic checks.
import type { Result } from "../diagnostics/diagnostic.js";
import type { Model } from "./model.js";
import type { LoadHost, Program } from "./program.js";

/** Resolve names, templates, methods and host selections; run the semantic checks. Never throws. */
export function resolve(_program: Program, _host: LoadHost): Result<Model | null> {
  return { value: null, diagnostics: [] };
}
