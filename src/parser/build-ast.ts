/**
 * CST → AST. One method per grammar rule (a test checks them against the grammar), each taking its CST
 * node and returning typed AST; literal values are decoded and checked here, unknown
 * statements and duplicated statements become diagnostics. A node built from tokens that
 * recovery inserted still gets a span inside the source (see UpgParser.getTokenToInsert).
 */
import type { CstNode, IToken } from "chevrotain";
import { IANAZone } from "luxon";
import { type Diagnostic, type Span, diag } from "../diagnostics/diagnostic.js";
import { suggest } from "../diagnostics/did-you-mean.js";
import type * as Ast from "./ast.js";
import { statementKeywords, type BlockKind } from "./grammar.js";
import { decodeDateTime, decodeDuration, decodeHostRange, decodeInteger, decodePercent, decodeString, decodeTimeOfDay, type Decoded, type LiteralProblem } from "./literals.js";
import { NOTIFY_EVENTS, type NotifyEvent } from "../base/notify-events.js";
import { describeToken } from "./error-messages.js";
import { SingleQuotedString } from "./tokens.js";
import type * as C from "./upg.cst.js";

const MAX_ZONE_LENGTH = 64;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const weekdays: readonly Ast.Weekday[] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const checkpointPositions: readonly Ast.CheckpointPosition[] = ["prechecks", "expand", "pin", "rollout", "migrate", "unpin", "contract", "cleanup"];
const strategies: readonly Ast.EvacuationStrategy[] = ["live-migrate", "cold-migrate", "stop-start", "none"];
const healthOnly = new Set(["every", "within", "healthy-for", "on-deadline"]);

/** How a block is named in messages. */
const blockNames: Readonly<Record<BlockKind, string>> = {
  file: "file",
  plan: "plan",
  window: "window",
  connection: "connection",
  checkpoint: "checkpoint",
  notify: "notify",
  method: "method",
  service: "service",
  rolling: "rolling",
  maintenance: "maintenance",
  evacuate: "evacuate",
  options: "action options",
};

/** Seen statements of one block, for "given twice" diagnostics. */
class Seen {
  private readonly first = new Map<string, Span>();
  constructor(
    private readonly builder: AstBuilder,
    private readonly block: string,
  ) {}

  /** True the first time `key` is seen in this block; a diagnostic at each later time. */
  once(key: string, span: Span): boolean {
    const earlier = this.first.get(key);
    if (!earlier) {
      this.first.set(key, span);
      return true;
    }
    this.builder.report(diag("UPG0111", {
      message: `\`${key}\` given twice in ${this.block}`,
      span,
      labels: [{ span: earlier, message: "first given here" }],
      help: "keep one of them",
    }));
    return false;
  }
}

/**
 * Not chevrotain's base visitor, whose class needs the parser made first (and so made it at
 * every start of every verb): the methods are called directly, and
 * test/parser/validations.test.ts checks there is one per grammar rule.
 */
export class AstBuilder {
  readonly diagnostics: Diagnostic[] = [];

  constructor(
    private readonly path: string,
    private readonly text: string,
    /** Offsets where the parser already reported an error: no second diagnostic there. */
    private readonly errorOffsets: ReadonlySet<number>,
  ) {}

  report(diagnostic: Diagnostic): void {
    this.diagnostics.push(diagnostic);
  }

  // ------------------------------------------------------------ spans

  private span(start: number, end: number): Span {
    const len = this.text.length;
    const s = Number.isFinite(start) ? Math.min(Math.max(start, 0), len) : 0;
    const e = Number.isFinite(end) ? Math.min(Math.max(end, s), len) : s;
    return { file: this.path, start: s, end: e };
  }

  private tokenSpan(token: IToken): Span {
    return this.span(token.startOffset, (token.endOffset ?? token.startOffset - 1) + 1);
  }

  private nodeSpan(node: CstNode, fallback?: Span): Span {
    const loc = node.location;
    if (!loc || !Number.isFinite(loc.startOffset)) return fallback ?? this.span(0, 0);
    const end = loc.endOffset !== undefined && Number.isFinite(loc.endOffset) ? loc.endOffset + 1 : loc.startOffset;
    return this.span(loc.startOffset, end);
  }

  private cover(a: Span, b: Span): Span {
    return this.span(Math.min(a.start, b.start), Math.max(a.end, b.end));
  }

  private literalProblem(token: IToken, problem: LiteralProblem): void {
    const base = this.tokenSpan(token);
    const span = problem.start !== undefined ? this.span(base.start + problem.start, base.start + (problem.end ?? token.image.length)) : base;
    this.report(diag(problem.code, { message: problem.message, span, ...(problem.help ? { help: problem.help } : {}) }));
  }

  private decoded<T>(token: IToken, result: Decoded<T>, fallback: T): T {
    if (result.ok) return result.value;
    if (!token.isInsertedInRecovery) this.literalProblem(token, result.problem);
    return fallback;
  }

  // ------------------------------------------------------------ tokens to literals

  private nameOf(token: IToken | undefined, fallback: Span): Ast.Name {
    if (!token) return { text: "", span: this.span(fallback.end, fallback.end) };
    return { text: token.image, span: this.tokenSpan(token) };
  }

  private stringOf(token: IToken | undefined, fallback: Span): Ast.StringLit {
    if (!token) return { kind: "string", value: "", span: this.span(fallback.end, fallback.end) };
    if (token.isInsertedInRecovery) return { kind: "string", value: "", span: this.tokenSpan(token) };
    if (token.tokenType === SingleQuotedString) {
      const inner = token.image.slice(1, token.image.length > 1 && token.image.endsWith("'") ? -1 : undefined);
      this.report(diag("UPG0118", {
        message: "strings are written in double quotes",
        span: this.tokenSpan(token),
        help: `write "${inner.replace(/["\\]/g, "\\$&")}"`,
      }));
      return { kind: "string", value: inner, span: this.tokenSpan(token) };
    }
    const decoded = decodeString(token.image);
    for (const problem of decoded.problems) this.literalProblem(token, problem);
    return { kind: "string", value: decoded.value, span: this.tokenSpan(token) };
  }

  private intOf(token: IToken | undefined, fallback: Span): Ast.IntLit {
    if (!token) return { kind: "int", value: 0, span: this.span(fallback.end, fallback.end) };
    return { kind: "int", value: this.decoded(token, decodeInteger(token.image), 0), span: this.tokenSpan(token) };
  }

