/**
 * What every diagnostic of the compiler must be, checked by the tests of the phases that
 * make them: a registered code with its registered severity, a one-line message in lower
 * case without a final period, and help that says how to fix it.
 */
import { expect } from "vitest";
import { codes } from "../../src/diagnostics/codes.js";
import type { Diagnostic } from "../../src/diagnostics/diagnostic.js";

export function expectWellFormed(d: Diagnostic): void {
  expect(Object.keys(codes), `${d.code} is registered`).toContain(d.code);
  expect(d.severity).toBe(codes[d.code as keyof typeof codes].severity);
  expect(d.message).toMatch(/^[a-z`]/);
  expect(d.message).not.toMatch(/\.$/);
  expect(d.message).not.toContain("\n");
  expect(d.help, `${d.code} says how to fix it`).toBeTruthy();
}
