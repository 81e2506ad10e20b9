/**
 * Every diagnostic code, in one registry, grouped by phase:
 *   UPG00xx  internal and I/O
 *   UPG01xx  syntax (lexer and parser)
 *   UPG02xx  imports (0200-0219, load) and names and declarations (0220-0299, resolve)
 *   UPG03xx  inventory
 *   UPG04xx  graph and ordering (dependencies, cycles, version skew)
 *   UPG05xx  policy (rolling, caps, windows, evacuation, checkpoints)
 *   UPG06xx  TypeScript actions
 *   UPG07xx  plan file (schema, staleness, tampering)
 *   UPG08xx  runtime
 * A code is never reused for another meaning once released.
 */
import type { Severity } from "./diagnostic.js";

export interface CodeInfo {
  readonly severity: Severity;
  /** What the code means, for `upgradec explain` and the docs. */
  readonly title: string;
}

export const codes = {
  // ---- internal and I/O (UPG00xx)
  UPG0001: { severity: "error", title: "internal compiler error" },
  UPG0002: { severity: "error", title: "file not found or unreadable" },

  // ---- syntax (UPG01xx)

  // ---- imports (UPG0200-UPG0219)

  // ---- names and declarations (UPG0220-UPG0299)

  // ---- inventory (UPG03xx)

  // ---- graph and ordering (UPG04xx)

  // ---- policy (UPG05xx)

  // ---- TypeScript actions (UPG06xx)

  // ---- plan file (UPG07xx)

  // ---- runtime (UPG08xx)
} as const satisfies Record<string, CodeInfo>;

export type Code = keyof typeof codes;
