import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { hasErrors } from "../../diagnostics/diagnostic.js";
import { renderDiagnostics } from "../../diagnostics/render.js";
import { factsFileText } from "../../facts/facts-file.js";
import { gatherFacts } from "../../facts/gather.js";
import { openStackCli } from "../../facts/openstack-cli.js";
import { parseSeconds } from "../../probe/duration-option.js";
import { useColor } from "../color.js";
import { ExitCode } from "../exit-codes.js";
import type { Verb } from "../verb.js";

export const factsVerb: Verb = {
  command: "facts",
  describe: "Read each compute host's zone, aggregates, servers and their server groups from the cloud into a facts file",
  examples: [
    ["upgradec facts -o facts.json", "with the credentials of an openrc (OS_*) sourced before"],
    ["upgradec facts --os-cloud prod -o facts.json", "a cloud of clouds.yaml"],
  ],
  epilogue: "A plan names the file with `facts \"facts.json\"`: its hosts join the group `compute` with the vars az, aggregate, instances, servers, enabled, anti-affinity, soft-anti-affinity and affinity (docs/openstack.md).",
  builder: (y) =>
    y
      .option("output", { alias: "o", type: "string", describe: "where to write the facts (default: standard output)" })
      .option("os-cloud", { type: "string", describe: "the cloud of clouds.yaml to read (default: OS_CLOUD, or the OS_* variables)" })
      .option("openstack-cli", { type: "string", default: "openstack", describe: "the OpenStack client to run" })
      .option("timeout", { type: "string", default: "5m", describe: "how long each listing may take (30s, 2m)" }),
  run: async (args, io) => {
    const timeout = parseSeconds(String(args["timeout"]));
    if (timeout === null) {
      io.stderr.write("upgradec facts: --timeout takes a duration such as 30s or 2m\n");
      return ExitCode.Usage;
    }
    const cloud = typeof args["os-cloud"] === "string" ? ["--os-cloud", args["os-cloud"]] : [];
    const client = openStackCli(String(args["openstack-cli"]), io.env, timeout * 1000, cloud);
    const read = await gatherFacts(client);
    if (read.diagnostics.length > 0) io.stderr.write(renderDiagnostics(read.diagnostics, new Map(), { color: useColor(io, io.stderr, undefined) }));
    if (read.value === null || hasErrors(read.diagnostics)) return ExitCode.CompileErrors;
    const text = factsFileText(read.value);
    const f = read.value;
    const servers = f.hosts.reduce((n, h) => n + h.servers.length, 0);
    const summary = `${f.hosts.length} compute host(s), ${f.aggregates.length} aggregate(s), ${f.serverGroups.length} server group(s), ${servers} server(s)`;
    const output = typeof args["output"] === "string" ? args["output"] : null;
    if (output === null || output === "-") {
      io.stdout.write(text);
      return ExitCode.Ok;
    }
    const target = resolve(io.cwd, output);
    // Beside the target, then renamed over it: a plan never reads a half-written file.
    const tmp = mkdtempSync(join(dirname(target), `.${basename(target)}.`));
    try {
      writeFileSync(join(tmp, "facts.json"), text);
      renameSync(join(tmp, "facts.json"), target);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    io.stderr.write(`upgradec facts: ${summary} written to ${output}\n`);
    return ExitCode.Ok;
  },
};
