/**
 * The facts file (`upgradec facts -o facts.json`, named in a plan by `facts "facts.json"`):
 * what the cloud itself says about its compute hosts, read from nova's API. Documented by
 * schema/facts.schema.json and docs/openstack.md.
 *
 *   { "format": "upgradec.facts/1",
 *     "hosts": [ { "name": "cmp1", "zone": "az1", "enabled": true, "up": true,
 *                  "aggregates": ["agg-a"],
 *                  "servers": [ { "id": "8f41…", "name": "web-1", "status": "ACTIVE", "groups": ["a797…"] } ] } ],
 *     "aggregates":   [ { "name": "agg-a", "zone": "az1", "hosts": ["cmp1", "cmp2"] } ],
 *     "serverGroups": [ { "id": "a797…", "name": "web", "policy": "anti-affinity", "members": ["8f41…"] } ] }
 *
 * Written in one stable order (hosts, aggregates and their host lists by name; servers and
 * groups by id) and with no timestamp, so facts read twice from an unchanged cloud are the
 * same bytes and a plan compiled from them stays current.
 *
 * Read back as untrusted input: the file may be hand-edited or come from elsewhere. Every
 * problem is a diagnostic at its place in the file (UPG033x), never an exception.
 */
import { isMap, isScalar, isSeq, type Node } from "yaml";
import { type Diagnostic, type Result, type Span, diag } from "../diagnostics/diagnostic.js";
import { hostNameProblem } from "../inventory/host-name.js";
import { isNullNode, mapEntries, nodeSpan, parseYaml } from "../inventory/yaml-source.js";

export const FACTS_FORMAT = "upgradec.facts/1";

export type GroupPolicy = "anti-affinity" | "affinity" | "soft-anti-affinity" | "soft-affinity";
export const GROUP_POLICIES: readonly GroupPolicy[] = ["anti-affinity", "affinity", "soft-anti-affinity", "soft-affinity"];

export interface FactsServer {
  readonly id: string;
  readonly name: string;
  /** nova's status: ACTIVE, SHUTOFF, ... */
  readonly status: string;
  /** Ids of the server groups it belongs to. */
  readonly groups: readonly string[];
}

export interface FactsHost {
  /** The compute service's host name, as nova knows it. */
  readonly name: string;
  /** Its availability zone. */
  readonly zone: string;
  /** false when the compute service is disabled in the scheduler. */
  readonly enabled: boolean;
  /** nova's `State` when the facts were read. */
  readonly up: boolean;
  readonly aggregates: readonly string[];
  readonly servers: readonly FactsServer[];
}

export interface FactsAggregate {
  readonly name: string;
  readonly zone: string | null;
  readonly hosts: readonly string[];
}

export interface FactsServerGroup {
  readonly id: string;
  readonly name: string;
  readonly policy: GroupPolicy;
  readonly members: readonly string[];
}

export interface Facts {
  readonly hosts: readonly FactsHost[];
  readonly aggregates: readonly FactsAggregate[];
  readonly serverGroups: readonly FactsServerGroup[];
}

const byKey =
  <T>(key: (t: T) => string) =>
  (a: T, b: T): number =>
    key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;

/** The facts in their one written order. */
export function normalizeFacts(facts: Facts): Facts {
  const sorted = (xs: readonly string[]): string[] => [...new Set(xs)].sort();
  return {
    hosts: [...facts.hosts]
      .map((h) => ({
        name: h.name,
        zone: h.zone,
        enabled: h.enabled,
        up: h.up,
        aggregates: sorted(h.aggregates),
        servers: [...h.servers].map((s) => ({ id: s.id, name: s.name, status: s.status, groups: sorted(s.groups) })).sort(byKey((s) => s.id)),
      }))
      .sort(byKey((h) => h.name)),
    aggregates: [...facts.aggregates].map((a) => ({ name: a.name, zone: a.zone, hosts: sorted(a.hosts) })).sort(byKey((a) => a.name)),
    serverGroups: [...facts.serverGroups].map((g) => ({ id: g.id, name: g.name, policy: g.policy, members: sorted(g.members) })).sort(byKey((g) => g.id)),
  };
}

/** The file's text: the format line first, then the normalized facts, two-space JSON, a final newline. */
export function factsFileText(facts: Facts): string {
  return JSON.stringify({ format: FACTS_FORMAT, ...normalizeFacts(facts) }, null, 2) + "\n";
}

