#!/usr/bin/env node
// The only place that calls process.exit: the CLI returns an exit code.
import { main } from "../dist/upgradec.mjs";

const code = await main(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
  env: process.env,
});
process.exitCode = code;
