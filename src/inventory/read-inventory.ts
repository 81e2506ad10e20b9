/**
 * Reads an Ansible inventory path as kolla-ansible and openstack-ansible operators keep
 * them: one INI or YAML file, or a directory of such files (read in name order, as Ansible
 * does), with group_vars/ and host_vars/ beside the file or inside the directory.
 *
 * How a file's form is chosen: `.yml`, `.yaml` and `.json` are YAML; anything else is INI,
 * unless its first line that is neither blank nor a comment looks like YAML (`---`, or a
 * key ending in ':' such as `all:`). Ansible instead tries its plugins in turn; the first
 * line decides the same way for every inventory we know of, and it lets an error be
 * reported in the form the author meant.
 */
import { dirname, join, relative, resolve as resolvePath } from "node:path";
import { type Diagnostic, type Result, type Span, diag, internalError } from "../diagnostics/diagnostic.js";
import { pushAll } from "../base/push-all.js";
import { isRefusal, isText, refusalDiagnostic, type FileText } from "../files/file-text.js";
import type { LoadHost } from "../files/load-host.js";
import { MAX_INVENTORY_BYTES } from "../limits.js";
import type { Inventory } from "./inventory.js";
import { InventoryBuilder } from "./inventory-builder.js";
import { parseIni, type DeclaredGroups } from "./parse-ini.js";
import { parseYamlInventory } from "./parse-yaml.js";
import { openVarsDirectory, readVarsFile, varsFilesFor } from "./vars-files.js";

export interface ReadInventoryOptions {
  /** Where the path was written (the string of an `inventory` declaration): where "not found" points. */
  readonly at?: Span;
}

/** Skipped in an inventory directory, as Ansible skips them (IGNORED_ALWAYS and INVENTORY_IGNORE_EXTS). */
const IGNORED_NAMES = /^(\.|host_vars$|group_vars$|vars_plugins$)/;
const IGNORED_EXTENSIONS = [".pyc", ".pyo", ".swp", ".bak", "~", ".rpm", ".md", ".txt", ".rst", ".orig", ".cfg", ".retry"];
/** Dynamic inventory scripts: Ansible runs them; a compiler must not. */
const SCRIPT_EXTENSIONS = [".py", ".sh"];

/**
 * Reads the inventory at `path` (absolute, or relative to host.cwd). Never throws. The value
 * is null only when the path cannot be read at all; otherwise it is what could be read,
 * beside the diagnostics.
 */