/** A problem found while reading the file, at a node. */
type Report = (node: Node | null, message: string, help: string) => void;

/**
 * Reads and validates a facts file. The value is null when the file cannot be used at all
 * (not JSON, another format); otherwise the facts, with each bad entry left out and reported.
 */
export function readFactsFile(text: string, file: string): Result<Facts | null> {
  const diagnostics: Diagnostic[] = [];
  const whole: Span = { file, start: 0, end: Math.min(text.length, 1) };
  const doc = parseYaml(text, file, diagnostics);
  // The YAML reader's syntax errors are an inventory's code; a facts file says so in its own.
  const syntax = diagnostics.splice(0).map((d): Diagnostic => ({ ...d, code: "UPG0330", message: d.message.replace(/^YAML/, "JSON"), help: "the facts file is JSON written by `upgradec facts`: write it again with `upgradec facts -o FILE`" }));
  if (syntax.length > 0) return { value: null, diagnostics: syntax };
  const report: Report = (node, message, help) => diagnostics.push(diag("UPG0331", { message, span: nodeSpan(node, file, whole), help }));
  const root = doc.contents as Node | null;
  if (!isMap(root)) {
    report(root, "a facts file is a JSON object", "write it with `upgradec facts -o FILE`");
    return { value: null, diagnostics };
  }
  const entries = mapEntries(root, file, diagnostics);
  const get = (k: string): Node | null => entries.find((e) => e.key === k)?.value ?? null;
  const format = get("format");
  if (!isScalar(format) || format.value !== FACTS_FORMAT) {
    diagnostics.push(diag("UPG0332", {
      message: `not a facts file of format "${FACTS_FORMAT}"${isScalar(format) ? `: its format is ${JSON.stringify(format.value)}` : ""}`,
      span: nodeSpan(format, file, whole),
      help: "name a file written by `upgradec facts` (its first key is \"format\": \"upgradec.facts/1\"), or write it again",
    }));
    return { value: null, diagnostics };
  }
  for (const e of entries) {
    if (!["format", "hosts", "aggregates", "serverGroups"].includes(e.key)) {
      diagnostics.push(diag("UPG0333", { message: `unknown key '${e.key}' in a facts file (ignored)`, span: e.keySpan, help: "a facts file has format, hosts, aggregates and serverGroups" }));
    }
  }
  const hosts = listOf(get("hosts"), "hosts", report, (n) => hostOf(n, file, diagnostics, report));
  const aggregates = listOf(get("aggregates"), "aggregates", report, (n) => aggregateOf(n, file, diagnostics, report));
  const serverGroups = listOf(get("serverGroups"), "serverGroups", report, (n) => groupOf(n, file, diagnostics, report));
  uniqueBy(hosts, (h) => h.value.name, "host", report);
  uniqueBy(serverGroups, (g) => g.value.id, "server group id", report);
  return { value: { hosts: hosts.map((h) => h.value), aggregates: aggregates.map((a) => a.value), serverGroups: serverGroups.map((g) => g.value) }, diagnostics };
}

interface At<T> {
  readonly value: T;
  readonly node: Node;
}

function listOf<T>(node: Node | null, what: string, report: Report, item: (n: Node) => T | null): At<T>[] {
  if (isNullNode(node)) return [];
  if (!isSeq(node)) {
    report(node, `\`${what}\` is a list`, `write \`${what}\` as a JSON array, or leave it out`);
    return [];
  }
  const out: At<T>[] = [];
  for (const n of node.items as (Node | null)[]) {
    if (n === null) continue;
    const value = item(n);
    if (value !== null) out.push({ value, node: n });
  }
  return out;
}

function uniqueBy<T>(items: readonly At<T>[], key: (t: At<T>) => string, what: string, report: Report): void {
  const seen = new Set<string>();
  for (const it of items) {
    const k = key(it);
    if (seen.has(k)) report(it.node, `${what} '${k}' is listed twice`, `keep one entry per ${what}`);
    seen.add(k);
  }
}

