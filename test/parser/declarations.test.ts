import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "../../src/parser/parse.js";
import { expectAt, expectSpansEverywhere, FILE, only, parseOk, parseWithErrors } from "./helpers.js";

describe("plan", () => {
  it("reads every statement", () => {
    const { file, ranges } = parseOk(
      '⟦plan ⟦"zed-to-2023.1"⟧ {\n  kind ⟦upgrade⟧\n  ⟦urgent⟧\n  from ⟦"zed"⟧ to "2023.1"\n  start 2026-12-05T22:00 "Europe/Berlin"\n  parallelism ⟦16⟧\n  deploy ⟦openstack.apt⟧\n  connection ssh\n}⟧',
    );
    const plan = only(file, "plan");
    expect(plan.name.value).toBe("zed-to-2023.1");
    expect(plan.kind?.value).toBe("upgrade");
    expect(plan.from?.value).toBe("zed");
    expect(plan.to?.value).toBe("2023.1");
    expect(plan.parallelism?.value).toBe(16);
    expect(plan.deploy?.text).toBe("openstack.apt");
    expect(plan.connection?.text).toBe("ssh");
    expectAt(plan, ranges[0]);
    expectAt(plan.name, ranges[1]);
    expectAt(plan.kind, ranges[2]);
    expectAt(plan.urgent, ranges[3]);
    expectAt(plan.from, ranges[4]);
    expectAt(plan.parallelism, ranges[5]);
    expectAt(plan.deploy, ranges[6]);
  });

  it("rejects an unknown kind with a suggestion", () => {
    const { diagnostics } = parse('plan "p" { kind upgarde }', FILE);
    expect(diagnostics.map((d) => [d.code, d.message, d.help])).toEqual([["UPG0110", "unknown plan kind `upgarde`", "did you mean `upgrade`?"]]);
  });
});

describe("use, inventory, hosts, secret", () => {
  it("reads module and file imports with aliases", () => {
    const { file, ranges } = parseOk('⟦use ⟦openstack⟧⟧\nuse "./site.upg" as ⟦site⟧\nuse openstack as os;');
    const [a, b, c] = file.declarations;
    expect(a).toMatchObject({ type: "use", target: { kind: "module", name: { text: "openstack" } } });
    expect(a && "alias" in a ? a.alias : undefined).toBeUndefined();
    expect(b).toMatchObject({ type: "use", target: { kind: "file", path: { value: "./site.upg" } }, alias: { text: "site" } });
    expect(c).toMatchObject({ type: "use", target: { kind: "module", name: { text: "openstack" } }, alias: { text: "os" } });
    expectAt(a, ranges[0]);
    expect(a?.type === "use" && a.target.kind === "module" ? a.target.name.span : undefined).toMatchObject({ start: ranges[1]?.start, end: ranges[1]?.end });
    expectAt(b?.type === "use" ? b.alias : undefined, ranges[2]);
  });

  it("reads an inventory path", () => {
    expect(only(parseOk('inventory "inventory/multinode"').file, "inventory").path.value).toBe("inventory/multinode");
  });

  it("reads a host set", () => {
    const { file, ranges } = parseOk("⟦hosts ⟦edge⟧ = ⟦edge[01-04], gw1⟧⟧");
    const hosts = only(file, "hosts");
    expect(hosts.name.text).toBe("edge");
    expect(hosts.hosts.items).toMatchObject([
      { kind: "range", prefix: "edge", from: 1, to: 4, width: 2 },
      { kind: "name", name: "gw1" },
    ]);
    expectAt(hosts, ranges[0]);
    expectAt(hosts.name, ranges[1]);
    expectAt(hosts.hosts, ranges[2]);
  });

  it("reads secrets from env and file", () => {
    const { file } = parseOk('secret os-password env "OS_PASSWORD"\nsecret db file "/etc/db.pw"');
    expect(file.declarations).toMatchObject([
      { type: "secret", name: { text: "os-password" }, source: { kind: "env", value: { value: "OS_PASSWORD" } } },
      { type: "secret", name: { text: "db" }, source: { kind: "file", value: { value: "/etc/db.pw" } } },
    ]);
  });
});

