/**
 * `--state` as a store: a directory (a path, or a `file:` URL; the default is `.upgradec/`
 * beside the plan). Any other scheme is refused, so a URL never quietly becomes a directory
 * named after its scheme.
 */
import { resolveStateRoot, statePaths } from "../state-dir.js";
import { DirectoryStore } from "./directory-store.js";
import type { StateStore } from "./state-store.js";

export interface StoreTarget {
  /** --state as given, if given. */
  readonly state: string | undefined;
  readonly planDir: string;
  readonly cwd: string;
  readonly planName: string;
  readonly now?: () => number;
}

export type OpenedStore = { readonly ok: true; readonly store: StateStore } | { readonly ok: false; readonly message: string; readonly help: string };

export function openStateStore(target: StoreTarget): Promise<OpenedStore> {
  const root = resolveStateRoot(target.state, target.planDir, target.cwd);
  if (!root.ok) return Promise.resolve(root);
  return Promise.resolve({ ok: true, store: new DirectoryStore(statePaths(root.root, target.planName), target.planName, target.now ?? (() => Date.now())) });
}