/** A field of an object node: a string, a boolean, or a list of strings; null (reported) when absent or of another type. */
class Fields {
  private readonly entries: { key: string; keySpan: Span; value: Node | null }[];
  constructor(
    private readonly node: Node,
    private readonly what: string,
    file: string,
    diagnostics: Diagnostic[],
    private readonly report: Report,
  ) {
    this.entries = mapEntries(node, file, diagnostics);
  }
  private get(key: string): Node | null {
    return this.entries.find((e) => e.key === key)?.value ?? null;
  }
  string(key: string, optional = false): string | null {
    const n = this.get(key);
    if (optional && isNullNode(n)) return null;
    if (isScalar(n) && typeof n.value === "string") return n.value;
    this.report(n ?? this.node, `${this.what}: \`${key}\` is ${optional ? "a string or null" : "a string"}`, `give \`${key}\` as a JSON string`);
    return null;
  }
  boolean(key: string): boolean | null {
    const n = this.get(key);
    if (isScalar(n) && typeof n.value === "boolean") return n.value;
    this.report(n ?? this.node, `${this.what}: \`${key}\` is true or false`, `give \`${key}\` as a JSON boolean`);
    return null;
  }
  strings(key: string): string[] | null {
    const n = this.get(key);
    if (isNullNode(n)) return [];
    if (isSeq(n) && (n.items as (Node | null)[]).every((i) => isScalar(i) && typeof i.value === "string")) return (n.items as Node[]).map((i) => String((i as { value: unknown }).value));
    this.report(n, `${this.what}: \`${key}\` is a list of strings`, `give \`${key}\` as a JSON array of strings`);
    return null;
  }
  list(key: string): Node | null {
    return this.get(key);
  }
}

function hostOf(node: Node, file: string, diagnostics: Diagnostic[], report: Report): FactsHost | null {
  if (!isMap(node)) {
    report(node, "a host in `hosts` is an object", 'write it as { "name": …, "zone": …, "enabled": …, "up": …, "aggregates": […], "servers": […] }');
    return null;
  }
  const f = new Fields(node, "a host", file, diagnostics, report);
  const name = f.string("name");
  if (name === null) return null;
  const problem = hostNameProblem(name);
  if (problem !== null) {
    report(node, `host ${JSON.stringify(name)} cannot be a host name: ${problem}`, "a facts host is a nova compute host name; write the file again with `upgradec facts`");
    return null;
  }
  const g = new Fields(node, `host ${name}`, file, diagnostics, report);
  const zone = g.string("zone");
  const enabled = g.boolean("enabled");
  const up = g.boolean("up");
  const aggregates = g.strings("aggregates");
  const servers = listOf(g.list("servers"), `servers of ${name}`, report, (n) => serverOf(n, name, file, diagnostics, report));
  if (zone === null || enabled === null || up === null || aggregates === null) return null;
  return { name, zone, enabled, up, aggregates, servers: servers.map((s) => s.value) };
}

function serverOf(node: Node, host: string, file: string, diagnostics: Diagnostic[], report: Report): FactsServer | null {
  if (!isMap(node)) {
    report(node, `a server of host ${host} is an object`, 'write it as { "id": …, "name": …, "status": …, "groups": […] }');
    return null;
  }
  const f = new Fields(node, `a server on ${host}`, file, diagnostics, report);
  const id = f.string("id");
  const name = f.string("name");
  const status = f.string("status");
  const groups = f.strings("groups");
  if (id === null || name === null || status === null || groups === null) return null;
  return { id, name, status, groups };
}

function aggregateOf(node: Node, file: string, diagnostics: Diagnostic[], report: Report): FactsAggregate | null {
  if (!isMap(node)) {
    report(node, "an aggregate is an object", 'write it as { "name": …, "zone": … or null, "hosts": […] }');
    return null;
  }
  const f = new Fields(node, "an aggregate", file, diagnostics, report);
  const name = f.string("name");
  const zone = f.string("zone", true);
  const hosts = f.strings("hosts");
  if (name === null || hosts === null) return null;
  return { name, zone, hosts };
}

function groupOf(node: Node, file: string, diagnostics: Diagnostic[], report: Report): FactsServerGroup | null {
  if (!isMap(node)) {
    report(node, "a server group is an object", 'write it as { "id": …, "name": …, "policy": …, "members": […] }');
    return null;
  }
  const f = new Fields(node, "a server group", file, diagnostics, report);
  const id = f.string("id");
  const name = f.string("name");
  const policy = f.string("policy");
  const members = f.strings("members");
  if (id === null || name === null || policy === null || members === null) return null;
  if (!(GROUP_POLICIES as readonly string[]).includes(policy)) {
    report(node, `server group ${name}: unknown policy ${JSON.stringify(policy)}`, `a policy is one of ${GROUP_POLICIES.join(", ")}`);
    return null;
  }
  return { id, name, policy: policy as GroupPolicy, members };
}