describe("window", () => {
  it("reads every statement, on one line or several", () => {
    const one = only(parseOk('window nightly { days mon..fri, sun  from 22:00 to 06:00  zone "Europe/Berlin"  cutoff 30m }').file, "window");
    const many = only(parseOk('window nightly {\n  days mon..fri, sun\n  from 22:00\n  to 06:00\n  zone "Europe/Berlin"\n  cutoff 30m\n}').file, "window");
    for (const w of [one, many]) {
      expect(w.name.text).toBe("nightly");
      expect(w.days.map((d) => `${d.from}..${d.to}`)).toEqual(["mon..fri", "sun..sun"]);
      expect(w.from).toMatchObject({ hour: 22, minute: 0 });
      expect(w.to).toMatchObject({ hour: 6, minute: 0 });
      expect(w.zone?.value).toBe("Europe/Berlin");
      expect(w.cutoff?.seconds).toBe(1800);
    }
  });
});

describe("connection, checkpoint, method", () => {
  it("reads a connection", () => {
    const { file, ranges } = parseOk('connection ssh {\n  exec ⟦["ssh", "{host}", "--"]⟧\n  probe ⟦["ssh", "{host}", "true"] { timeout 10s }⟧\n}');
    const c = only(file, "connection");
    expect(c.exec?.argv.map((a) => a.value)).toEqual(["ssh", "{host}", "--"]);
    expect(c.probe?.command).toMatchObject({ kind: "argv" });
    expect(c.probe?.options.timeout?.seconds).toBe(10);
    expectAt(c.exec, ranges[0]);
    expectAt(c.probe, ranges[1]);
  });

  it("reads a checkpoint", () => {
    const { file, ranges } = parseOk(
      'checkpoint db-backup before ⟦expand⟧ {\n  run ["mysqldump"] { takes 15m }\n  restore shell "mysql < /backup/pre.sql"\n  note "before the expand"\n}',
    );
    const c = only(file, "checkpoint");
    expect(c.before.phase).toBe("expand");
    expectAt(c.before, ranges[0]);
    expect(c.run?.options.takes?.seconds).toBe(900);
    expect(c.restore?.command).toMatchObject({ kind: "shell", script: { value: "mysql < /backup/pre.sql" } });
    expect(c.note?.value).toBe("before the expand");
  });

  it("rejects an unknown checkpoint phase", () => {
    const { diagnostics } = parse('checkpoint c before expnd { run ["x"] }', FILE);
    expect(diagnostics.map((d) => [d.code, d.help])).toEqual([["UPG0110", "did you mean `expand`?"]]);
  });

  it("reads a method with vars and actions", () => {
    const { file, ranges } = parseOk(
      'method kolla {\n  var tag = "nova"\n  ⟦var pkgs = ["a", "b"]⟧\n  ⟦⟦upgrade⟧ ["kolla-ansible", "upgrade", "--limit", "{host}"]⟧\n  reboot ["systemctl", "reboot"]\n}',
    );
    const m = only(file, "method");
    expect(m.vars.map((v) => [v.name.text, v.value.kind === "list" ? v.value.items.map((i) => i.value) : v.value.value])).toEqual([
      ["tag", "nova"],
      ["pkgs", ["a", "b"]],
    ]);
    expect(m.actions.map((a) => a.kind)).toEqual(["upgrade", "reboot"]);
    expectAt(m.vars[1], ranges[0]);
    expectAt(m.actions[0], ranges[1]);
    expect(m.actions[0]?.keywordSpan).toMatchObject({ start: ranges[2]?.start, end: ranges[2]?.end });
  });
});

