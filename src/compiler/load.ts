/**
 * The loader: the entry file, every file it reaches through `use`, and the inventory.
 *
 *   use openstack              the standard library module <package>/src/stdlib/openstack.upg,
 *                              its names in namespace `openstack` (or the alias)
 *   use "./site.upg"           a file relative to the importing file, its names in the
 *                              importer's namespace (or the alias)
 *   inventory "inventory/x"    an Ansible inventory relative to the declaring file; one per program
 *   facts "facts.json"         a facts file (`upgradec facts`) relative to the declaring file; one
 *                              per program; its hosts, vars and groups join the inventory's
 *
 * Files load depth-first, each once: a file reached twice (a diamond) is the same file, and
 * a `use` that reaches a file still being loaded closes a cycle, reported at that `use`
 * with the whole chain. Paths are shown relative to the working directory, and standard
 * library files as `<stdlib>/NAME.upg`. Never throws for a user's mistake.
 */
import { basename, dirname, join, relative, resolve as resolvePath, sep } from "node:path";
import { hasErrors, type Diagnostic, type Result, type Span, diag } from "../diagnostics/diagnostic.js";
import { pushAll } from "../base/push-all.js";
import { suggest } from "../diagnostics/did-you-mean.js";
import { readInventory } from "../inventory/read-inventory.js";
import { readFactsFile } from "../facts/facts-file.js";
import { withFacts } from "../facts/facts-inventory.js";
import type { FactsDecl, InventoryDecl, SourceFile, UseDecl } from "../parser/ast.js";
import { parse } from "../parser/parse.js";
import { MAX_INVENTORY_BYTES, MAX_PROGRAM_BYTES, MAX_SOURCE_BYTES } from "../limits.js";
import { PACKAGE_ROOT } from "../version.js";
import { isRefusal, isText, refusalDiagnostic } from "../files/file-text.js";
import type { LoadedFile, Program } from "./program.js";
import type { LoadHost } from "../files/load-host.js";
import type { Facts } from "../facts/facts-file.js";

export interface LoadOptions {
  /** Where `use NAME` looks for NAME.upg; the package's src/stdlib by default. */
  readonly stdlibDir?: string;
  /**
   * Parses one file; the parser by default. The language server passes one that keeps the
   * result of each file whose text has not changed (the standard library, above all).
   */
  readonly parse?: (text: string, path: string) => Result<SourceFile>;
}

interface Loaded {
  readonly file: LoadedFile;
  /** The `use` that first loaded it (null for the entry). */
  readonly via: Span | null;
}

