/**
 * `--state` (else UPGRADEC_STATE) as a store: a directory (a path, or a `file:` URL; the
 * default is `.upgradec/` beside the plan), or a PostgreSQL database
 * (`postgres://USER@HOST[:PORT]/DB`, docs/state.md). Any other scheme is refused, so a URL
 * never quietly becomes a directory named after its scheme. A URL with a password in it is
 * refused too: it would show in `ps` and in shell history; PGPASSWORD or ~/.pgpass give it.
 */
import { resolveStateRoot, statePaths } from "../state-dir.js";
import { DirectoryStore } from "./directory-store.js";
import { localRootFor, PgStore } from "./pg-store.js";
import type { StateStore } from "./state-store.js";

export interface StoreTarget {
  /** --state as given, if given. */
  readonly state: string | undefined;
  readonly planDir: string;
  readonly cwd: string;
  readonly planName: string;
  readonly now?: () => number;
  /** UPGRADEC_STATE, UPGRADEC_LEASE, PGPASSWORD and the like. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Says what a database store waits for. */
  readonly say?: (text: string) => void;
}

export type OpenedStore = { readonly ok: true; readonly store: StateStore } | { readonly ok: false; readonly message: string; readonly help: string };

/** Seconds a database lease lasts unless renewed: UPGRADEC_LEASE, default 30. */
export const DEFAULT_LEASE_SECONDS = 30;

export function isDatabaseUrl(state: string): boolean {
  return /^postgres(ql)?:\/\//i.test(state);
}

/** The state a verb uses: --state, else UPGRADEC_STATE, else none given (the default directory). */
export function chosenState(state: string | undefined, env: Readonly<Record<string, string | undefined>> | undefined): string | undefined {
  if (state !== undefined) return state;
  const fromEnv = env?.["UPGRADEC_STATE"];
  return fromEnv !== undefined && fromEnv !== "" ? fromEnv : undefined;
}

function leaseSeconds(env: Readonly<Record<string, string | undefined>> | undefined): number {
  const text = env?.["UPGRADEC_LEASE"];
  const value = text === undefined ? NaN : Number(text);
  return Number.isFinite(value) && value >= 1 && value <= 3600 ? value : DEFAULT_LEASE_SECONDS;
}

export async function openStateStore(target: StoreTarget): Promise<OpenedStore> {
  const state = chosenState(target.state, target.env);
  const now = target.now ?? (() => Date.now());
  if (state !== undefined && isDatabaseUrl(state)) return openDatabase(state, target, now);
  const root = resolveStateRoot(state, target.planDir, target.cwd);
  if (!root.ok) return root;
  return { ok: true, store: new DirectoryStore(statePaths(root.root, target.planName), target.planName, now) };
}

async function openDatabase(url: string, target: StoreTarget, now: () => number): Promise<OpenedStore> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, message: `--state ${url}: not a URL`, help: "give postgres://USER@HOST[:PORT]/DATABASE, or a directory: --state DIR" };
  }
  if (parsed.password !== "") {
    return {
      ok: false,
      message: "--state: the database URL holds a password; it would show in ps and in the shell's history",
      help: "leave it out of the URL and give it in PGPASSWORD or ~/.pgpass (docs/state.md)",
    };
  }
  try {
    const store = await PgStore.open({
      url,
      planName: target.planName,
      now,
      leaseSeconds: leaseSeconds(target.env),
      localRoot: localRootFor(url, target.planName, target.env ?? {}),
      say: target.say ?? (() => undefined),
    });
    return { ok: true, store };
  } catch (error) {
    return {
      ok: false,
      message: `--state ${parsed.toString()}: the state database cannot be used: ${error instanceof Error ? error.message : String(error)}`,
      help: "check the URL, that the server runs and lets this host in, and the role's password (PGPASSWORD or ~/.pgpass); or keep the state in a directory: --state DIR",
    };
  }
}