describe("service and template", () => {
  it("reads the top of a service", () => {
    const { file, ranges } = parseOk(
      "service ⟦nova-compute⟧ extends ⟦openstack.nova-compute⟧ {\n  on compute, cmp[001-010]\n  after ⟦nova-conductor⟧, nova-api\n  after placement\n  tags ⟦rolling-upgrade⟧, zero-downtime\n  plane ⟦data⟧\n  deploy openstack.kolla-ansible\n  connection ssh\n  window nightly\n  takes 6m\n}",
    );
    const s = only(file, "service");
    expect(s.isTemplate).toBe(false);
    expectAt(s.name, ranges[0]);
    expectAt(s.extends, ranges[1]);
    expect(s.on?.items).toHaveLength(2);
    expect(s.after.map((a) => a.text)).toEqual(["nova-conductor", "nova-api", "placement"]);
    expectAt(s.after[0], ranges[2]);
    expect(s.tags.map((t) => t.name)).toEqual(["rolling-upgrade", "zero-downtime"]);
    expectAt(s.tags[0], ranges[3]);
    expect(s.plane?.value).toBe("data");
    expectAt(s.plane, ranges[4]);
    expect(s.deploy?.text).toBe("openstack.kolla-ansible");
    expect(s.connection?.text).toBe("ssh");
    expect(s.window?.text).toBe("nightly");
    expect(s.takes?.seconds).toBe(360);
  });

  it("reads a template", () => {
    const t = only(parseOk("template base { plane control }").file, "service");
    expect(t.isTemplate).toBe(true);
    expect(t.plane?.value).toBe("control");
  });

  it("reads a rolling block", () => {
    const { file, ranges } = parseOk(
      "service s { ⟦rolling {\n  batch 1, 5%, 10%\n  max-unavailable 10%\n  ⟦max-unavailable 2 per ⟦az⟧⟧\n  pause 2m\n  ⟦max-failures 5% per batch cancel⟧\n  order by instances\n  deadline 2h on-deadline rollback\n}⟧ }",
    );
    const r = only(file, "service").rolling;
    expectAt(r, ranges[0]);
    expect(r?.batch.map((a) => (a.kind === "int" ? a.value : `${a.percent}%`))).toEqual([1, "5%", "10%"]);
    expect(r?.maxUnavailable.map((m) => [m.amount.kind === "percent" ? `${m.amount.percent}%` : m.amount.value, m.per?.text])).toEqual([
      ["10%", undefined],
      [2, "az"],
    ]);
    expectAt(r?.maxUnavailable[1], ranges[1]);
    expectAt(r?.maxUnavailable[1]?.per, ranges[2]);
    expect(r?.pause?.seconds).toBe(120);
    expect(r?.maxFailures).toMatchObject({ amount: { kind: "percent", percent: 5 }, scope: "batch", cancel: true });
    expectAt(r?.maxFailures, ranges[3]);
    expect(r?.order).toMatchObject({ kind: "by", var: { text: "instances" } });
    expect(r?.deadline).toMatchObject({ within: { seconds: 7200 }, onDeadline: "rollback" });
  });

  it("reads defaults of a rolling block: failures per run, deadline stops", () => {
    const r = only(parseOk("service s { rolling { max-failures 0 deadline 1h order empty-first } }").file, "service").rolling;
    expect(r?.maxFailures).toMatchObject({ amount: { kind: "int", value: 0 }, scope: "run", cancel: false });
    expect(r?.deadline?.onDeadline).toBe("stop");
    expect(r?.order?.kind).toBe("empty-first");
  });

  it("reads `then continuous` after a ramp, and only there", () => {
    const { file, ranges } = parseOk("service s { rolling { batch 1, 5% ⟦then continuous⟧  max-unavailable 10 per az } }");
    const r = only(file, "service").rolling;
    expect(r?.batch.map((a) => (a.kind === "int" ? a.value : a.percent))).toEqual([1, 5]);
    expectAt(r?.continuousSpan, ranges[0]);
    expect(only(parseOk("service s { rolling { batch 1, 5% } }").file, "service").rolling?.continuousSpan).toBeUndefined();
    // Keywords stay usable as names: a host group called `continuous`.
    expect(only(parseOk("service s { on continuous }").file, "service").on).toBeDefined();
    const broken = parseWithErrors("service s { rolling { batch 1 then } }");
    expect(broken.diagnostics.some((d) => d.severity === "error" && d.code.startsWith("UPG01"))).toBe(true);
    expect(only(broken.file, "service").rolling?.continuousSpan).toBeUndefined();
  });

  it("reads maintenance, evacuate, reboot and skew", () => {
    const { file, ranges } = parseOk(
      'service s {\n  maintenance { enter ["on"] exit ["off"] { timeout 1m } }\n  evacuate ⟦live-migrate⟧ concurrency 4 timeout 30m {\n    run ["nova-evacuate", "{host}"]\n    count-var instances\n    capacity-var capacity\n  }\n  ⟦reboot ["systemctl", "reboot"] window nightly takes 8m { timeout 15m }⟧\n  skew never-newer-than nova-conductor\n  skew needs-new keystone, placement\n}',
    );
    const s = only(file, "service");
    expect(s.maintenance?.enter?.command).toMatchObject({ kind: "argv", argv: [{ value: "on" }] });
    expect(s.maintenance?.exit?.options.timeout?.seconds).toBe(60);
    expect(s.evacuate).toMatchObject({
      strategy: { value: "live-migrate" },
      concurrency: { value: 4 },
      timeout: { seconds: 1800 },
      countVar: { text: "instances" },
      capacityVar: { text: "capacity" },
    });
    expectAt(s.evacuate?.strategy, ranges[0]);
    expect(s.evacuate?.run?.command).toMatchObject({ kind: "argv" });
    expect(s.reboot).toMatchObject({ window: { text: "nightly" }, takes: { seconds: 480 }, action: { options: { timeout: { seconds: 900 } } } });
    expectAt(s.reboot, ranges[1]);
    expect(s.skew.map((k) => [k.kind, k.services.map((n) => n.text)])).toEqual([
      ["never-newer-than", ["nova-conductor"]],
      ["needs-new", ["keystone", "placement"]],
    ]);
  });

  it("keeps a reboot's window and takes on its line: on the next line they are the service's", () => {
    const s = only(parseOk("service s {\n  reboot window nightly takes 8m\n  takes 6m\n  window day\n}").file, "service");
    expect(s.reboot?.takes?.seconds).toBe(480);
    expect(s.reboot?.window?.text).toBe("nightly");
    expect(s.takes?.seconds).toBe(360);
    expect(s.window?.text).toBe("day");
    const bare = only(parseOk("service s {\n  reboot\n  takes 6m\n}").file, "service");
    expect(bare.reboot).toBeDefined();
    expect(bare.reboot?.takes).toBeUndefined();
    expect(bare.takes?.seconds).toBe(360);
  });

  it("reads every action kind, with options", () => {
    const kinds = ["precheck", "expand", "migrate", "contract", "pin", "unpin", "cleanup", "postcheck", "stop", "upgrade", "start", "rollback", "version"];
    const s = only(parseOk(`service s {\n${kinds.map((k) => `  ${k} ["${k}"]`).join("\n")}\n}`).file, "service");
    expect(s.actions.map((a) => a.kind)).toEqual(kinds);
  });

  it("reads action options", () => {
    const s = only(
      parseOk(
        'service s {\n  upgrade ["apt-get", "install"] {\n    takes 6m timeout 20m grace 10s retries 2 backoff 30s\n    env { DEBIAN_FRONTEND = "noninteractive"  LANG = "C" }\n    cwd "/tmp"\n    done ["dpkg", "-s", "x"]\n    undo ["apt-get", "install", "x={from}"]\n    once\n  }\n  expand shell "nova-manage db sync" { undo irreversible }\n  pin uses "./actions/rpc.ts#pin"\n  unpin uses "./actions/rpc.ts"\n}',
      ).file,
      "service",
    );
    const [upgrade, expand, pin, unpin] = s.actions;
    expect(upgrade?.action.options).toMatchObject({
      takes: { seconds: 360 },
      timeout: { seconds: 1200 },
      grace: { seconds: 10 },
      retries: { value: 2 },
      backoff: { seconds: 30 },
      env: [
        { name: "DEBIAN_FRONTEND", value: { value: "noninteractive" } },
        { name: "LANG", value: { value: "C" } },
      ],
      cwd: { value: "/tmp" },
      done: { kind: "argv" },
      undo: { kind: "argv", argv: [{ value: "apt-get" }, { value: "install" }, { value: "x={from}" }] },
      once: true,
    });
    expect(expand?.action.command).toMatchObject({ kind: "shell", script: { value: "nova-manage db sync" } });
    expect(expand?.action.options.undo).toMatchObject({ kind: "irreversible" });
    expect(expand?.action.options.once).toBe(false);
    expect(pin?.action.command).toMatchObject({ kind: "module", module: { value: "./actions/rpc.ts" }, exportName: "pin" });
    expect(unpin?.action.command).toMatchObject({ kind: "module", module: { value: "./actions/rpc.ts" }, exportName: "default" });
  });

  it("reads a health check with its own options and action options", () => {
    const { file, ranges } = parseOk('service s { ⟦health ["curl", "-sf", "http://{host}:8774/"] { every 5s within 5m healthy-for 30s on-deadline rollback timeout 3s }⟧ }');
    const h = only(file, "service").health;
    expectAt(h, ranges[0]);
    expect(h).toMatchObject({ every: { seconds: 5 }, within: { seconds: 300 }, healthyFor: { seconds: 30 }, onDeadline: "rollback" });
    expect(h?.action.options.timeout?.seconds).toBe(3);
  });

  it("accepts argv lists with a trailing comma, semicolons and comments anywhere", () => {
    const s = only(parseOk('service s { # a comment\n  upgrade [\n    "a", # first\n    "b",\n  ];\n  takes 1m; ; # done\n}').file, "service");
    expect(s.actions[0]?.action.command).toMatchObject({ argv: [{ value: "a" }, { value: "b" }] });
    expect(s.takes?.seconds).toBe(60);
  });
});