/** Read the entry file, every file it reaches through `use`, and the inventory. Never throws. */
export function loadProgram(entry: string, host: LoadHost, options: LoadOptions = {}): Result<Program> {
  const stdlibDir = options.stdlibDir ?? join(PACKAGE_ROOT, "src", "stdlib");
  const diagnostics: Diagnostic[] = [];
  const display = (absolute: string): string => {
    const inStdlib = relative(stdlibDir, absolute);
    if (isInside(inStdlib)) return `<stdlib>/${inStdlib.split(sep).join("/")}`;
    return relative(host.cwd, absolute) || absolute;
  };
  const isStdlib = (absolute: string): boolean => isInside(relative(stdlibDir, absolute));

  const entryPath = resolvePath(host.cwd, entry);
  const entryRead = host.readFile(entryPath, MAX_SOURCE_BYTES);
  if (isRefusal(entryRead)) diagnostics.push(refusalDiagnostic(entryRead, display(entryPath), undefined));
  // A file that is not UTF-8 is still parsed (from its lossy text), so its other errors show too.
  const entryText = isText(entryRead) ? entryRead : (entryRead?.lossy?.text ?? null);
  if (entryText === null) {
    if (isRefusal(entryRead)) return { value: { entry: display(entryPath), files: [], inventory: null, facts: null, incomplete: true }, diagnostics };
    diagnostics.push(diag("UPG0002", {
      message: `cannot read '${entry}': no such file, or not readable`,
      help: "give the path of a .upg file, relative to the working directory",
    }));
    return { value: { entry: display(entryPath), files: [], inventory: null, facts: null, incomplete: true }, diagnostics };
  }

  const loaded = new Map<string, Loaded>();
  const files: LoadedFile[] = [];
  const stack: string[] = [];
  let modules: readonly string[] | null = null;
  const stdlibModules = (): readonly string[] => {
    modules ??= (host.readDir(stdlibDir) ?? []).filter((n) => n.endsWith(".upg")).map((n) => n.slice(0, -4)).sort();
    return modules;
  };
  let inventory: { decl: InventoryDecl; from: string } | null = null;
  let factsDecl: { decl: FactsDecl; from: string } | null = null;
  let programBytes = 0;

  const visit = (absolute: string, text: string, namespace: string | null, via: Span | null): void => {
    const path = display(absolute);
    programBytes += text.length;
    const parsed = (options.parse ?? parse)(text, path);
    pushAll(diagnostics, parsed.diagnostics);
    const file: LoadedFile = { path, text, ast: parsed.value, namespace, stdlib: isStdlib(absolute), syntaxErrors: hasErrors(parsed.diagnostics) };
    loaded.set(absolute, { file, via });
    files.push(file);
    stack.push(absolute);
    for (const decl of parsed.value.declarations) {
      if (decl.type === "use") followUse(decl, absolute, namespace);
      else if (decl.type === "inventory") {
        if (!inventory) inventory = { decl, from: absolute };
        else
          diagnostics.push(diag("UPG0203", {
            message: "a program has one inventory, and this is a second",
            span: decl.span,
            labels: [{ span: inventory.decl.span, message: "the inventory is first declared here" }],
            help: "keep one `inventory` declaration; an inventory directory can hold several files",
          }));
      } else if (decl.type === "facts") {
        if (!factsDecl) factsDecl = { decl, from: absolute };
        else
          diagnostics.push(diag("UPG0206", {
            message: "a program has one facts file, and this is a second",
            span: decl.span,
            labels: [{ span: factsDecl.decl.span, message: "the facts file is first named here" }],
            help: "keep one `facts` declaration: `upgradec facts` writes every compute host into one file",
          }));
      }
    }
    stack.pop();
  };

  const followUse = (decl: UseDecl, importer: string, importerNamespace: string | null): void => {
    let target: string;
    let namespace: string | null;
    let at: Span;
    if (decl.target.kind === "module") {
      const name = decl.target.name.text;
      at = decl.target.name.span;
      const known = stdlibModules();
      if (!known.includes(name)) {
        diagnostics.push(unknownModule(name, at, known, host, importer));
        return;
      }
      target = join(stdlibDir, `${name}.upg`);
      namespace = decl.alias?.text ?? name;
    } else {
      at = decl.target.path.span;
      target = resolvePath(dirname(importer), decl.target.path.value);
      namespace = decl.alias?.text ?? importerNamespace;
    }

    // Only .upg files are imported: `use "/etc/passwd"` would parse, and its errors quote, a file that is no source.
    if (decl.target.kind === "file" && !target.endsWith(".upg")) {
      diagnostics.push(diag("UPG0205", {
        message: `cannot import '${decl.target.path.value}': only .upg files are imported`,
        span: at,
        help:
          host.readFile(`${target}.upg`, MAX_SOURCE_BYTES) !== null
            ? `did you mean "${decl.target.path.value}.upg"?`
            : `name the file with its .upg extension, e.g. use "./site.upg"`,
      }));
      return;
    }
    const open = stack.indexOf(target);
    if (open >= 0) {
      const chain = [...stack.slice(open), target].map(display);
      diagnostics.push(diag("UPG0202", {
        message: `import cycle: ${chain.join(" -> ")}`,
        span: decl.span,
        notes: chain.length === 2 ? ["the file imports itself"] : [],
        help: "move what the files share into a third file that both import, and remove one `use` of the cycle",
      }));
      return;
    }
    const already = loaded.get(target);
    if (already) {
      if (already.file.namespace !== namespace) {
        const shown = (ns: string | null): string => (ns === null ? "no namespace (names join the importer's)" : `namespace '${ns}'`);
        diagnostics.push(diag("UPG0204", {
          message: `'${already.file.path}' is imported here into ${shown(namespace)}, but it is already loaded into ${shown(already.file.namespace)}`,
          span: decl.span,
          ...(already.via ? { labels: [{ span: already.via, message: "first imported here" }] } : {}),
          help: "import a file under one namespace everywhere: use the same `as` name (or none) in every `use`",
        }));
      }
      return;
    }
    if (programBytes > MAX_PROGRAM_BYTES) {
      diagnostics.push(diag("UPG0003", {
        message: `cannot import '${display(target)}': the program's files already hold more than ${MAX_PROGRAM_BYTES} bytes`,
        span: at,
        help: "a program's .upg files together are read whole, up to a size limit",
      }));
      return;
    }
    const read = host.readFile(target, MAX_SOURCE_BYTES);
    if (isRefusal(read)) diagnostics.push(refusalDiagnostic(read, display(target), at));
    const text = isText(read) ? read : (read?.lossy?.text ?? null);
    if (text === null) {
      if (isRefusal(read)) return;
      diagnostics.push(diag("UPG0200", {
        message: `cannot import '${display(target)}': no such file, or not readable`,
        span: at,
        help: missingFileHelp(host, target, decl.target.kind === "file" ? decl.target.path.value : ""),
      }));
      return;
    }
    visit(target, text, namespace, decl.span);
  };

  visit(entryPath, entryText, null, null);

  let inv: Program["inventory"] = null;
  const declared = inventory as { decl: InventoryDecl; from: string } | null;
  if (declared) {
    const path = resolvePath(dirname(declared.from), declared.decl.path.value);
    const read = readInventory(path, host, { at: declared.decl.path.span });
    pushAll(diagnostics, read.diagnostics);
    inv = read.value;
  }
  let facts: Program["facts"] = null;
  const named = factsDecl as { decl: FactsDecl; from: string } | null;
  if (named) {
    const read = loadFacts(named.decl, resolvePath(dirname(named.from), named.decl.path.value), host, display, diagnostics);
    if (read !== null) {
      // Kept even when the facts are unusable: their diagnostics quote the file.
      facts = read.file;
      if (read.facts !== null) inv = withFacts(inv, read.facts, read.file, named.decl.path.span);
    }
  }
  const parsedErrors = files.some((f) => f.syntaxErrors);
  const incomplete = hasErrors(diagnostics.filter((d) => !parsedErrors || !isSyntax(d)));
  return { value: { entry: display(entryPath), files, inventory: inv, facts, incomplete }, diagnostics };
}

