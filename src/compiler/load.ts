// STUB (owned by the loader work): replaced by the real loader.
import type { Result } from "../diagnostics/diagnostic.js";
import type { LoadHost, Program } from "./program.js";

/** Read the entry file, every file it reaches through `use`, and the inventory. Never throws. */
export function loadProgram(entry: string, _host: LoadHost): Result<Program> {
  return { value: { entry, files: [], inventory: null }, diagnostics: [] };
}