  /** One of a fixed set of words, with a suggestion when it is none of them. */
  private oneOf<T extends string>(token: IToken | undefined, allowed: readonly T[], what: string): { value: T; span: Span } | undefined {
    if (!token || token.isInsertedInRecovery || token.image === "") return undefined;
    const found = allowed.find((a) => a === token.image);
    if (found !== undefined) return { value: found, span: this.tokenSpan(token) };
    const near = suggest(token.image, allowed);
    this.report(diag("UPG0110", {
      message: `unknown ${what} \`${token.image}\``,
      span: this.tokenSpan(token),
      help: near ? `did you mean \`${near}\`?` : `use one of ${allowed.map((a) => `\`${a}\``).join(", ")}`,
      ...(near ? { notes: [`expected one of ${allowed.map((a) => `\`${a}\``).join(", ")}`] } : {}),
    }));
    return undefined;
  }

  /** Luxon's check builds an Intl formatter each time: a file names few zones, many times. */
  private readonly zoneValidity = new Map<string, boolean>();

  private zoneCheck(zone: Ast.StringLit, token: IToken | undefined): void {
    if (!token || token.isInsertedInRecovery || zone.value === "") return;
    let valid = this.zoneValidity.get(zone.value);
    if (valid === undefined) {
      // No IANA name is longer than some 30 characters; Intl takes seconds to refuse a huge one.
      valid = zone.value.length <= MAX_ZONE_LENGTH && IANAZone.isValidZone(zone.value);
      this.zoneValidity.set(zone.value, valid);
    }
    if (valid) return;
    const near = suggest(zone.value, Intl.supportedValuesOf("timeZone"));
    this.report(diag("UPG0114", {
      message: `unknown time zone \`${zone.value}\``,
      span: zone.span,
      help: near ? `did you mean \`${near}\`?` : "use an IANA time zone name, such as `Europe/Berlin` or `UTC`",
    }));
  }

  // ------------------------------------------------------------ file

  file(node: C.FileCstNode): Ast.SourceFile {
    const declarations: Ast.Declaration[] = [];
    for (const statement of node.children.topStatement ?? []) {
      const decl = this.topStatement(statement);
      if (decl) declarations.push(decl);
    }
    return { path: this.path, declarations, span: this.span(0, this.text.length) };
  }

  topStatement(node: C.TopStatementCstNode): Ast.Declaration | undefined {
    const c = node.children;
    if (c.planDecl?.[0]) return this.planDecl(c.planDecl?.[0]);
    if (c.useDecl?.[0]) return this.useDecl(c.useDecl?.[0]);
    if (c.inventoryDecl?.[0]) return this.inventoryDecl(c.inventoryDecl?.[0]);
    if (c.factsDecl?.[0]) return this.factsDecl(c.factsDecl?.[0]);
    if (c.hostsDecl?.[0]) return this.hostsDecl(c.hostsDecl?.[0]);
    if (c.windowDecl?.[0]) return this.windowDecl(c.windowDecl?.[0]);
    if (c.secretDecl?.[0]) return this.secretDecl(c.secretDecl?.[0]);
    if (c.connectionDecl?.[0]) return this.connectionDecl(c.connectionDecl?.[0]);
    if (c.checkpointDecl?.[0]) return this.checkpointDecl(c.checkpointDecl?.[0]);
    if (c.notifyDecl?.[0]) return this.notifyDecl(c.notifyDecl?.[0]);
    if (c.serviceDecl?.[0]) return this.serviceDecl(c.serviceDecl?.[0]);
    if (c.methodDecl?.[0]) return this.methodDecl(c.methodDecl?.[0]);
    if (c.RCurly?.[0] && !this.errorOffsets.has(c.RCurly?.[0].startOffset)) {
      this.report(diag("UPG0103", { message: "unexpected `}`", span: this.tokenSpan(c.RCurly?.[0]), help: "remove it, or add the `{` it should close" }));
    }
    if (c.unknownStatement?.[0]) this.unknownStatement(c.unknownStatement?.[0], "file");
    return undefined;
  }

  /** Reports a statement that begins with no keyword of its block. */
  unknownStatement(node: C.UnknownStatementCstNode, block: BlockKind = "file"): void {
    const first = this.firstToken(node);
    if (!first || this.errorOffsets.has(first.startOffset)) return;
    const keywords: readonly string[] = statementKeywords[block];
    const where = block === "file" ? "at the top level" : `in ${blockNames[block]}`;
    const listed = `${block === "file" ? "declarations" : `statements ${where}`}: ${keywords.map((k) => `\`${k}\``).join(", ")}`;
    const isWord = /^[A-Za-z_]/.test(first.image) && first.tokenType.name !== "HostRange";
    if (!isWord) {
      this.report(diag("UPG0103", {
        message: block === "file" ? `expected a declaration, found ${describeToken(first)}` : `expected a statement ${where}, found ${describeToken(first)}`,
        span: this.tokenSpan(first),
        notes: [listed],
      }));
      return;
    }
    const near = suggest(first.image, keywords);
    const what = block === "file" ? "declaration" : block === "options" ? "option" : "statement";
    const misplaced = !near ? this.misplacedHint(first.image, block) : undefined;
    this.report(diag("UPG0102", {
      message: `unknown ${what} \`${first.image}\` ${block === "file" ? "" : where}`.trimEnd(),
      span: this.tokenSpan(first),
      ...(near ? { help: `did you mean \`${near}\`?` } : misplaced ? { help: misplaced } : { notes: [listed] }),
    }));
  }

  /** A keyword of another block, used in the wrong one (`batch` directly in a service). */
  private misplacedHint(word: string, block: BlockKind): string | undefined {
    for (const [other, words] of Object.entries(statementKeywords) as [BlockKind, readonly string[]][]) {
      if (other !== block && words.includes(word)) {
        if (other === "file") return `\`${word}\` is a declaration: write it at the top level, outside any block`;
        if (other === "options") return `\`${word}\` is an option of an action: write it in the \`{ … }\` after the action's command`;
        return `\`${word}\` belongs in a \`${other}\` block`;
      }
    }
    return undefined;
  }

  private firstToken(node: CstNode): IToken | undefined {
    let best: IToken | undefined;
    for (const children of Object.values(node.children)) {
      for (const child of children) {
        const token = "image" in child ? child : this.firstToken(child);
        if (token && Number.isFinite(token.startOffset) && (!best || token.startOffset < best.startOffset)) best = token;
      }
    }
    return best;
  }

  skippedBlock(_node: C.SkippedBlockCstNode): void {
    // Skipped text is reported by the unknown statement it belongs to.
  }

  // ------------------------------------------------------------ plan

  planDecl(node: C.PlanDeclCstNode): Ast.PlanDecl {
    const span = this.nodeSpan(node);
    const c = node.children;
    const plan: Mutable<Ast.PlanDecl> = { type: "plan", name: this.stringOf(c.StringLiteral?.[0], span), span };
    const seen = new Seen(this, "plan");
    for (const st of c.planStatement ?? []) this.planStatement(st, plan, seen);
    return plan;
  }

  planStatement(node: C.PlanStatementCstNode, plan: Mutable<Ast.PlanDecl>, seen: Seen): void {
    const c = node.children;
    const span = this.nodeSpan(node);
    if (c.kindStatement?.[0] && seen.once("kind", span)) {
      const kind = this.oneOf(c.kindStatement?.[0]?.children.Name?.[0], ["upgrade", "update"] as const, "plan kind");
      if (kind) plan.kind = kind;
    } else if (c.KwUrgent?.[0] && seen.once("urgent", span)) {
      plan.urgent = { span: this.tokenSpan(c.KwUrgent?.[0]) };
    } else if (c.fromVersionStatement?.[0] && seen.once("from", span)) {
      plan.from = this.stringOf(c.fromVersionStatement?.[0]?.children.StringLiteral?.[0], span);
    } else if (c.toVersionStatement?.[0] && seen.once("to", span)) {
      plan.to = this.stringOf(c.toVersionStatement?.[0]?.children.StringLiteral?.[0], span);
    } else if (c.startStatement?.[0] && seen.once("start", span)) {
      plan.start = this.startStatement(c.startStatement?.[0]);
    } else if (c.parallelismStatement?.[0] && seen.once("parallelism", span)) {
      plan.parallelism = this.intOf(c.parallelismStatement?.[0]?.children.Integer?.[0], span);
    } else if (c.deployStatement?.[0] && seen.once("deploy", span)) {
      plan.deploy = this.deployStatement(c.deployStatement?.[0]);
    } else if (c.connectionRefStatement?.[0] && seen.once("connection", span)) {
      plan.connection = this.connectionRefStatement(c.connectionRefStatement?.[0]);
    } else if (c.unknownStatement?.[0]) {
      this.unknownStatement(c.unknownStatement?.[0], "plan");
    }
  }

  kindStatement(_node: C.KindStatementCstNode): void {
    // Read by planStatement, which knows the plan.
  }

  fromVersionStatement(node: C.FromVersionStatementCstNode): Ast.StringLit {
    return this.stringOf(node.children.StringLiteral?.[0], this.nodeSpan(node));
  }

  toVersionStatement(node: C.ToVersionStatementCstNode): Ast.StringLit {
    return this.stringOf(node.children.StringLiteral?.[0], this.nodeSpan(node));
  }

  startStatement(node: C.StartStatementCstNode): NonNullable<Ast.PlanDecl["start"]> {
    const span = this.nodeSpan(node);
    const token = node.children.DateTime?.[0];
    const at = token ? this.dateTime(token) : { year: 0, month: 0, day: 0, hour: 0, minute: 0, span: this.span(span.end, span.end) };
    const zoneToken = node.children.StringLiteral?.[0];
    const zone = this.stringOf(zoneToken, span);
    this.zoneCheck(zone, zoneToken);
    return { at, zone, span };
  }

  private dateTime(token: IToken): Ast.DateTimeLit {
    const value = this.decoded(token, decodeDateTime(token.image), { year: 0, month: 0, day: 0, hour: 0, minute: 0 });
    return { ...value, span: this.tokenSpan(token) };
  }

  parallelismStatement(node: C.ParallelismStatementCstNode): Ast.IntLit {
    return this.intOf(node.children.Integer?.[0], this.nodeSpan(node));
  }

  deployStatement(node: C.DeployStatementCstNode): Ast.Name {
    return this.nameOf(node.children.Name?.[0], this.nodeSpan(node));
  }

  connectionRefStatement(node: C.ConnectionRefStatementCstNode): Ast.Name {
    return this.nameOf(node.children.Name?.[0], this.nodeSpan(node));
  }

  // ------------------------------------------------------------ small declarations

  useDecl(node: C.UseDeclCstNode): Ast.UseDecl {
    const span = this.nodeSpan(node);
    const c = node.children;
    const names = c.Name ?? [];
    const hasAlias = c.KwAs !== undefined;
    const targetName = c.StringLiteral ? undefined : names[0];
    const target: Ast.UseDecl["target"] = c.StringLiteral?.[0]
      ? { kind: "file", path: this.stringOf(c.StringLiteral?.[0], span) }
      : { kind: "module", name: this.nameOf(targetName, span) };
    const aliasToken = hasAlias ? names[c.StringLiteral ? 0 : 1] : undefined;
    return { type: "use", target, ...(hasAlias ? { alias: this.nameOf(aliasToken, span) } : {}), span };
  }

  inventoryDecl(node: C.InventoryDeclCstNode): Ast.InventoryDecl {
    const span = this.nodeSpan(node);
    return { type: "inventory", path: this.stringOf(node.children.StringLiteral?.[0], span), span };
  }

  factsDecl(node: C.FactsDeclCstNode): Ast.FactsDecl {
    const span = this.nodeSpan(node);
    return { type: "facts", path: this.stringOf(node.children.StringLiteral?.[0], span), span };
  }

  hostsDecl(node: C.HostsDeclCstNode): Ast.HostsDecl {
    const span = this.nodeSpan(node);
    const c = node.children;
    const selection = c.hostSelection?.[0];
    return {
      type: "hosts",
      name: this.nameOf(c.Name?.[0], span),
      hosts: selection ? this.hostSelection(selection) : { items: [], span: this.span(span.end, span.end) },
      span,
    };
  }

  secretDecl(node: C.SecretDeclCstNode): Ast.SecretDecl {
    const span = this.nodeSpan(node);
    const c = node.children;
    return {
      type: "secret",
      name: this.nameOf(c.Name?.[0], span),
      source: { kind: c.KwFile ? "file" : "env", value: this.stringOf(c.StringLiteral?.[0], span) },
      span,
    };
  }

  // ------------------------------------------------------------ window

  windowDecl(node: C.WindowDeclCstNode): Ast.WindowDecl {
    const span = this.nodeSpan(node);
    const c = node.children;
    const window: Mutable<Ast.WindowDecl> = { type: "window", name: this.nameOf(c.Name?.[0], span), days: [], span };
    const seen = new Seen(this, `window \`${window.name.text}\``);
    for (const st of c.windowStatement ?? []) this.windowStatement(st, window, seen);
    return window;
  }

  windowStatement(node: C.WindowStatementCstNode, window: Mutable<Ast.WindowDecl>, seen: Seen): void {
    const c = node.children;
    const span = this.nodeSpan(node);
    if (c.daysStatement?.[0] && seen.once("days", span)) {
      window.days = this.daysStatement(c.daysStatement?.[0]);
    } else if (c.fromTimeStatement?.[0] && seen.once("from", span)) {
      window.from = this.timeOf(c.fromTimeStatement?.[0]?.children.TimeOfDay?.[0], span);
    } else if (c.toTimeStatement?.[0] && seen.once("to", span)) {
      window.to = this.timeOf(c.toTimeStatement?.[0]?.children.TimeOfDay?.[0], span);
    } else if (c.zoneStatement?.[0] && seen.once("zone", span)) {
      window.zone = this.zoneStatement(c.zoneStatement?.[0]);
    } else if (c.cutoffStatement?.[0] && seen.once("cutoff", span)) {
      window.cutoff = this.cutoffStatement(c.cutoffStatement?.[0]);
    } else if (c.unknownStatement?.[0]) {
      this.unknownStatement(c.unknownStatement?.[0], "window");
    }
  }

  private timeOf(token: IToken | undefined, fallback: Span): Ast.TimeOfDay {
    if (!token) return { hour: 0, minute: 0, span: this.span(fallback.end, fallback.end) };
    return { ...this.decoded(token, decodeTimeOfDay(token.image), { hour: 0, minute: 0 }), span: this.tokenSpan(token) };
  }

  daysStatement(node: C.DaysStatementCstNode): Ast.DayRange[] {
    return (node.children.dayRange ?? []).map((d) => this.dayRange(d)).filter((d): d is Ast.DayRange => d !== undefined);
  }

  dayRange(node: C.DayRangeCstNode): Ast.DayRange | undefined {
    const [fromToken, toToken] = node.children.Name ?? [];
    const from = this.weekday(fromToken);
    const to = node.children.DotDot ? this.weekday(toToken) : from;
    if (!from || !to) return undefined;
    return { from, to, span: this.nodeSpan(node) };
  }

  private weekday(token: IToken | undefined): Ast.Weekday | undefined {
    if (!token || token.isInsertedInRecovery || token.image === "") return undefined;
    const lower = token.image.toLowerCase();
    const day = weekdays.find((d) => d === token.image);
    if (day) return day;
    const byPrefix = weekdays.find((d) => lower.startsWith(d));
    const near = byPrefix ?? suggest(token.image, weekdays);
    this.report(diag("UPG0110", {
      message: `unknown day \`${token.image}\``,
      span: this.tokenSpan(token),
      help: near ? `did you mean \`${near}\`?` : "days are `mon`, `tue`, `wed`, `thu`, `fri`, `sat`, `sun`, and ranges such as `mon..fri`",
    }));
    return undefined;
  }

  fromTimeStatement(node: C.FromTimeStatementCstNode): Ast.TimeOfDay {
    return this.timeOf(node.children.TimeOfDay?.[0], this.nodeSpan(node));
  }

  toTimeStatement(node: C.ToTimeStatementCstNode): Ast.TimeOfDay {
    return this.timeOf(node.children.TimeOfDay?.[0], this.nodeSpan(node));
  }

  zoneStatement(node: C.ZoneStatementCstNode): Ast.StringLit {
    const token = node.children.StringLiteral?.[0];
    const zone = this.stringOf(token, this.nodeSpan(node));
    this.zoneCheck(zone, token);
    return zone;
  }

  cutoffStatement(node: C.CutoffStatementCstNode): Ast.DurationLit {
    return this.durationOf(node.children.duration?.[0], this.nodeSpan(node));
  }

  // ------------------------------------------------------------ connection, checkpoint, method

  connectionDecl(node: C.ConnectionDeclCstNode): Ast.ConnectionDecl {
    const span = this.nodeSpan(node);
    const c = node.children;
    const connection: Mutable<Ast.ConnectionDecl> = { type: "connection", name: this.nameOf(c.Name?.[0], span), span };
    const seen = new Seen(this, `connection \`${connection.name.text}\``);
    for (const st of c.connectionStatement ?? []) this.connectionStatement(st, connection, seen);
    return connection;
  }

  connectionStatement(node: C.ConnectionStatementCstNode, connection: Mutable<Ast.ConnectionDecl>, seen: Seen): void {
    const c = node.children;
    const span = this.nodeSpan(node);
    if (c.execStatement?.[0] && seen.once("exec", span)) {
      connection.exec = this.execStatement(c.execStatement?.[0]);
    } else if (c.probeStatement?.[0] && seen.once("probe", span)) {
      connection.probe = this.probeStatement(c.probeStatement?.[0]);
    } else if (c.unknownStatement?.[0]) {
      this.unknownStatement(c.unknownStatement?.[0], "connection");
    }
  }

  execStatement(node: C.ExecStatementCstNode): Ast.ArgvCommand {
    const list = node.children.stringList?.[0];
    return list ? this.argv(list) : { kind: "argv", argv: [], span: this.nodeSpan(node) };
  }

  probeStatement(node: C.ProbeStatementCstNode): Ast.Action {
    return this.actionOf(node.children.action?.[0], this.nodeSpan(node));
  }

  checkpointDecl(node: C.CheckpointDeclCstNode): Ast.CheckpointDecl {
    const span = this.nodeSpan(node);
    const c = node.children;
    const [nameToken, phaseToken] = c.Name ?? [];
    const phase = this.oneOf(phaseToken, checkpointPositions, "phase");
    const checkpoint: Mutable<Ast.CheckpointDecl> = {
      type: "checkpoint",
      name: this.nameOf(nameToken, span),
      before: phase ? { phase: phase.value, span: phase.span } : { phase: "expand", span: phaseToken ? this.tokenSpan(phaseToken) : span },
      span,
    };
    const seen = new Seen(this, `checkpoint \`${checkpoint.name.text}\``);
    for (const st of c.checkpointStatement ?? []) this.checkpointStatement(st, checkpoint, seen);
    return checkpoint;
  }

  checkpointStatement(node: C.CheckpointStatementCstNode, checkpoint: Mutable<Ast.CheckpointDecl>, seen: Seen): void {
    const c = node.children;
    const span = this.nodeSpan(node);
    if (c.runStatement?.[0] && seen.once("run", span)) checkpoint.run = this.runStatement(c.runStatement?.[0]);
    else if (c.restoreStatement?.[0] && seen.once("restore", span)) checkpoint.restore = this.restoreStatement(c.restoreStatement?.[0]);
    else if (c.noteStatement?.[0] && seen.once("note", span)) checkpoint.note = this.noteStatement(c.noteStatement?.[0]);
    else if (c.unknownStatement?.[0]) this.unknownStatement(c.unknownStatement?.[0], "checkpoint");
  }

  runStatement(node: C.RunStatementCstNode): Ast.Action {
    return this.actionOf(node.children.action?.[0], this.nodeSpan(node));
  }

  restoreStatement(node: C.RestoreStatementCstNode): Ast.Action {
    return this.actionOf(node.children.action?.[0], this.nodeSpan(node));
  }

  noteStatement(node: C.NoteStatementCstNode): Ast.StringLit {
    return this.stringOf(node.children.StringLiteral?.[0], this.nodeSpan(node));
  }

  notifyDecl(node: C.NotifyDeclCstNode): Ast.NotifyDecl {
    const span = this.nodeSpan(node);
    const c = node.children;
    const [nameToken, extendsToken] = c.Name ?? [];
    const notify: Mutable<Ast.NotifyDecl> = { type: "notify", name: this.nameOf(nameToken, span), vars: [], span };
    if (extendsToken && !extendsToken.isInsertedInRecovery) notify.extends = this.nameOf(extendsToken, span);
    const seen = new Seen(this, `notify \`${notify.name.text}\``);
    for (const st of c.notifyStatement ?? []) this.notifyStatement(st, notify, seen);
    return notify;
  }

  notifyStatement(node: C.NotifyStatementCstNode, notify: Mutable<Ast.NotifyDecl>, seen: Seen): void {
    const c = node.children;
    const span = this.nodeSpan(node);
    if (c.eventsStatement?.[0] && seen.once("on", span)) {
      notify.events = { names: this.eventsStatement(c.eventsStatement[0]), span };
    } else if (c.runStatement?.[0] && seen.once("run", span)) {
      notify.run = this.runStatement(c.runStatement[0]);
    } else if (c.varDecl?.[0]) {
      const v = this.varDecl(c.varDecl[0]);
      if (seen.once(`var ${v.name.text}`, v.span)) notify.vars = [...notify.vars, v];
    } else if (c.unknownStatement?.[0]) {
      this.unknownStatement(c.unknownStatement[0], "notify");
    }
  }

  eventsStatement(node: C.EventsStatementCstNode): { value: NotifyEvent; span: Span }[] {
    const tokens = (node.children.nameList?.[0]?.children.Name ?? []).filter((t) => !t.isInsertedInRecovery);
    return tokens.map((t) => this.oneOf(t, NOTIFY_EVENTS, "event")).filter((n) => n !== undefined);
  }

  methodDecl(node: C.MethodDeclCstNode): Ast.MethodDecl {
    const span = this.nodeSpan(node);
    const c = node.children;
    const vars: Ast.VarDecl[] = [];
    const actions: Ast.ActionDecl[] = [];
    const name = this.nameOf(c.Name?.[0], span);
    const seen = new Seen(this, `method \`${name.text}\``);
    for (const st of c.methodStatement ?? []) this.methodStatement(st, vars, actions, seen);
    return { type: "method", name, vars, actions, span };
  }

  methodStatement(node: C.MethodStatementCstNode, vars: Ast.VarDecl[], actions: Ast.ActionDecl[], seen: Seen): void {
    const c = node.children;
    if (c.varDecl?.[0]) {
      const v = this.varDecl(c.varDecl?.[0]);
      if (seen.once(`var ${v.name.text}`, v.span)) vars.push(v);
    } else if (c.actionStatement?.[0]) {
      const a = this.actionStatement(c.actionStatement?.[0]);
      if (seen.once(a.kind, a.span)) actions.push(a);
    } else if (c.unknownStatement?.[0]) {
      this.unknownStatement(c.unknownStatement?.[0], "method");
    }
  }

  varDecl(node: C.VarDeclCstNode): Ast.VarDecl {
    const span = this.nodeSpan(node);
    const c = node.children;
    const name = this.nameOf(c.Name?.[0], span);
    const list = c.stringList?.[0];
    const value: Ast.VarDecl["value"] = list
      ? { kind: "list", items: this.stringList(list), span: this.nodeSpan(list, span) }
      : this.stringOf(c.StringLiteral?.[0], span);
    return { name, value, span };
  }

  actionStatement(node: C.ActionStatementCstNode): Ast.ActionDecl {
    const span = this.nodeSpan(node);
    const c = node.children;
    const pairs: [IToken[] | undefined, Ast.ActionKind][] = [
      [c.KwPrecheck, "precheck"],
      [c.KwExpand, "expand"],
      [c.KwMigrate, "migrate"],
      [c.KwContract, "contract"],
      [c.KwPin, "pin"],
      [c.KwUnpin, "unpin"],
      [c.KwCleanup, "cleanup"],
      [c.KwPostcheck, "postcheck"],
      [c.KwStop, "stop"],
      [c.KwUpgrade, "upgrade"],
      [c.KwReboot, "reboot"],
      [c.KwStart, "start"],
      [c.KwRollback, "rollback"],
      [c.KwVersion, "version"],
    ];
    const [tokens, kind] = pairs.find(([t]) => t?.[0] !== undefined) ?? [undefined, "upgrade"];
    const keyword = tokens?.[0];
    return { kind, keywordSpan: keyword ? this.tokenSpan(keyword) : span, action: this.actionOf(c.action?.[0], span), span };
  }

  // ------------------------------------------------------------ service

  serviceDecl(node: C.ServiceDeclCstNode): Ast.ServiceDecl {
    const span = this.nodeSpan(node);
    const c = node.children;
    const [nameToken, extendsToken] = c.Name ?? [];
    const isTemplate = c.KwTemplate !== undefined;
    const service: Mutable<Ast.ServiceDecl> = {
      type: "service",
      isTemplate,
      name: this.nameOf(nameToken, span),
      after: [],
      tags: [],
      vars: [],
      skew: [],
      actions: [],
      span,
    };
    if (c.KwExtends) service.extends = this.nameOf(extendsToken, span);
    const seen = new Seen(this, `${isTemplate ? "template" : "service"} \`${service.name.text}\``);
    for (const st of c.serviceStatement ?? []) this.serviceStatement(st, service, seen);
    return service;
  }

  serviceStatement(node: C.ServiceStatementCstNode, s: Mutable<Ast.ServiceDecl>, seen: Seen): void {
    const c = node.children;
    const span = this.nodeSpan(node);
    if (c.onStatement?.[0]) {
      if (seen.once("on", span)) s.on = this.onStatement(c.onStatement?.[0]);
    } else if (c.afterStatement?.[0]) {
      s.after = [...s.after, ...this.afterStatement(c.afterStatement?.[0])];
    } else if (c.tagsStatement?.[0]) {
      s.tags = [...s.tags, ...this.tagsStatement(c.tagsStatement?.[0])];
    } else if (c.planeStatement?.[0]) {
      const plane = this.planeStatement(c.planeStatement?.[0]);
      if (seen.once("plane", span) && plane) s.plane = plane;
    } else if (c.deployStatement?.[0]) {
      if (seen.once("deploy", span)) s.deploy = this.deployStatement(c.deployStatement?.[0]);
    } else if (c.connectionRefStatement?.[0]) {
      if (seen.once("connection", span)) s.connection = this.connectionRefStatement(c.connectionRefStatement?.[0]);
    } else if (c.varDecl?.[0]) {
      const v = this.varDecl(c.varDecl?.[0]);
      if (seen.once(`var ${v.name.text}`, v.span)) s.vars = [...s.vars, v];
    } else if (c.rollingBlock?.[0]) {
      if (seen.once("rolling", span)) s.rolling = this.rollingBlock(c.rollingBlock?.[0]);
    } else if (c.maintenanceBlock?.[0]) {
      if (seen.once("maintenance", span)) s.maintenance = this.maintenanceBlock(c.maintenanceBlock?.[0]);
    } else if (c.evacuateStatement?.[0]) {
      if (seen.once("evacuate", span)) s.evacuate = this.evacuateStatement(c.evacuateStatement?.[0]);
    } else if (c.rebootStatement?.[0]) {
      if (seen.once("reboot", span)) s.reboot = this.rebootStatement(c.rebootStatement?.[0]);
    } else if (c.windowRefStatement?.[0]) {
      if (seen.once("window", span)) s.window = this.windowRefStatement(c.windowRefStatement?.[0]);
    } else if (c.skewStatement?.[0]) {
      s.skew = [...s.skew, this.skewStatement(c.skewStatement?.[0])];
    } else if (c.takesStatement?.[0]) {
      if (seen.once("takes", span)) s.takes = this.takesStatement(c.takesStatement?.[0]);
    } else if (c.healthStatement?.[0]) {
      if (seen.once("health", span)) s.health = this.healthStatement(c.healthStatement?.[0]);
    } else if (c.actionStatement?.[0]) {
      const a = this.actionStatement(c.actionStatement?.[0]);
      if (seen.once(a.kind, span)) s.actions = [...s.actions, a];
    } else if (c.unknownStatement?.[0]) {
      this.unknownStatement(c.unknownStatement?.[0], "service");
    }
  }

  onStatement(node: C.OnStatementCstNode): Ast.HostSelection {
    const selection = node.children.hostSelection?.[0];
    const span = this.nodeSpan(node);
    return selection ? this.hostSelection(selection) : { items: [], span: this.span(span.end, span.end) };
  }

  afterStatement(node: C.AfterStatementCstNode): Ast.Name[] {
    const list = node.children.nameList?.[0];
    return list ? this.nameList(list) : [];
  }

  tagsStatement(node: C.TagsStatementCstNode): { name: string; span: Span }[] {
    const list = node.children.nameList?.[0];
    return (list ? this.nameList(list) : []).map((n) => ({ name: n.text, span: n.span }));
  }

  planeStatement(node: C.PlaneStatementCstNode): { value: "control" | "data"; span: Span } | undefined {
    return this.oneOf(node.children.Name?.[0], ["control", "data"] as const, "plane");
  }

  windowRefStatement(node: C.WindowRefStatementCstNode): Ast.Name {
    return this.nameOf(node.children.Name?.[0], this.nodeSpan(node));
  }

  takesStatement(node: C.TakesStatementCstNode): Ast.DurationLit {
    return this.durationOf(node.children.duration?.[0], this.nodeSpan(node));
  }

  skewStatement(node: C.SkewStatementCstNode): Ast.SkewRule {
    const list = node.children.nameList?.[0];
    return {
      kind: node.children.KwNeverNewerThan ? "never-newer-than" : "needs-new",
      services: list ? this.nameList(list) : [],
      span: this.nodeSpan(node),
    };
  }

  healthStatement(node: C.HealthStatementCstNode): Ast.HealthDecl {
    const span = this.nodeSpan(node);
    const actionNode = node.children.action?.[0];
    const built = this.actionParts(actionNode, span, true);
    return { action: built.action, span, ...built.health };
  }

  rebootStatement(node: C.RebootStatementCstNode): Ast.RebootDecl {
    const span = this.nodeSpan(node);
    const c = node.children;
    const reboot: Mutable<Ast.RebootDecl> = { span };
    const seen = new Seen(this, "reboot");
    const windowToken = c.Name?.[0];
    if (c.KwWindow?.[0]) {
      c.KwWindow.forEach((kw, i) => {
        const nameToken = c.Name?.[i];
        const at = this.cover(this.tokenSpan(kw), nameToken ? this.tokenSpan(nameToken) : this.tokenSpan(kw));
        if (seen.once("window", at)) reboot.window = this.nameOf(windowToken, at);
      });
    }
    (c.duration ?? []).forEach((d, i) => {
      const kw = c.KwTakes?.[i];
      const at = kw ? this.cover(this.tokenSpan(kw), this.nodeSpan(d, span)) : this.nodeSpan(d, span);
      if (seen.once("takes", at)) reboot.takes = this.durationOf(d, at);
    });
    const optionsNode = c.actionOptions?.[0];
    const commandNode = c.command?.[0];
    if (commandNode) {
      const command = this.command(commandNode);
      const options = optionsNode ? this.actionOptions(optionsNode, false).options : emptyOptions();
      const end = optionsNode ? this.nodeSpan(optionsNode, span) : command.span;
      reboot.action = { command, options, span: this.cover(command.span, end) };
    } else if (optionsNode) {
      const { options } = this.actionOptions(optionsNode, false);
      if (options.takes && !reboot.takes) reboot.takes = options.takes;
      const rest = (Object.keys(options) as (keyof Ast.ActionOptions)[]).filter((k) => k !== "takes" && k !== "env" && k !== "once" && options[k] !== undefined);
      if (rest.length > 0 || options.env.length > 0 || options.once) {
        this.report(diag("UPG0115", {
          message: "options of a reboot without a command",
          span: this.nodeSpan(optionsNode, span),
          help: "give the reboot command (`reboot [\"systemctl\", \"reboot\"] { … }`), or keep only `takes`",
        }));
      }
    }
    return reboot;
  }

  evacuateStatement(node: C.EvacuateStatementCstNode): Ast.EvacuateDecl {
    const span = this.nodeSpan(node);
    const c = node.children;
    const strategyToken = c.Name?.[0];
    const strategy = this.oneOf(strategyToken, strategies, "evacuation strategy") ?? {
      value: "none" as const,
      span: strategyToken ? this.tokenSpan(strategyToken) : span,
    };
    const evacuate: Mutable<Ast.EvacuateDecl> = { strategy, span };
    const seen = new Seen(this, "evacuate");
    (c.Integer ?? []).forEach((t, i) => {
      const kw = c.KwConcurrency?.[i];
      const at = kw ? this.cover(this.tokenSpan(kw), this.tokenSpan(t)) : this.tokenSpan(t);
      if (seen.once("concurrency", at)) evacuate.concurrency = this.intOf(t, at);
    });
    (c.duration ?? []).forEach((d, i) => {
      const kw = c.KwTimeout?.[i];
      const at = kw ? this.cover(this.tokenSpan(kw), this.nodeSpan(d, span)) : this.nodeSpan(d, span);
      if (seen.once("timeout", at)) evacuate.timeout = this.durationOf(d, at);
    });
    const body = c.evacuateBody?.[0];
    if (body) this.evacuateBody(body, evacuate, seen);
    return evacuate;
  }

  evacuateBody(node: C.EvacuateBodyCstNode, evacuate: Mutable<Ast.EvacuateDecl>, seen: Seen): void {
    for (const st of node.children.evacuateOption ?? []) this.evacuateOption(st, evacuate, seen);
  }

  evacuateOption(node: C.EvacuateOptionCstNode, evacuate: Mutable<Ast.EvacuateDecl>, seen: Seen): void {
    const c = node.children;
    const span = this.nodeSpan(node);
    if (c.runStatement?.[0] && seen.once("run", span)) evacuate.run = this.runStatement(c.runStatement?.[0]);
    else if (c.countVarStatement?.[0] && seen.once("count-var", span)) evacuate.countVar = this.countVarStatement(c.countVarStatement?.[0]);
    else if (c.capacityVarStatement?.[0] && seen.once("capacity-var", span)) evacuate.capacityVar = this.capacityVarStatement(c.capacityVarStatement?.[0]);
    else if (c.unknownStatement?.[0]) this.unknownStatement(c.unknownStatement?.[0], "evacuate");
  }

  countVarStatement(node: C.CountVarStatementCstNode): Ast.Name {
    return this.nameOf(node.children.Name?.[0], this.nodeSpan(node));
  }

  capacityVarStatement(node: C.CapacityVarStatementCstNode): Ast.Name {
    return this.nameOf(node.children.Name?.[0], this.nodeSpan(node));
  }

  maintenanceBlock(node: C.MaintenanceBlockCstNode): Ast.MaintenanceDecl {
    const maintenance: Mutable<Ast.MaintenanceDecl> = { span: this.nodeSpan(node) };
    const seen = new Seen(this, "maintenance");
    for (const st of node.children.maintenanceStatement ?? []) this.maintenanceStatement(st, maintenance, seen);
    return maintenance;
  }

  maintenanceStatement(node: C.MaintenanceStatementCstNode, maintenance: Mutable<Ast.MaintenanceDecl>, seen: Seen): void {
    const c = node.children;
    const span = this.nodeSpan(node);
    if (c.KwEnter && seen.once("enter", span)) maintenance.enter = this.actionOf(c.action?.[0], span);
    else if (c.KwExit && seen.once("exit", span)) maintenance.exit = this.actionOf(c.action?.[0], span);
    else if (c.unknownStatement?.[0]) this.unknownStatement(c.unknownStatement?.[0], "maintenance");
  }

  // ------------------------------------------------------------ rolling

  rollingBlock(node: C.RollingBlockCstNode): Ast.RollingDecl {
    const rolling: Mutable<Ast.RollingDecl> = { batch: [], maxUnavailable: [], span: this.nodeSpan(node) };
    const seen = new Seen(this, "rolling");
    for (const st of node.children.rollingStatement ?? []) this.rollingStatement(st, rolling, seen);
    return rolling;
  }

  rollingStatement(node: C.RollingStatementCstNode, r: Mutable<Ast.RollingDecl>, seen: Seen): void {
    const c = node.children;
    const span = this.nodeSpan(node);
    if (c.batchStatement?.[0]) {
      if (seen.once("batch", span)) {
        const batch = c.batchStatement[0];
        r.batch = this.batchStatement(batch);
        const then = batch.children.KwThen?.[0];
        const continuous = batch.children.KwContinuous?.[0];
        if (then && continuous && continuous.isInsertedInRecovery !== true) r.continuousSpan = this.cover(this.tokenSpan(then), this.tokenSpan(continuous));
      }
    } else if (c.maxUnavailableStatement?.[0]) {
      const m = this.maxUnavailableStatement(c.maxUnavailableStatement?.[0]);
      if (seen.once(m.per ? `max-unavailable per ${m.per.text}` : "max-unavailable", span)) r.maxUnavailable = [...r.maxUnavailable, m];
    } else if (c.pauseStatement?.[0]) {
      if (seen.once("pause", span)) r.pause = this.pauseStatement(c.pauseStatement?.[0]);
    } else if (c.maxFailuresStatement?.[0]) {
      if (seen.once("max-failures", span)) r.maxFailures = this.maxFailuresStatement(c.maxFailuresStatement?.[0]);
    } else if (c.orderStatement?.[0]) {
      const order = this.orderStatement(c.orderStatement?.[0]);
      if (seen.once("order", span) && order) r.order = order;
    } else if (c.deadlineStatement?.[0]) {
      if (seen.once("deadline", span)) r.deadline = this.deadlineStatement(c.deadlineStatement?.[0]);
    } else if (c.unknownStatement?.[0]) {
      this.unknownStatement(c.unknownStatement?.[0], "rolling");
    }
  }

  batchStatement(node: C.BatchStatementCstNode): Ast.Amount[] {
    return (node.children.amount ?? []).map((a) => this.amount(a));
  }

  maxUnavailableStatement(node: C.MaxUnavailableStatementCstNode): Ast.RollingDecl["maxUnavailable"][number] {
    const span = this.nodeSpan(node);
    const amountNode = node.children.amount?.[0];
    const amount = amountNode ? this.amount(amountNode) : this.missingAmount(span);
    const per = node.children.KwPer ? this.nameOf(node.children.Name?.[0], span) : undefined;
    return { amount, ...(per ? { per } : {}), span };
  }

  pauseStatement(node: C.PauseStatementCstNode): Ast.DurationLit {
    return this.durationOf(node.children.duration?.[0], this.nodeSpan(node));
  }

  maxFailuresStatement(node: C.MaxFailuresStatementCstNode): NonNullable<Ast.RollingDecl["maxFailures"]> {
    const span = this.nodeSpan(node);
    const amountNode = node.children.amount?.[0];
    const amount = amountNode ? this.amount(amountNode) : this.missingAmount(span);
    const scope = node.children.KwPer ? this.oneOf(node.children.Name?.[0], ["batch", "run"] as const, "failure scope") : undefined;
    return { amount, scope: scope?.value ?? "run", cancel: node.children.KwCancel !== undefined, span };
  }

  orderStatement(node: C.OrderStatementCstNode): Ast.RollingDecl["order"] {
    const span = this.nodeSpan(node);
    const token = node.children.Name?.[0];
    if (node.children.KwBy) return { kind: "by", var: this.nameOf(token, span), span };
    const kind = this.oneOf(token, ["empty-first", "inventory"] as const, "order");
    return kind ? { kind: kind.value, span } : undefined;
  }

  deadlineStatement(node: C.DeadlineStatementCstNode): NonNullable<Ast.RollingDecl["deadline"]> {
    const span = this.nodeSpan(node);
    const within = this.durationOf(node.children.duration?.[0], span);
    const on = node.children.KwOnDeadline ? this.oneOf(node.children.Name?.[0], ["stop", "rollback"] as const, "deadline action") : undefined;
    return { within, onDeadline: on?.value ?? "stop", span };
  }

  // ------------------------------------------------------------ actions

  private actionOf(node: C.ActionCstNode | undefined, fallback: Span): Ast.Action {
    return this.actionParts(node, fallback, false).action;
  }

  /** The action, and in a health check its health options. */
  private actionParts(node: C.ActionCstNode | undefined, fallback: Span, inHealth: boolean): { action: Ast.Action; health: HealthOptions } {
    if (!node) {
      const at = this.span(fallback.end, fallback.end);
      return { action: { command: { kind: "argv", argv: [], span: at }, options: emptyOptions(), span: at }, health: {} };
    }
    return this.action(node, inHealth);
  }

  action(node: C.ActionCstNode, inHealth = false): { action: Ast.Action; health: HealthOptions } {
    const span = this.nodeSpan(node);
    const commandNode = node.children.command?.[0];
    const command: Ast.Command = commandNode ? this.command(commandNode) : { kind: "argv", argv: [], span };
    const optionsNode = node.children.actionOptions?.[0];
    const built = optionsNode ? this.actionOptions(optionsNode, inHealth) : { options: emptyOptions(), health: {} };
    return { action: { command, options: built.options, span }, health: built.health };
  }

  command(node: C.CommandCstNode): Ast.Command {
    const span = this.nodeSpan(node);
    const c = node.children;
    const list = c.stringList?.[0];
    if (list) return this.argv(list);
    const literal = this.stringOf(c.StringLiteral?.[0], span);
    if (c.KwShell) {
      if (literal.value.trim() === "" && c.StringLiteral?.[0] && !c.StringLiteral?.[0].isInsertedInRecovery) this.emptyCommand(literal.span);
      return { kind: "shell", script: literal, span };
    }
    const hash = literal.value.lastIndexOf("#");
    const exportName = hash >= 0 ? literal.value.slice(hash + 1) || "default" : "default";
    const module: Ast.StringLit = hash >= 0 ? { ...literal, value: literal.value.slice(0, hash) } : literal;
    return { kind: "module", module, exportName, span };
  }

  private argv(node: C.StringListCstNode): Ast.ArgvCommand {
    const span = this.nodeSpan(node);
    const argv = this.stringList(node);
    if (argv.length === 0 && !node.children.RBracket?.[0]?.isInsertedInRecovery) this.emptyCommand(span);
    return { kind: "argv", argv, span };
  }

  private emptyCommand(span: Span): void {
    this.report(diag("UPG0116", {
      message: "empty command",
      span,
      help: 'give the program and its arguments, such as `["systemctl", "restart", "nova-compute"]`',
    }));
  }

  actionOptions(node: C.ActionOptionsCstNode, inHealth: boolean): { options: Ast.ActionOptions; health: HealthOptions } {
    const options: Mutable<Ast.ActionOptions> = { env: [], once: false };
    const health: Mutable<HealthOptions> = {};
    const seen = new Seen(this, inHealth ? "health check options" : "action options");
    for (const st of node.children.actionOption ?? []) this.actionOption(st, options, health, inHealth, seen);
    return { options, health };
  }

  actionOption(node: C.ActionOptionCstNode, o: Mutable<Ast.ActionOptions>, h: Mutable<HealthOptions>, inHealth: boolean, seen: Seen): void {
    const c = node.children;
    const span = this.nodeSpan(node);
    if (c.takesStatement?.[0]) {
      if (seen.once("takes", span)) o.takes = this.takesStatement(c.takesStatement?.[0]);
    } else if (c.durationOption?.[0]) {
      const { key, value } = this.durationOption(c.durationOption?.[0]);
      if (healthOnly.has(key) && !inHealth) {
        this.notInHealth(key, span);
      } else if (seen.once(key, span)) {
        if (key === "timeout") o.timeout = value;
        else if (key === "grace") o.grace = value;
        else if (key === "backoff") o.backoff = value;
        else if (key === "every") h.every = value;
        else if (key === "within") h.within = value;
        else h.healthyFor = value;
      }
    } else if (c.retriesOption?.[0]) {
      if (seen.once("retries", span)) o.retries = this.retriesOption(c.retriesOption?.[0]);
    } else if (c.envBlock?.[0]) {
      o.env = [...o.env, ...this.envBlock(c.envBlock?.[0], seen)];
    } else if (c.cwdOption?.[0]) {
      if (seen.once("cwd", span)) o.cwd = this.cwdOption(c.cwdOption?.[0]);
    } else if (c.doneOption?.[0]) {
      if (seen.once("done", span)) o.done = this.doneOption(c.doneOption?.[0]);
    } else if (c.undoOption?.[0]) {
      if (seen.once("undo", span)) o.undo = this.undoOption(c.undoOption?.[0]);
    } else if (c.KwOnce?.[0]) {
      if (seen.once("once", span)) o.once = true;
    } else if (c.onDeadlineOption?.[0]) {
      if (!inHealth) this.notInHealth("on-deadline", span);
      else if (seen.once("on-deadline", span)) {
        const value = this.onDeadlineOption(c.onDeadlineOption?.[0]);
        if (value) h.onDeadline = value;
      }
    } else if (c.unknownStatement?.[0]) {
      this.unknownStatement(c.unknownStatement?.[0], "options");
    }
  }

  private notInHealth(key: string, span: Span): void {
    this.report(diag("UPG0115", {
      message: `\`${key}\` is an option of a health check only`,
      span,
      help: `move it into the options of the service's \`health\` check`,
    }));
  }

  durationOption(node: C.DurationOptionCstNode): { key: "timeout" | "grace" | "backoff" | "every" | "within" | "healthy-for"; value: Ast.DurationLit } {
    const c = node.children;
    const key = c.KwTimeout ? "timeout" : c.KwGrace ? "grace" : c.KwBackoff ? "backoff" : c.KwEvery ? "every" : c.KwWithin ? "within" : "healthy-for";
    return { key, value: this.durationOf(c.duration?.[0], this.nodeSpan(node)) };
  }

  retriesOption(node: C.RetriesOptionCstNode): Ast.IntLit {
    return this.intOf(node.children.Integer?.[0], this.nodeSpan(node));
  }

  envBlock(node: C.EnvBlockCstNode, seen?: Seen): Ast.EnvEntry[] {
    const entries: Ast.EnvEntry[] = [];
    for (const e of node.children.envEntry ?? []) {
      const entry = this.envEntry(e);
      if (!seen || seen.once(`env ${entry.name}`, entry.span)) entries.push(entry);
    }
    return entries;
  }

  envEntry(node: C.EnvEntryCstNode): Ast.EnvEntry {
    const span = this.nodeSpan(node);
    return { name: node.children.Name?.[0]?.image ?? "", value: this.stringOf(node.children.StringLiteral?.[0], span), span };
  }

  cwdOption(node: C.CwdOptionCstNode): Ast.StringLit {
    return this.stringOf(node.children.StringLiteral?.[0], this.nodeSpan(node));
  }

  doneOption(node: C.DoneOptionCstNode): Ast.Command {
    const commandNode = node.children.command?.[0];
    return commandNode ? this.command(commandNode) : { kind: "argv", argv: [], span: this.nodeSpan(node) };
  }

  undoOption(node: C.UndoOptionCstNode): Ast.Command | Ast.IrreversibleMarker {
    const irreversible = node.children.KwIrreversible?.[0];
    if (irreversible) return { kind: "irreversible", span: this.tokenSpan(irreversible) };
    const commandNode = node.children.command?.[0];
    return commandNode ? this.command(commandNode) : { kind: "argv", argv: [], span: this.nodeSpan(node) };
  }

  onDeadlineOption(node: C.OnDeadlineOptionCstNode): "stop" | "rollback" | undefined {
    return this.oneOf(node.children.Name?.[0], ["stop", "rollback"] as const, "deadline action")?.value;
  }

  // ------------------------------------------------------------ values

  stringList(node: C.StringListCstNode): Ast.StringLit[] {
    const span = this.nodeSpan(node);
    return (node.children.StringLiteral ?? []).map((t) => this.stringOf(t, span));
  }

  nameList(node: C.NameListCstNode): Ast.Name[] {
    const span = this.nodeSpan(node);
    return (node.children.Name ?? []).filter((t) => !t.isInsertedInRecovery).map((t) => this.nameOf(t, span));
  }

  hostSelection(node: C.HostSelectionCstNode): Ast.HostSelection {
    const tokens = [...(node.children.HostRange ?? []), ...(node.children.Name ?? [])]
      .filter((t) => !t.isInsertedInRecovery)
      .sort((a, b) => a.startOffset - b.startOffset);
    const items: Ast.HostItem[] = [];
    for (const token of tokens) {
      const span = this.tokenSpan(token);
      if (token.tokenType.name !== "HostRange") {
        items.push({ kind: "name", name: token.image, span });
        continue;
      }
      const decoded = decodeHostRange(token.image);
      if (decoded.ok) items.push({ kind: "range", ...decoded.value, span });
      else this.literalProblem(token, decoded.problem);
    }
    return { items, span: this.nodeSpan(node) };
  }

  amount(node: C.AmountCstNode): Ast.Amount {
    const span = this.nodeSpan(node);
    const percent = node.children.Percent?.[0];
    if (percent) return { kind: "percent", percent: this.decoded(percent, decodePercent(percent.image), 0), span: this.tokenSpan(percent) };
    return this.intOf(node.children.Integer?.[0], span);
  }

  private missingAmount(span: Span): Ast.IntLit {
    return { kind: "int", value: 0, span: this.span(span.end, span.end) };
  }

  duration(node: C.DurationCstNode): Ast.DurationLit {
    const span = this.nodeSpan(node);
    const token = node.children.Duration?.[0];
    if (token) {
      return { kind: "duration", seconds: this.decoded(token, decodeDuration(token.image), 0), text: token.image, span: this.tokenSpan(token) };
    }
    const bare = node.children.Integer?.[0];
    if (bare && !bare.isInsertedInRecovery) {
      this.report(diag("UPG0106", {
        message: `duration \`${bare.image}\` has no unit`,
        span: this.tokenSpan(bare),
        help: `add a unit: \`${bare.image}s\`, \`${bare.image}m\` or \`${bare.image}h\``,
      }));
    }
    return { kind: "duration", seconds: 0, text: bare?.image ?? "", span };
  }

  private durationOf(node: C.DurationCstNode | undefined, fallback: Span): Ast.DurationLit {
    if (!node) return { kind: "duration", seconds: 0, text: "", span: this.span(fallback.end, fallback.end) };
    return this.duration(node);
  }
}

type HealthOptions = Pick<Ast.HealthDecl, "every" | "within" | "healthyFor" | "onDeadline">;

function emptyOptions(): Ast.ActionOptions {
  return { env: [], once: false };
}