/** The facts file a plan names, read and validated; null (reported) when it cannot be used. */
function loadFacts(
  decl: FactsDecl,
  absolute: string,
  host: LoadHost,
  display: (absolute: string) => string,
  diagnostics: Diagnostic[],
): { facts: Facts | null; file: { path: string; text: string } } | null {
  const path = display(absolute);
  const read = host.readFile(absolute, MAX_INVENTORY_BYTES);
  if (isRefusal(read)) {
    diagnostics.push(refusalDiagnostic(read, path, decl.path.span));
    return null;
  }
  if (read === null) {
    diagnostics.push(diag("UPG0334", {
      message: `cannot read the facts file '${path}': no such file, or not readable`,
      span: decl.path.span,
      help: `write it with \`upgradec facts -o ${decl.path.value}\` (with the cloud's credentials in OS_* or clouds.yaml), or fix the path: it is relative to this .upg file`,
    }));
    return null;
  }
  const parsed = readFactsFile(read, path);
  pushAll(diagnostics, parsed.diagnostics);
  return { facts: hasErrors(parsed.diagnostics) ? null : parsed.value, file: { path, text: read } };
}

/** A parser's diagnostic (UPG01xx), as opposed to one of loading. */
function isSyntax(d: Diagnostic): boolean {
  return d.code.startsWith("UPG01");
}

function isInside(relativePath: string): boolean {
  return relativePath !== "" && !relativePath.startsWith("..") && !relativePath.startsWith(sep) && !/^[A-Za-z]:/.test(relativePath);
}

function unknownModule(name: string, at: Span, known: readonly string[], host: LoadHost, importer: string): Diagnostic {
  const nearest = suggest(name, known);
  const localFile = resolvePath(dirname(importer), `${name}.upg`);
  const help =
    host.readFile(localFile, MAX_SOURCE_BYTES) !== null
      ? `to import the file beside this one, quote its path: use "./${name}.upg"`
      : nearest
        ? `did you mean \`${nearest}\`?`
        : known.length > 0
          ? `the standard library has: ${known.join(", ")}`
          : "to import a file, quote its path: use \"./file.upg\"";
  return diag("UPG0201", {
    message: `unknown standard library module '${name}'`,
    span: at,
    help,
  });
}

/** A file beside the one asked for, with a near name or the missing `.upg`, else how paths work. */
function missingFileHelp(host: LoadHost, target: string, written: string): string {
  const siblings = (host.readDir(dirname(target)) ?? []).filter((n) => n.endsWith(".upg"));
  const near = suggest(basename(target), siblings);
  if (near) {
    const slash = written.lastIndexOf("/");
    return `did you mean "${written.slice(0, slash + 1)}${near}"?`;
  }
  return 'the path is relative to the file that imports it, e.g. use "./site.upg"';
}
