/**
 * Reading the facts from the cloud, through the OpenStack client (`openstack … -f json`), which
 * takes its credentials from the usual OS_* environment or clouds.yaml (`--os-cloud`), as
 * every command of the standard library does. Four admin-scoped listings:
 *
 *   openstack compute service list --service nova-compute -f json     Host, Zone, Status, State
 *   openstack aggregate list --long -f json                           Name, Availability Zone, Hosts
 *   openstack server list --all-projects --long --limit -1 -f json    ID, Name, Status, Host
 *   openstack server group list --all-projects --long -f json         ID, Name, Policy(ies), Members
 *
 * What the client prints is untrusted too: rows of the wrong shape are left out and
 * reported; host names are checked as the inventory checks them.
 */
import { type Diagnostic, type Result, diag } from "../diagnostics/diagnostic.js";
import { hostNameProblem } from "../inventory/host-name.js";
import { GROUP_POLICIES, normalizeFacts, type Facts, type FactsAggregate, type FactsHost, type FactsServer, type FactsServerGroup, type GroupPolicy } from "./facts-file.js";

/** Runs the OpenStack client with these arguments; its standard output, or why it failed. */
export type OpenStackClient = (args: readonly string[]) => Promise<{ readonly stdout: string } | { readonly error: string }>;

export const LISTINGS = {
  services: ["compute", "service", "list", "--service", "nova-compute", "-f", "json"],
  aggregates: ["aggregate", "list", "--long", "-f", "json"],
  servers: ["server", "list", "--all-projects", "--long", "--limit", "-1", "-f", "json"],
  groups: ["server", "group", "list", "--all-projects", "--long", "-f", "json"],
} as const;

type Row = Readonly<Record<string, unknown>>;

/** Reads every listing and joins them into facts; null when a listing could not be read. */
export async function gatherFacts(client: OpenStackClient): Promise<Result<Facts | null>> {
  const diagnostics: Diagnostic[] = [];
  const read = async (what: keyof typeof LISTINGS): Promise<Row[] | null> => {
    const args = LISTINGS[what];
    const out = await client(args);
    const shown = `openstack ${args.join(" ")}`;
    if ("error" in out) {
      diagnostics.push(diag("UPG0335", {
        message: `cannot read the cloud's ${what}: \`${shown}\` failed: ${out.error}`,
        help: "set the cloud's admin credentials (source an openrc, or OS_CLOUD with clouds.yaml) and check that `openstack compute service list` works",
      }));
      return null;
    }
    let json: unknown;
    try {
      json = JSON.parse(out.stdout);
    } catch {
      json = undefined;
    }
    if (!Array.isArray(json)) {
      diagnostics.push(diag("UPG0335", { message: `\`${shown}\` did not print a JSON list`, help: "check the OpenStack client's version: `-f json` prints a list of rows" }));
      return null;
    }
    return json.filter((r): r is Row => typeof r === "object" && r !== null && !Array.isArray(r));
  };
  // At once: each listing costs the client's start-up and a token, seconds each.
  const [services, aggregates, servers, groups] = await Promise.all([read("services"), read("aggregates"), read("servers"), read("groups")]);
  if (services === null || aggregates === null || servers === null || groups === null) return { value: null, diagnostics };
  return { value: joinFacts({ services, aggregates, servers, groups }, diagnostics), diagnostics };
}

const text = (v: unknown): string | null => (typeof v === "string" ? v : typeof v === "number" ? String(v) : null);
const texts = (v: unknown): string[] | null => (Array.isArray(v) && v.every((x) => typeof x === "string") ? (v as string[]) : null);

function skipped(diagnostics: Diagnostic[], what: string, why: string): void {
  diagnostics.push(diag("UPG0336", { message: `${what} left out of the facts: ${why}`, help: "the cloud's API returned it so; look at it with the OpenStack client" }));
}

/** The listings joined per compute host. */
export function joinFacts(rows: { readonly services: readonly Row[]; readonly aggregates: readonly Row[]; readonly servers: readonly Row[]; readonly groups: readonly Row[] }, diagnostics: Diagnostic[]): Facts {
  const hosts = new Map<string, { zone: string; enabled: boolean; up: boolean; aggregates: string[]; servers: FactsServer[] }>();
  for (const r of rows.services) {
    const name = text(r["Host"]);
    const problem = name === null ? "it has no Host" : hostNameProblem(name);
    if (name === null || problem !== null) {
      skipped(diagnostics, `compute service ${JSON.stringify(r["Host"] ?? r["ID"] ?? "?")}`, problem ?? "");
      continue;
    }
    hosts.set(name, { zone: text(r["Zone"]) ?? "", enabled: r["Status"] === "enabled", up: r["State"] === "up", aggregates: [], servers: [] });
  }
  const aggregates: FactsAggregate[] = [];
  for (const r of rows.aggregates) {
    const name = text(r["Name"]);
    const members = texts(r["Hosts"] ?? []);
    if (name === null || members === null) {
      skipped(diagnostics, `aggregate ${JSON.stringify(r["Name"] ?? r["ID"] ?? "?")}`, "it has no name or no list of hosts");
      continue;
    }
    const computes = members.filter((h) => hosts.has(h));
    aggregates.push({ name, zone: text(r["Availability Zone"]), hosts: computes });
    for (const h of computes) hosts.get(h)?.aggregates.push(name);
  }
  const serverGroups: FactsServerGroup[] = [];
  const groupsOf = new Map<string, string[]>();
  for (const r of rows.groups) {
    const id = text(r["ID"]);
    const name = text(r["Name"]) ?? "";
    const policy = policyOf(r);
    const members = texts(r["Members"] ?? []);
    if (id === null || policy === null || members === null) {
      skipped(diagnostics, `server group ${JSON.stringify(r["Name"] ?? r["ID"] ?? "?")}`, `it has no id, no members list, or a policy upgradec does not know (${JSON.stringify(r["Policy"] ?? r["Policies"] ?? null)})`);
      continue;
    }
    serverGroups.push({ id, name, policy, members });
    for (const m of members) groupsOf.set(m, [...(groupsOf.get(m) ?? []), id]);
  }
  for (const r of rows.servers) {
    const id = text(r["ID"]);
    const host = text(r["Host"]);
    if (id === null || host === null) continue; // not placed on a host (building, or failed to schedule)
    const h = hosts.get(host);
    if (!h) continue; // on a host that runs no nova-compute the listing knows
    h.servers.push({ id, name: text(r["Name"]) ?? "", status: text(r["Status"]) ?? "", groups: groupsOf.get(id) ?? [] });
  }
  const factsHosts: FactsHost[] = [...hosts].map(([name, h]) => ({ name, ...h }));
  return normalizeFacts({ hosts: factsHosts, aggregates, serverGroups });
}

/** `Policy` (compute API 2.64 and later) or the one entry of `Policies` (earlier). */
function policyOf(r: Row): GroupPolicy | null {
  const policies = texts(r["Policies"]);
  const p = text(r["Policy"]) ?? (policies !== null && policies.length === 1 ? policies[0] : null) ?? null;
  return p !== null && (GROUP_POLICIES as readonly string[]).includes(p) ? (p as GroupPolicy) : null;
}
