// The VS Code side: a language client that starts `upgradec lsp` (the `upgradec.path`
// setting, `upgradec` on PATH by default) for .upg files and talks to it over stdio.
const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

async function activate(context) {
  const command = vscode.workspace.getConfiguration("upgradec").get("path") || "upgradec";
  const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const run = { command, args: ["lsp"], transport: TransportKind.stdio, options: cwd ? { cwd } : {} };
  client = new LanguageClient("upgradec", "upgradec", { run, debug: run }, { documentSelector: [{ scheme: "file", language: "upg" }] });
  context.subscriptions.push(client);
  await client.start();
}

async function deactivate() {
  if (client) await client.stop();
}

module.exports = { activate, deactivate };
