/**
 * One line of documentation per keyword, and the section of docs/language.md that explains
 * it: what the language server shows on hover and beside a completion. The keywords are the
 * lexer's (tokens.ts); test/parser/keyword-docs.test.ts fails when a keyword has no entry
 * here, or an entry names a section docs/language.md does not have, or a keyword the guide
 * never mentions.
 */
import type { Keyword } from "./tokens.js";

export interface KeywordDoc {
  /** What the keyword does, in one or two sentences. */
  readonly summary: string;
  /** A heading of docs/language.md, as written after the `#`s. */
  readonly section: string;
  /** A short example, as it would be written. */
  readonly example?: string;
}

const OPTIONS = "The options block";
const ACTIONS = "Actions";

export const keywordDocs: Readonly<Partial<Record<Keyword, KeywordDoc>>> = {
  after: { summary: "Services that must be done on every host before this one starts.", section: "`after`", example: "after nova-conductor, nova-api" },
  as: { summary: "Qualifies the names of a `use`d module or file with another namespace.", section: "`use`", example: 'use "./site.upg" as site' },
  backoff: { summary: "Wait before a retry of a failed action; doubles after each retry.", section: OPTIONS, example: "retries 2 backoff 30s" },
  batch: { summary: "Batch sizes of a rolling service: counts or percentages (round down, at least 1); the last entry repeats.", section: "`rolling`", example: "batch 1, 5%, 10%" },
  before: { summary: "The phase a checkpoint is taken before (prechecks, expand, pin, rollout, migrate, unpin, contract, cleanup).", section: "`checkpoint`", example: "checkpoint db-backup before expand { ... }" },
  continuous: {
    summary: "After the ramp's batches, every remaining host starts as soon as another finishes, keeping at most the caps out (no barrier between batches).",
    section: "Rolling modes",
    example: "batch 1, 2% then continuous",
  },
  by: { summary: "Rollout order by a host var.", section: "`rolling`", example: "order by rack" },
  cancel: { summary: "On reaching max-failures, stop work in flight too instead of letting it finish.", section: "`rolling`", example: "max-failures 5% per batch cancel" },
  "capacity-var": { summary: "The host var holding each host's capacity in instances, for evacuation.", section: "`evacuate`", example: "capacity-var capacity" },
  checkpoint: { summary: "A named point the plan can roll back to: a command run before a phase, and how to restore it.", section: "`checkpoint`", example: "checkpoint db-backup before expand { run [...] restore [...] }" },
  cleanup: { summary: "Once per service, after the rollout: remove what the old version left.", section: ACTIONS, example: 'cleanup ["apt-get", "autoremove", "-y"]' },
  concurrency: { summary: "How many instances are evacuated from a host at once.", section: "`evacuate`", example: "evacuate live-migrate concurrency 4" },
  connection: { summary: "How commands reach a host (`local`, or a declared connection such as ssh); in a plan or service, the one its hosts use.", section: "`connection`", example: 'connection ssh { exec ["ssh", "--", "{host}"] }' },
  contract: { summary: "Once per service: the schema contract, after every host runs the new version. A point of no return unless a checkpoint with a restore precedes it.", section: ACTIONS, example: 'contract ["keystone-manage", "db_sync", "--contract"]' },
  "count-var": { summary: "The host var holding each host's instance count (default `instances`).", section: "`evacuate`", example: "count-var instances" },
  cutoff: { summary: "No batch starts unless its worst case ends this long before the window closes.", section: "`window`", example: "cutoff 30m" },
  cwd: { summary: "The working directory the command runs in.", section: OPTIONS, example: 'cwd "/tmp"' },
  days: { summary: "The days a window opens on: names and ranges, Monday first; ranges may wrap.", section: "`window`", example: "days mon..fri, sun" },
  deadline: { summary: "A progress deadline for the whole rollout, reset whenever a host becomes healthy.", section: "`rolling`", example: "deadline 2h on-deadline stop" },
  deploy: { summary: "The deployment method whose actions a service uses (distribution packages, kolla-ansible, …).", section: "`deploy` and `connection`", example: "deploy openstack.kolla-ansible" },
  done: { summary: "A command that exits 0 when the action's effect is already there: resume skips the action.", section: OPTIONS, example: 'done ["dpkg-query", "-W", "nova-compute"]' },
  enter: { summary: "The command that puts a host into maintenance mode before its work.", section: "`maintenance`", example: 'enter ["openstack", "compute", "service", "set", "--disable", "{host}", "nova-compute"]' },
  env: { summary: "Environment variables of a command; in a `secret`, the variable the secret is read from.", section: OPTIONS, example: 'env { LC_ALL = "C" }' },
  evacuate: { summary: "How instances leave a host before its work: live-migrate, cold-migrate, stop-start or none.", section: "`evacuate`", example: "evacuate live-migrate concurrency 4 timeout 30m" },
  every: { summary: "How often a health check runs.", section: "`health`", example: "every 5s" },
  exec: { summary: "The command prefixed to every per-host command of a connection.", section: "`connection`", example: 'exec ["ssh", "-o", "BatchMode=yes", "--", "{host}"]' },
  exit: { summary: "The command that takes a host out of maintenance mode after its work.", section: "`maintenance`", example: 'exit ["openstack", "compute", "service", "set", "--enable", "{host}", "nova-compute"]' },
  expand: { summary: "Once per service, before the rollout: the schema expand (old and new code both run on it).", section: ACTIONS, example: 'expand ["keystone-manage", "db_sync", "--expand"]' },
  extends: { summary: "The template a service or template takes its body from; its own statements win, option by option.", section: "`template` and `service`", example: "service nova-compute extends openstack.nova-compute { ... }" },
  file: { summary: "In a `secret`: the file the secret is read from.", section: "`secret`", example: 'secret db file "/etc/upgradec/db.pw"' },
  facts: { summary: "The facts file `upgradec facts` wrote: each compute host's zone, aggregates, servers and server groups, read as host vars and groups.", section: "`facts`", example: 'facts "facts.json"' },
  from: { summary: "In a plan, the version upgraded from; in a window, the time it opens.", section: "`plan`", example: 'from "zed" to "2023.1"' },
  grace: { summary: "After a timeout's SIGTERM, how long until SIGKILL (default 10s).", section: OPTIONS, example: "grace 15s" },
  health: { summary: "The health check of a host after its work: every, within, healthy-for and on-deadline.", section: "`health`", example: 'health ["curl", "-sf", "http://{host}:8774/"] { every 5s within 5m }' },
  "healthy-for": { summary: "How long a host must stay healthy before the rollout goes on.", section: "`health`", example: "healthy-for 30s" },
  hosts: { summary: "A named set of hosts (groups, names, ranges), usable wherever a group is.", section: "`hosts`", example: "hosts edge = edge[01-04], gw1" },
  inventory: { summary: "The Ansible inventory (INI or YAML) the plan's groups and host vars come from, relative to this file.", section: "`inventory`", example: 'inventory "inventory/multinode"' },
  irreversible: { summary: "`undo irreversible`: the action cannot be undone; a point of no return unless a checkpoint covers it.", section: OPTIONS, example: "undo irreversible" },
  kind: { summary: "`upgrade` (a new release) or `update` (the same release's fixes).", section: "`plan`", example: "kind upgrade" },
  maintenance: { summary: "Commands that put a host into maintenance mode before its work and take it out after.", section: "`maintenance`", example: "maintenance { enter [...] exit [...] }" },
  "max-failures": { summary: "Stop and ask once failures exceed this count or share; scope per batch or per run.", section: "`rolling`", example: "max-failures 5% per batch cancel" },
  "max-unavailable": { summary: "Most hosts of the service out at once, overall or per failure domain (a host var).", section: "`rolling`", example: "max-unavailable 2 per az" },
  method: { summary: "A deployment method: the default actions and vars of the services that deploy with it.", section: "`method`", example: 'method apt { upgrade ["apt-get", "install", "-y", "{packages}"] }' },
  migrate: { summary: "Once per service, after the rollout: online data migrations.", section: ACTIONS, example: 'migrate ["nova-manage", "db", "online_data_migrations"]' },
  "needs-new": { summary: "Skew rule: this service at the new version needs these services at the new version first.", section: "`skew`", example: "skew needs-new keystone" },
  "never-newer-than": { summary: "Skew rule: this service never runs a newer version than these.", section: "`skew`", example: "skew never-newer-than nova-conductor" },
  note: { summary: "What restoring a checkpoint means, shown in the preview.", section: "`checkpoint`", example: 'note "restores every database"' },
  notify: { summary: "A notifier: on the events it names, a command run beside the upgrade with the event's JSON on its standard input; never in the run's way.", section: "`notify`", example: "notify on-call extends notify.webhook { on run-stopped  var url = \"https://…\" }" },
  on: { summary: "The hosts a service runs on: inventory groups, host sets, host names and ranges (groups first).", section: "`on`", example: "on compute, cmp[001-240]" },
  "on-deadline": { summary: "What happens when a deadline passes: stop or rollback.", section: "`health`", example: "on-deadline rollback" },
  once: { summary: "Run the action on one host of the service, not on each.", section: OPTIONS, example: "once" },
  order: { summary: "Rollout order of hosts: empty-first, inventory, or by a host var.", section: "`rolling`", example: "order empty-first" },
  parallelism: { summary: "Most steps running at once in the whole plan (default 8).", section: "`plan`", example: "parallelism 16" },
  pause: { summary: "Wait between batches.", section: "`rolling`", example: "pause 2m" },
  per: { summary: "A failure domain (a host var) for max-unavailable, or the scope of max-failures.", section: "`rolling`", example: "max-unavailable 2 per az" },
  pin: { summary: "Once per service, before the rollout: pin RPC versions so old and new interoperate.", section: ACTIONS, example: 'pin ["crudini", "--set", "/etc/nova/nova.conf", "upgrade_levels", "compute", "auto"]' },
  plan: { summary: "The plan: its name, kind, versions from and to, start, parallelism, default deploy and connection.", section: "`plan`", example: 'plan "zed-to-2023.1" { kind upgrade from "zed" to "2023.1" }' },
  plane: { summary: "`control` or `data` (data: its hosts carry users' workloads).", section: "`plane`", example: "plane data" },
  postcheck: { summary: "Once per service, after the rollout: a check that it works.", section: ACTIONS, example: 'postcheck ["openstack", "compute", "service", "list"]' },
  precheck: { summary: "Once per service, before anything changes: `<project>-status upgrade check` and the like.", section: ACTIONS, example: 'precheck ["nova-status", "upgrade", "check"]' },
  probe: { summary: "The command `upgradec check` runs to see whether a host answers over a connection.", section: "`connection`", example: 'probe ["ssh", "--", "{host}", "true"]' },
  reboot: { summary: "Reboot each host after its work, optionally inside a window, with an estimate.", section: "`reboot`", example: 'reboot ["systemctl", "reboot"] window nightly takes 8m' },
  restore: { summary: "How a checkpoint is restored when rolling back to it.", section: "`checkpoint`", example: 'restore ["sh", "-c", "mysql < /backup/pre.sql"]' },
  retries: { summary: "How many times a failed action is tried again.", section: OPTIONS, example: "retries 2" },
  rollback: { summary: "Per host: how to put the old version back.", section: ACTIONS, example: 'rollback ["apt-get", "install", "-y", "--allow-downgrades", "nova-compute={from}"]' },
  rolling: { summary: "The rolling policy: batches, max-unavailable, pause, max-failures, order, deadline.", section: "`rolling`", example: "rolling { batch 1, 5%, 10%  max-unavailable 2 per az }" },
  run: { summary: "The command a checkpoint, an evacuation or a notifier runs.", section: "`checkpoint`", example: 'run ["mysqldump", "--all-databases"]' },
  secret: { summary: "A value read from an environment variable or a file, used as `{secret.NAME}`, never printed or journaled.", section: "`secret`", example: 'secret os-password env "OS_PASSWORD"' },
  service: { summary: "A service that is planned: where it runs, what it comes after, how it rolls out.", section: "`template` and `service`", example: "service nova-compute extends openstack.nova-compute { on compute }" },
  shell: { summary: "A script run by `sh -c`, the one explicit way to get a shell; placeholders become environment variables.", section: "Commands", example: 'shell "systemctl start nova-compute && sleep 5"' },
  skew: { summary: "Version-skew rules between services: needs-new, never-newer-than.", section: "`skew`", example: "skew never-newer-than nova-conductor" },
  start: { summary: "Per host: start the service; in a plan, the date-time and zone the plan starts at.", section: ACTIONS, example: 'start ["systemctl", "start", "nova-compute"]' },
  stop: { summary: "Per host: stop the service gracefully; as on-deadline, stop the rollout.", section: ACTIONS, example: 'stop ["systemctl", "stop", "nova-compute"] { grace 30s }' },
  tags: { summary: "Tags of a service; without `rolling-upgrade` a service is planned all at once.", section: "`tags`", example: "tags rolling-upgrade, zero-downtime" },
  takes: { summary: "The estimate of an action, or of the upgrade on one host.", section: "`takes`", example: "takes 6m" },
  template: { summary: "A reusable service body, planned only through a service that extends it.", section: "`template` and `service`", example: "template compute-host { ... }" },
  timeout: { summary: "How long an action or evacuation may take before it is stopped (SIGTERM).", section: OPTIONS, example: "timeout 20m" },
  to: { summary: "In a plan, the version upgraded to; in a window, the time it closes.", section: "`plan`", example: 'from "zed" to "2023.1"' },
  undo: { summary: "How an action is rolled back, or `undo irreversible`.", section: OPTIONS, example: "undo irreversible" },
  unpin: { summary: "Once per service, after every host runs the new version: release the RPC pin.", section: ACTIONS, example: 'unpin ["crudini", "--del", "/etc/nova/nova.conf", "upgrade_levels", "compute"]' },
  upgrade: { summary: "Per host: the upgrade itself; as a plan's kind, a new release.", section: ACTIONS, example: 'upgrade ["apt-get", "install", "-y", "{packages}"]' },
  urgent: { summary: "An urgent plan may waive windows, with a warning.", section: "`plan`", example: "urgent" },
  use: { summary: "Import a standard library module (`use openstack`) or a file (`use \"./site.upg\"`).", section: "`use`", example: "use openstack" },
  uses: { summary: "An exported function of a TypeScript module, run as the action.", section: "Commands", example: 'upgrade uses "./actions/lb.ts#drainAndUpgrade"' },
  var: { summary: "A var of a service or method, used in commands as `{NAME}`.", section: "`var`", example: 'var packages = ["nova-compute", "python3-nova"]' },
  version: { summary: "Per host: a command that prints the version a host runs.", section: ACTIONS, example: 'version ["nova-compute", "--version"]' },
  window: { summary: "A maintenance window (days, from, to, zone, cutoff); in a service, the window its batches must fit in.", section: "`window`", example: 'window nightly { days mon..fri  from 22:00 to 06:00  zone "Europe/Berlin"  cutoff 30m }' },
  within: { summary: "How long a host has to become healthy.", section: "`health`", example: "within 5m" },
  zone: { summary: "The IANA time zone of a window.", section: "`window`", example: 'zone "Europe/Berlin"' },
  then: { summary: "Ends the ramp of batch sizes: `batch 1, 2% then continuous` rolls the rest continuously.", section: "Rolling modes", example: "batch 1, 2% then continuous" },
};

/** The anchor GitHub gives a heading of docs/language.md. */
export function sectionAnchor(section: string): string {
  return section
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, "")
    .replace(/ /g, "-");
}

/** Markdown for a keyword's hover and completion. */
export function keywordMarkdown(keyword: string): string | null {
  const doc = (keywordDocs as Readonly<Record<string, KeywordDoc | undefined>>)[keyword];
  if (!doc) return null;
  const example = doc.example ? `\n\n\`\`\`upg\n${doc.example}\n\`\`\`` : "";
  return `**\`${keyword}\`** — ${doc.summary}${example}\n\nSee docs/language.md, [${doc.section.replace(/`/g, "")}](docs/language.md#${sectionAnchor(doc.section)}).`;
}
