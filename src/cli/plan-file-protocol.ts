/**
 * What the compiler and the thread that writes the plan file (compile -o) say to each other:
 * messages in file order, and a small shared buffer through which the thread hands over the
 * digest while the compiler waits for it.
 */

/** To the writing thread, in file order. */
export type ToWriter =
  | { readonly kind: "open"; readonly target: string; readonly shared: SharedArrayBuffer }
  | { readonly kind: "text"; readonly file: string; readonly compact: string }
  | { readonly kind: "run"; readonly json: string; readonly between: string | null; readonly count: number }
  | { readonly kind: "digest-line"; readonly text: string }
  | { readonly kind: "digest" }
  | { readonly kind: "sealed"; readonly text: string }
  | { readonly kind: "close" }
  | { readonly kind: "abort" };

/** From the writing thread, once, after `close` or `abort`: the error's message, if any. */
export interface FromWriter {
  readonly kind: "done";
  readonly error: string | null;
}

/**
 * Shared with the thread: Int32 flags (STARTED: the thread runs; DIGESTED: the digest is in),
 * then the digest's 64 hex digits.
 */
export const STARTED = 0;
export const DIGESTED = 1;
export const DIGEST_OFFSET = 8;
export const SHARED_BYTES = DIGEST_OFFSET + 64;

