#!/usr/bin/env node
// The only place that calls process.exit: the CLI returns an exit code.
import { setFlagsFromString } from "node:v8";

// The verbs that run a plan live for seconds to hours doing little but start commands and
// journal: V8's optimising compiler costs them more CPU than it saves (about 13% of a run of
// 1,000 short steps, bench/runtime.ts), CPU the commands and the spawner need. The baseline
// compilers still run. A long-lived `lsp` and the compiler's verbs keep it.
if (["run", "resume", "rollback"].includes(process.argv[2] ?? "")) setFlagsFromString("--no-opt");

const { main } = await import("../dist/upgradec.mjs");
const code = await main(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
  env: process.env,
});
process.exitCode = code;
