/**
 * Secrets are read when the run starts (from an environment variable or a file) and never
 * written anywhere: every text bound for the journal, a log or the event stream goes through
 * the redactor, which replaces each secret value with `***`.
 */
import { isAbsolute, join } from "node:path";
import type { PlanSecret } from "../plan/plan.js";

export type SecretValues = Readonly<Record<string, string>>;

export interface SecretsResult {
  readonly values: SecretValues;
  /** One line per secret that could not be read. */
  readonly problems: readonly string[];
}

export function resolveSecrets(
  secrets: readonly PlanSecret[],
  env: Readonly<Record<string, string | undefined>>,
  readFile: (path: string) => string | null,
  baseDir: string,
): SecretsResult {
  const values: Record<string, string> = {};
  const problems: string[] = [];
  for (const secret of secrets) {
    if (secret.source === "env") {
      const value = env[secret.ref];
      if (value === undefined) problems.push(`secret \`${secret.name}\`: environment variable ${secret.ref} is not set`);
      else values[secret.name] = value;
    } else {
      const path = isAbsolute(secret.ref) ? secret.ref : join(baseDir, secret.ref);
      const text = readFile(path);
      // A file secret is its content without the final newline editors add.
      if (text === null) problems.push(`secret \`${secret.name}\`: cannot read ${path}`);
      else values[secret.name] = text.replace(/\r?\n$/, "");
    }
  }
  return { values, problems };
}

export type Redactor = (text: string) => string;

export function makeRedactor(values: SecretValues): Redactor {
  // Longest first, so a secret containing another is hidden whole.
  const secrets = Object.values(values)
    .filter((v) => v.length > 0)
    .sort((a, b) => b.length - a.length);
  if (secrets.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const secret of secrets) out = out.split(secret).join("***");
    return out;
  };
}

/**
 * Output comes in chunks that may cut a secret in two: redact whole lines only, and what is
 * left at the end when the stream ends.
 */
export class LineRedactor {
  private pending = "";
  constructor(
    private readonly redact: Redactor,
    private readonly emit: (text: string) => void,
  ) {}

  write(chunk: string): void {
    const text = this.pending + chunk;
    const cut = text.lastIndexOf("\n");
    if (cut < 0) {
      this.pending = text;
      return;
    }
    this.pending = text.slice(cut + 1);
    this.emit(this.redact(text.slice(0, cut + 1)));
  }

  end(): void {
    if (this.pending !== "") this.emit(this.redact(this.pending));
    this.pending = "";
  }
}
