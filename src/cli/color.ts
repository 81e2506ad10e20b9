import type { CliIO } from "./io.js";

/** Colour only on a TTY, and never with NO_COLOR (https://no-color.org) or --no-color. */
export function useColor(io: CliIO, stream: CliIO["stdout"] | CliIO["stderr"], flag: unknown): boolean {
  if (flag === false) return false;
  if (io.env["NO_COLOR"] !== undefined && io.env["NO_COLOR"] !== "") return false;
  if (flag === true) return true;
  return stream.isTTY === true;
}
