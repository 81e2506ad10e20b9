/**
 * An editor's side of the protocol, for tests and bench/lsp.ts: the built `upgradec lsp`
 * spawned as a process, spoken to over its standard input and output with vscode-jsonrpc's
 * message connection, as VS Code's client does. Published diagnostics are kept per URI and
 * can be waited for.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from "vscode-jsonrpc/node.js";

const bin = join(import.meta.dirname, "..", "..", "bin", "upgradec.js");

export interface LspDiagnostic {
  readonly range: { readonly start: { line: number; character: number }; readonly end: { line: number; character: number } };
  readonly severity?: number;
  readonly code?: string | number;
  readonly message: string;
  readonly relatedInformation?: readonly { location: { uri: string }; message: string }[];
}

interface Published {
  readonly uri: string;
  readonly diagnostics: LspDiagnostic[];
  readonly at: number;
}

export class LspClient {
  readonly connection: MessageConnection;
  private readonly waiters: { match: (p: Published) => boolean; resolve: (p: Published) => void }[] = [];
  readonly latest = new Map<string, Published>();
  /** Every publication, in order. */
  readonly history: Published[] = [];
  readonly stderr: string[] = [];
  private readonly versions = new Map<string, number>();

  private constructor(readonly process: ChildProcessWithoutNullStreams) {
    this.connection = createMessageConnection(new StreamMessageReader(process.stdout), new StreamMessageWriter(process.stdin));
    process.stderr.on("data", (chunk: Buffer) => this.stderr.push(chunk.toString()));
    this.connection.onNotification("textDocument/publishDiagnostics", (params: { uri: string; diagnostics: LspDiagnostic[] }) => {
      const published = { ...params, at: performance.now() };
      this.latest.set(params.uri, published);
      this.history.push(published);
      for (const w of [...this.waiters]) {
        if (w.match(published)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(published);
        }
      }
    });
    this.connection.listen();
  }

  /** Spawn `upgradec lsp` in a directory and initialize it. */
  static async start(cwd: string): Promise<LspClient> {
    const child = spawn(process.execPath, [bin, "lsp", "--stdio"], { cwd, stdio: "pipe", env: { ...process.env, NO_COLOR: "1" } });
    const client = new LspClient(child);
    await client.connection.sendRequest("initialize", { processId: process.pid, rootUri: pathToFileURL(cwd).href, capabilities: {} });
    await client.connection.sendNotification("initialized", {});
    return client;
  }

  uri(path: string): string {
    return pathToFileURL(path).href;
  }

  /** The next diagnostics published for a URI (after now) that satisfy a condition. */
  diagnostics(uri: string, match: (d: LspDiagnostic[]) => boolean = () => true, timeoutMs = 15_000): Promise<Published> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no diagnostics for ${uri} within ${timeoutMs} ms; last: ${JSON.stringify(this.latest.get(uri)?.diagnostics)}; stderr: ${this.stderr.join("")}`)), timeoutMs);
      this.waiters.push({
        match: (p) => p.uri === uri && match(p.diagnostics),
        resolve: (p) => {
          clearTimeout(timer);
          resolve(p);
        },
      });
    });
  }

  async open(path: string, text: string): Promise<void> {
    this.versions.set(path, 1);
    await this.connection.sendNotification("textDocument/didOpen", { textDocument: { uri: this.uri(path), languageId: "upg", version: 1, text } });
  }

  /** Replace the whole text, as an editor's full-document change. */
  async change(path: string, text: string): Promise<void> {
    const version = (this.versions.get(path) ?? 1) + 1;
    this.versions.set(path, version);
    await this.connection.sendNotification("textDocument/didChange", { textDocument: { uri: this.uri(path), version }, contentChanges: [{ text }] });
  }

  /** Replace a range, as an editor's incremental change. */
  async edit(path: string, range: { start: { line: number; character: number }; end: { line: number; character: number } }, text: string): Promise<void> {
    const version = (this.versions.get(path) ?? 1) + 1;
    this.versions.set(path, version);
    await this.connection.sendNotification("textDocument/didChange", { textDocument: { uri: this.uri(path), version }, contentChanges: [{ range, text }] });
  }

  async close(path: string): Promise<void> {
    await this.connection.sendNotification("textDocument/didClose", { textDocument: { uri: this.uri(path) } });
  }

  request<T>(method: string, path: string, position?: { line: number; character: number }, extra: Record<string, unknown> = {}): Promise<T> {
    return this.connection.sendRequest(method, { textDocument: { uri: this.uri(path) }, ...(position ? { position } : {}), ...extra });
  }

  /** shutdown, exit, and the process's exit code. */
  async stop(): Promise<number | null> {
    const exited = new Promise<number | null>((resolve) => {
      if (this.process.exitCode !== null) resolve(this.process.exitCode);
      else this.process.once("exit", (code) => resolve(code));
    });
    try {
      await this.connection.sendRequest("shutdown");
      await this.connection.sendNotification("exit");
    } catch {
      // already gone
    }
    const timer = setTimeout(() => this.kill(), 5_000);
    const code = await exited;
    clearTimeout(timer);
    this.connection.dispose();
    return code;
  }

  /** Stop the process by its pid, whatever state it is in. */
  kill(): void {
    if (this.process.exitCode === null && this.process.pid !== undefined) {
      try {
        process.kill(this.process.pid, "SIGKILL");
      } catch {
        // gone meanwhile
      }
    }
  }
}

/** The line and character of the first occurrence of `needle` in `text` (plus `delta` characters). */
export function positionOf(text: string, needle: string, delta = 0): { line: number; character: number } {
  const offset = text.indexOf(needle);
  if (offset < 0) throw new Error(`'${needle}' is not in the text`);
  const before = text.slice(0, offset + delta);
  const line = before.split("\n").length - 1;
  return { line, character: before.length - (before.lastIndexOf("\n") + 1) };
}
