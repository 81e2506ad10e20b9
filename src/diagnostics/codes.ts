/**
 * Every diagnostic code, in one registry, grouped by phase:
 *   UPG00xx  internal and I/O
 *   UPG01xx  syntax (lexer and parser)
 *   UPG02xx  imports (0200-0219, load) and names and declarations (0220-0299, resolve)
 *   UPG03xx  inventory
 *   UPG04xx  graph and ordering (dependencies, cycles, version skew)
 *   UPG05xx  policy (rolling, caps, windows, evacuation, checkpoints)
 *   UPG06xx  TypeScript actions
 *   UPG07xx  plan file (schema, staleness, tampering)
 *   UPG08xx  runtime
 *   UPG09xx  pre-upgrade checks (`check`)
 * A code is never reused for another meaning once released.
 */
import type { Severity } from "./diagnostic.js";

export interface CodeInfo {
  readonly severity: Severity;
  /** What the code means, for `upgradec explain` and the docs. */
  readonly title: string;
}

export const codes = {
  // ---- internal and I/O (UPG00xx)
  UPG0001: { severity: "error", title: "internal compiler error" },
  UPG0002: { severity: "error", title: "file not found or unreadable" },
  UPG0003: { severity: "error", title: "a file the compiler does not read: not a regular file, too large, or not UTF-8" },
  UPG0004: { severity: "error", title: "errors in a file that is not the project's (counted, not shown)" },
  UPG0010: { severity: "error", title: "a --history directory is missing or holds no run's journal" },
  UPG0011: { severity: "warning", title: "a journal under --history is damaged or unreadable: its run is not learned from" },

  // ---- syntax (UPG01xx)
  UPG0101: { severity: "error", title: "unexpected character" },
  UPG0102: { severity: "error", title: "unknown statement or declaration" },
  UPG0103: { severity: "error", title: "syntax error: expected something else" },
  UPG0104: { severity: "error", title: "unterminated string" },
  UPG0105: { severity: "error", title: "invalid escape in string" },
  UPG0106: { severity: "error", title: "invalid duration" },
  UPG0107: { severity: "error", title: "invalid time of day" },
  UPG0108: { severity: "error", title: "invalid date-time" },
  UPG0109: { severity: "error", title: "invalid host range" },
  UPG0110: { severity: "error", title: "invalid value for a statement (unknown day, strategy, kind, ...)" },
  UPG0111: { severity: "error", title: "statement given twice in a block" },
  UPG0112: { severity: "error", title: "percentage over 100%" },
  UPG0113: { severity: "error", title: "integer too large" },
  UPG0114: { severity: "error", title: "unknown time zone" },
  UPG0115: { severity: "error", title: "option not allowed here" },
  UPG0116: { severity: "error", title: "empty command" },
  UPG0117: { severity: "error", title: "unclosed block" },
  UPG0118: { severity: "error", title: "string in single quotes" },
  UPG0119: { severity: "error", title: "blocks nested too deeply" },
  UPG0120: { severity: "error", title: "a name or string too long" },

  // ---- imports (UPG0200-UPG0219)
  UPG0200: { severity: "error", title: "imported file not found or unreadable" },
  UPG0201: { severity: "error", title: "unknown standard library module" },
  UPG0202: { severity: "error", title: "import cycle" },
  UPG0203: { severity: "error", title: "a second inventory in one program" },
  UPG0204: { severity: "error", title: "one file imported under two namespaces" },
  UPG0205: { severity: "error", title: "`use` of a file not named .upg" },
  UPG0206: { severity: "error", title: "a second facts file in one program" },

  // ---- names and declarations (UPG0220-UPG0299)
  UPG0220: { severity: "error", title: "a name declared twice" },
  UPG0221: { severity: "error", title: "unknown template in `extends`" },
  UPG0222: { severity: "error", title: "`extends` names a service, not a template" },
  UPG0223: { severity: "error", title: "templates extend each other in a cycle" },
  UPG0224: { severity: "error", title: "unknown deployment method" },
  UPG0225: { severity: "error", title: "unknown connection" },
  UPG0226: { severity: "error", title: "unknown host or group" },
  UPG0227: { severity: "error", title: "hosts of a range are not in the inventory" },
  UPG0228: { severity: "error", title: "unknown window" },
  UPG0229: { severity: "error", title: "a placeholder with no value" },
  UPG0230: { severity: "error", title: "unknown secret" },
  UPG0231: { severity: "error", title: "the program declares no plan" },
  UPG0232: { severity: "error", title: "a second plan in one program" },
  UPG0233: { severity: "error", title: "a window without its hours or zone" },
  UPG0234: { severity: "error", title: "a host set includes itself" },
  UPG0235: { severity: "error", title: "a host given two connections" },
  UPG0236: { severity: "warning", title: "hosts without the var the rollout is ordered by" },
  UPG0237: { severity: "error", title: "more hosts than the compiler plans (a million)" },
  UPG0240: { severity: "error", title: "a secret in a command's arguments, where ps would show it" },
  UPG0250: { severity: "error", title: "a service with no deployment method whose commands use a method's vars" },
  UPG0251: { severity: "warning", title: "a placeholder inside single quotes in a shell script stays as written" },
  UPG0252: { severity: "error", title: "a service's deployment method does not set a var its templates use" },
  UPG0260: { severity: "error", title: "unknown notifier in `extends`, or notifiers that extend each other in a cycle" },
  UPG0261: { severity: "error", title: "a notifier that fires on events but runs no command" },
  UPG0262: { severity: "error", title: "a notifier's command is a TypeScript module (only argv or `shell`)" },

  // ---- inventory (UPG03xx)
  UPG0300: { severity: "error", title: "inventory not found or unreadable" },
  UPG0301: { severity: "error", title: "malformed INI section header" },
  UPG0302: { severity: "error", title: "unknown INI section type (not hosts, vars or children)" },
  UPG0303: { severity: "error", title: "[group:children] names a group that is never declared" },
  UPG0304: { severity: "error", title: "[group:vars] for a group that is never declared" },
  UPG0305: { severity: "error", title: "expected key=value" },
  UPG0306: { severity: "error", title: "invalid host range or host pattern" },
  UPG0307: { severity: "error", title: "YAML syntax error in an inventory or vars file" },
  UPG0308: { severity: "error", title: "a group is its own ancestor" },
  UPG0309: { severity: "error", title: "vars are not a mapping" },
  UPG0310: { severity: "warning", title: "unexpected key in a YAML inventory group (skipped, as Ansible does)" },
  UPG0311: { severity: "warning", title: "a YAML inventory group that is not a mapping (skipped, as Ansible does)" },
  UPG0312: { severity: "warning", title: "the inventory has no hosts" },
  UPG0313: { severity: "error", title: "unterminated quote or escape in an INI line" },
  UPG0314: { severity: "error", title: "YAML inventory is not a mapping of groups" },
  UPG0315: { severity: "warning", title: "duplicate key in a YAML inventory or vars file (the last one wins, as in Ansible)" },
  UPG0316: { severity: "warning", title: "vars file encrypted with ansible-vault (not read)" },
  UPG0317: { severity: "error", title: "invalid group name in an INI [group:children] section" },
  UPG0318: { severity: "warning", title: "dynamic inventory script in an inventory directory (not run)" },
  UPG0325: { severity: "error", title: "an inventory host name that is not a host name, an address or an alias" },
  UPG0326: { severity: "error", title: "an inventory connection var (ansible_host, ansible_user, ansible_port) that ssh could not take safely" },
  UPG0330: { severity: "error", title: "a facts file that is not JSON" },
  UPG0331: { severity: "error", title: "a facts file entry of the wrong shape (a host, server, aggregate or server group)" },
  UPG0332: { severity: "error", title: "a facts file of another format" },
  UPG0333: { severity: "warning", title: "an unknown key in a facts file (ignored)" },
  UPG0334: { severity: "error", title: "the facts file a plan names cannot be read" },
  UPG0335: { severity: "error", title: "`upgradec facts` cannot read a listing from the cloud" },
  UPG0336: { severity: "warning", title: "a row of the cloud's listings left out of the facts (no host name, or one that cannot be a host name)" },

  // ---- graph and ordering (UPG04xx)
  UPG0400: { severity: "error", title: "unknown service in `after`" },
  UPG0401: { severity: "error", title: "unknown service in `skew`" },
  UPG0402: { severity: "error", title: "a service after itself" },
  UPG0420: { severity: "error", title: "dependency cycle among services" },
  UPG0421: { severity: "error", title: "a version-skew rule the ordering does not enforce (the service is not after the one it names)" },
  UPG0422: { severity: "error", title: "an upgrade to an older OpenStack release" },
  UPG0423: { severity: "error", title: "an upgrade to the same OpenStack release" },
  UPG0424: { severity: "error", title: "an upgrade that skips OpenStack releases (only SLURP to SLURP may skip one)" },
  UPG0425: { severity: "error", title: "a version that looks like an OpenStack release and is not one" },
  UPG0426: { severity: "warning", title: "a release later than every OpenStack release the compiler knows" },

  // ---- policy (UPG05xx)
  UPG0500: { severity: "error", title: "service placed on no host" },
  UPG0501: { severity: "error", title: "max-unavailable 0: no host may ever be down" },
  UPG0502: { severity: "error", title: "a batch larger than max-unavailable" },
  UPG0503: { severity: "error", title: "a batch larger than the per-domain cap allows across the service's failure domains" },
  UPG0504: { severity: "error", title: "hosts without the failure-domain var of a per-domain cap" },
  UPG0505: { severity: "error", title: "a batch's instances do not fit in the free capacity of the service's other hosts" },
  UPG0506: { severity: "warning", title: "service without the rolling-upgrade tag is upgraded on all its hosts at once" },
  UPG0507: { severity: "warning", title: "point of no return: a contract with no restorable checkpoint before it" },
  UPG0508: { severity: "warning", title: "urgent plan waives windows" },
  UPG0509: { severity: "warning", title: "unknown service tag" },
  UPG0510: { severity: "error", title: "a batch of 0 hosts" },
  UPG0520: { severity: "error", title: "a cap per set of hosts (an aggregate, an anti-affinity server group) that no rollout can honour" },
  UPG0521: { severity: "warning", title: "a soft anti-affinity (a `soft-` set var) that the plan cannot honour, relaxed" },
  UPG0522: { severity: "error", title: "the schedule takes more hosts of a set out at once than its cap (a compiler bug)" },

  // ---- expand and schedule (UPG0580-UPG0599, build-plan)
  UPG0580: { severity: "warning", title: "service has no upgrade action: its upgrade steps run nothing" },
  UPG0581: { severity: "note", title: "upgrade has no undo and the service no rollback action: rolling back leaves its hosts at the new version" },
  UPG0582: { severity: "error", title: "a host chain bound to a window fits no occurrence of it" },
  UPG0583: { severity: "error", title: "the plan's start is not a valid date-time" },
  UPG0584: { severity: "error", title: "a service names a window that does not exist" },
  UPG0585: { severity: "warning", title: "service needs a reboot but has no reboot command: its reboot steps run nothing" },
  UPG0586: { severity: "warning", title: "service evacuates its hosts but has no evacuation command: no host is emptied" },
  UPG0587: { severity: "warning", title: "a window opens inside a daylight-saving gap on a night the plan uses: it opens when the clocks jump" },

  // ---- TypeScript actions (UPG06xx)
  UPG0600: { severity: "error", title: "an action module is missing, unreadable or not a TypeScript or JavaScript file" },
  UPG0601: { severity: "error", title: "an action module does not export the name a `uses` action gives" },
  UPG0602: { severity: "error", title: "a `uses` action names an export that is not a function" },
  UPG0603: { severity: "error", title: "an action function cannot be called with the runtime's action context" },
  UPG0604: { severity: "error", title: "type error in an action module" },

  // ---- plan file (UPG07xx)
  UPG0701: { severity: "error", title: "the plan file cannot be read or is not JSON" },
  UPG0702: { severity: "error", title: "the plan file does not match the schema or does not hold together" },
  UPG0703: { severity: "error", title: "the plan file was edited after it was compiled (tampered)" },
  UPG0704: { severity: "error", title: "the plan file is stale: a source changed, or another compiler version made it" },

  // ---- runtime (UPG08xx)
  UPG0801: { severity: "error", title: "the run's state is locked by another run" },
  UPG0802: { severity: "error", title: "the run's state is damaged: its journal beyond a torn last record, its mark, or the pointer to it" },
  UPG0803: { severity: "error", title: "a secret cannot be read" },
  UPG0804: { severity: "error", title: "no run to continue, or its journal cannot be read" },
  UPG0805: { severity: "error", title: "the run was started from another plan" },
  UPG0806: { severity: "error", title: "the current run is in a state that does not allow this" },
  UPG0807: { severity: "error", title: "--skip needs --yes-i-fixed-it and a step that is not done" },
  UPG0808: { severity: "error", title: "rollback refused: a point of no return, or no such checkpoint" },
  UPG0809: { severity: "error", title: "--state names no state upgradec can use: an unsupported URL scheme, a password in a database URL, a database it cannot reach" },

  // ---- pre-upgrade checks (UPG09xx, `check`)
  UPG0901: { severity: "warning", title: "a program a notifier runs is not found on this machine" },
} as const satisfies Record<string, CodeInfo>;

export type Code = keyof typeof codes;