describe("the corpus", () => {
  const dir = join(import.meta.dirname, "corpus");
  it.each(readdirSync(dir).filter((f) => f.endsWith(".upg")))("%s parses cleanly with a span on every node", (name) => {
    const text = readFileSync(join(dir, name), "utf8");
    const result = parse(text, name);
    expect(result.diagnostics).toEqual([]);
    expect(result.value.declarations.length).toBeGreaterThan(0);
    expectSpansEverywhere(result.value);
  });

  it("an empty file and a file of comments are fine", () => {
    expect(parse("", FILE)).toEqual({ value: { path: FILE, declarations: [], span: { file: FILE, start: 0, end: 0 } }, diagnostics: [] });
    expect(parse("# nothing\n\n   # here\n", FILE).diagnostics).toEqual([]);
  });
});

describe("notify", () => {
  it("reads its events, vars, command and what it extends", () => {
    const { file } = parseOk('notify team extends notify.webhook {\n  on run-stopped, run-finished\n  var url = "http://127.0.0.1/x"\n  run ["curl", "--data-binary", "@-", "{url}"] { timeout 10s }\n}');
    const notify = only(file, "notify");
    expect(notify.name.text).toBe("team");
    expect(notify.extends?.text).toBe("notify.webhook");
    expect(notify.events?.names.map((n) => n.value)).toEqual(["run-stopped", "run-finished"]);
    expect(notify.vars.map((v) => v.name.text)).toEqual(["url"]);
    expect(notify.run?.command).toMatchObject({ kind: "argv" });
  });

  it("rejects an unknown event with a suggestion", () => {
    const { diagnostics } = parse("notify n { on run-stoped }", FILE);
    expect(diagnostics.map((d) => [d.code, d.message, d.help])).toEqual([["UPG0110", "unknown event `run-stoped`", "did you mean `run-stopped`?"]]);
  });
});
