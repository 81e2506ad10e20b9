import { ExitCode } from "../exit-codes.js";
import type { CliIO } from "../io.js";
import type { Verb } from "../verb.js";

export const lspVerb: Verb = {
  command: "lsp",
  describe: "Serve the Language Server Protocol over standard input and output, for editors",
  examples: [
    ["upgradec lsp", "what an editor starts: diagnostics as you type, hovers, go to definition, completion, formatting, outline"],
    ["upgradec lsp --stdio", "the same; --stdio is accepted because many editors' clients add it"],
  ],
  builder: (y) =>
    y
      .option("stdio", { type: "boolean", default: true, describe: "talk over standard input and output (the only transport)" })
      .epilogue(
        "Messages are read from standard input and written to standard output (JSON-RPC with Content-Length headers); " +
          "nothing else is written there. The server ends when the editor sends `exit` (exit code 0 after `shutdown`, 1 without) " +
          "or closes its standard input. See README.md, \"Editors\".\n",
      ),
  run: async (_args, io) => lsp(io),
};

async function lsp(io: CliIO): Promise<number> {
  if (io.stdin === undefined) {
    io.stderr.write("upgradec lsp: standard input is not available here\n");
    return ExitCode.Usage;
  }
  // Loaded only for this verb: the protocol library is no part of the other commands' start-up.
  const [protocol, { serve }] = await Promise.all([import("vscode-languageserver/node.js"), import("../../lsp/server.js")]);
  // A CommonJS module: its exports are the namespace's default (named ones are not there once bundled).
  const { createConnection, StreamMessageReader, StreamMessageWriter } = protocol.default;
  const connection = createConnection(new StreamMessageReader(io.stdin), new StreamMessageWriter(io.stdout));
  const closed = new Promise<number>((resolve) => connection.onExit(() => resolve(ExitCode.Ok)));
  const ended = new Promise<number>((resolve) => io.stdin?.once("end", () => resolve(ExitCode.Ok)));
  serve(connection);
  return Promise.race([closed, ended]);
}
