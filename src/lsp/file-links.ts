/**
 * The files a plan names: `use "./site.upg"`, `use openstack` (the standard library's
 * module) and `inventory "hosts.ini"`, for go to definition on them. Paths resolve as the
 * loader resolves them: relative to the file that names them.
 */
import { dirname, join, resolve as resolvePath } from "node:path";
import type { Span } from "../diagnostics/diagnostic.js";
import { PACKAGE_ROOT } from "../version.js";
import type { Analysis } from "./analysis.js";

/** The absolute path of the file named at an offset of a file (shown path), or null. */
export function fileLinkAt(analysis: Analysis, shown: string, offset: number): string | null {
  const file = analysis.result.program?.files.find((f) => f.path === shown);
  if (!file) return null;
  const inside = (span: Span): boolean => span.start <= offset && offset <= span.end;
  const here = dirname(analysis.absolute(shown));
  for (const decl of file.ast.declarations) {
    if (decl.type === "use") {
      const target = decl.target;
      if (target.kind === "file" && inside(target.path.span)) return resolvePath(here, target.path.value);
      if (target.kind === "module" && inside(target.name.span)) return join(PACKAGE_ROOT, "src", "stdlib", `${target.name.text}.upg`);
    } else if (decl.type === "inventory" && inside(decl.path.span)) {
      const inventory = analysis.result.program?.inventory?.files[0]?.path;
      return inventory !== undefined ? analysis.absolute(inventory) : resolvePath(here, decl.path.value);
    }
  }
  return null;
}