export function readInventory(path: string, host: LoadHost, options: ReadInventoryOptions = {}): Result<Inventory | null> {
  const absolute = resolvePath(host.cwd, path);
  const display = (p: string): string => relative(host.cwd, p) || ".";
  const diagnostics: Diagnostic[] = [];

  const entries = host.readDir(absolute);
  const sources: string[] = [];
  const skippedScripts: string[] = [];
  let singleText: string | null = null;
  if (entries) {
    collectSources(host, absolute, entries, sources, skippedScripts);
  } else {
    const read = host.readFile(absolute, MAX_INVENTORY_BYTES);
    if (isRefusal(read) && !read.lossy) return { value: null, diagnostics: [refusalDiagnostic(read, display(absolute), options.at)] };
    singleText = textOf(read, display(absolute), options.at, diagnostics);
    if (singleText === null) {
      return {
        value: null,
        diagnostics: [
          diag("UPG0300", {
            message: `inventory '${display(absolute)}' not found or unreadable`,
            ...(options.at ? { span: options.at } : {}),
            help: "the path is relative to the .upg file that names it; give a file (INI or YAML) or a directory of them",
          }),
        ],
      };
    }
    sources.push(absolute);
  }

  const rootFile = display(sources[0] ?? absolute);
  const builder = new InventoryBuilder({ file: rootFile, start: 0, end: 0 });
  const declared: DeclaredGroups = new Set(["all", "ungrouped"]);
  const files: { path: string; text: string }[] = [];
  for (const source of sources) {
    const file = display(source);
    const read = source === absolute && singleText !== null ? singleText : host.readFile(source, MAX_INVENTORY_BYTES);
    const text = textOf(read, file, options.at, diagnostics);
    if (text === null) {
      if (isRefusal(read)) continue;
      diagnostics.push(diag("UPG0300", {
        message: `inventory file '${file}' is unreadable`,
        ...(options.at ? { span: options.at } : {}),
        help: "check the file's permissions, or move it out of the inventory directory",
      }));
      continue;
    }
    files.push({ path: file, text });
    try {
      if (isYaml(source, text)) parseYamlInventory(text, file, builder, declared);
      else parseIni(text, file, builder, declared);
    } catch (error) {
      // A bug of ours must not hide the rest of the inventory, nor the rest of the program.
      diagnostics.push(internalError(`reading inventory '${file}'`, error, { file, start: 0, end: 0 }));
    }
  }
  for (const script of skippedScripts) {
    diagnostics.push(diag("UPG0318", {
      message: `dynamic inventory script '${display(script)}' is not run`,
      ...(options.at ? { span: options.at } : {}),
      help: "write its output to a file once (`ansible-inventory -i SCRIPT --list -y > hosts.yml`) and use that",
    }));
  }

  const basedir = entries ? absolute : dirname(absolute);
  for (const kind of ["group", "host"] as const) {
    const dir = openVarsDirectory(host, join(basedir, `${kind}_vars`));
    if (!dir) continue;
    const names = kind === "group" ? [...builder.groups.keys()] : [...builder.hosts.keys()];
    for (const name of names) {
      for (const varsPath of varsFilesFor(host, dir, name)) {
        const file = display(varsPath);
        const text = textOf(host.readFile(varsPath, MAX_INVENTORY_BYTES), file, options.at, diagnostics);
        if (text === null) continue;
        files.push({ path: file, text });
        const vars = readVarsFile(text, file, builder.diagnostics);
        if (vars) builder.setFileVars(kind, name, vars);
      }
    }
  }

  const inventory = builder.build(display(absolute), files);
  pushAll(diagnostics, builder.diagnostics);
  if (inventory.hosts.size === 0 && !diagnostics.some((d) => d.severity === "error")) {
    diagnostics.push(diag("UPG0312", {
      message: `inventory '${display(absolute)}' has no hosts`,
      ...(options.at ? { span: options.at } : {}),
      help: "list hosts under a [group] section (INI) or under `hosts:` (YAML)",
    }));
  }
  return { value: inventory, diagnostics };
}

/** A file's text to parse: its own, or, when it is not UTF-8, the lossy one beside the error (so its other errors show too). */
function textOf(read: FileText, file: string, at: Span | undefined, diagnostics: Diagnostic[]): string | null {
  if (isText(read) || read === null) return read;
  diagnostics.push(refusalDiagnostic(read, file, at));
  return read.lossy?.text ?? null;
}

function collectSources(host: LoadHost, dir: string, entries: readonly string[], out: string[], scripts: string[]): void {
  for (const name of [...entries].sort()) {
    if (IGNORED_NAMES.test(name) || IGNORED_EXTENSIONS.some((ext) => name.endsWith(ext))) continue;
    const full = join(dir, name);
    const sub = host.readDir(full);
    if (sub) collectSources(host, full, sub, out, scripts);
    else if (SCRIPT_EXTENSIONS.some((ext) => name.endsWith(ext))) scripts.push(full);
    else out.push(full);
  }
}

function isYaml(path: string, text: string): boolean {
  if (/\.(ya?ml|json)$/i.test(path)) return true;
  if (/\.ini$/i.test(path)) return false;
  for (const raw of text.split("\n", 200)) {
    const line = raw.trim();
    if (!line || line.startsWith("#") || line.startsWith(";")) continue;
    return line === "---" || line.startsWith("{") || /^[^\s=[\]]+:(\s|$)/.test(line);
  }
  return false;
}
