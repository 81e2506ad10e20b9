// The CLI from source, for tests that spawn it as a process (as bin/upgradec.js does from dist/).
import { main } from "../../src/cli/main.js";

const code = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env });
process.exitCode = code;
