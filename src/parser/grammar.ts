/**
 * The grammar of `.upg`, as a chevrotain CST parser. grammar/upg.ebnf is generated from it
 * (`npx tsx grammar/generate.ts`) and a test fails when that file is stale.
 *
 * Every block is a list of statements; each statement begins with a keyword of its block.
 * A word that begins no statement of the block is an `unknownStatement`: it and what follows
 * up to the next statement keyword of the block (skipping nested `{ … }`) become one node,
 * so the AST builder reports it with a suggestion and parsing goes on at the next statement.
 */
import { CstParser, EOF, type IToken, type DSLMethodOpts, type IOrAlt, type OrMethodOpts, type TokenType } from "chevrotain";
import { upgErrorMessages } from "./error-messages.js";
import {
  allTokens,
  AnyToken,
  Comma,
  DateTime,
  DotDot,
  Duration,
  Equals,
  HostRange,
  Integer,
  keywordTokens as K,
  LBracket,
  LCurly,
  Name,
  Percent,
  RBracket,
  RCurly,
  Semicolon,
  StringLiteral,
  TimeOfDay,
  type Keyword,
} from "./tokens.js";

/** The keywords that begin a statement, per block; the AST builder words its messages with these. */
export const statementKeywords = {
  file: ["plan", "use", "inventory", "facts", "hosts", "window", "secret", "connection", "checkpoint", "notify", "template", "service", "method"],
  plan: ["kind", "urgent", "from", "to", "start", "parallelism", "deploy", "connection"],
  window: ["days", "from", "to", "zone", "cutoff"],
  connection: ["exec", "probe"],
  checkpoint: ["run", "restore", "note"],
  notify: ["on", "run", "var"],
  method: ["var", "precheck", "expand", "migrate", "contract", "pin", "unpin", "cleanup", "postcheck", "stop", "upgrade", "reboot", "start", "rollback", "version"],
  service: [
    "on",
    "after",
    "tags",
    "plane",
    "deploy",
    "connection",
    "var",
    "rolling",
    "maintenance",
    "evacuate",
    "reboot",
    "window",
    "skew",
    "takes",
    "health",
    "precheck",
    "expand",
    "migrate",
    "contract",
    "pin",
    "unpin",
    "cleanup",
    "postcheck",
    "stop",
    "upgrade",
    "start",
    "rollback",
    "version",
  ],
  rolling: ["batch", "max-unavailable", "pause", "max-failures", "order", "deadline"],
  maintenance: ["enter", "exit"],
  evacuate: ["run", "count-var", "capacity-var"],
  options: ["takes", "timeout", "grace", "retries", "backoff", "env", "cwd", "done", "undo", "once", "every", "within", "healthy-for", "on-deadline"],
} as const satisfies Record<string, readonly Keyword[]>;

export type BlockKind = keyof typeof statementKeywords;

const topStarts = new Set<TokenType>(statementKeywords.file.map((k) => K[k]));
const anyStatementStart = new Set<TokenType>(Object.values(statementKeywords).flatMap((ks: readonly Keyword[]) => ks.map((k) => K[k])));

/** Where an unknown statement in this block stops: at a statement of the block or of the file. */
function stopsOf(block: BlockKind): ReadonlySet<TokenType> {
  return new Set<TokenType>([...statementKeywords[block].map((k) => K[k]), ...topStarts]);
}

const stops: Readonly<Record<BlockKind, ReadonlySet<TokenType>>> = Object.fromEntries(
  (Object.keys(statementKeywords) as BlockKind[]).map((b) => [b, stopsOf(b)]),
) as Record<BlockKind, ReadonlySet<TokenType>>;

/**
 * A block ends early at a top-level keyword that is no statement of its own, so a missing `}`
 * costs one diagnostic: per block, the token types at which it does not end.
 */
const continues: Readonly<Record<BlockKind, { has(type: TokenType): boolean }>> = Object.fromEntries(
  (Object.keys(statementKeywords) as BlockKind[]).map((block) => {
    const own = new Set<TokenType>((statementKeywords[block] as readonly Keyword[]).map((k) => K[k]));
    return [block, { has: (type: TokenType) => !topStarts.has(type) || own.has(type) }];
  }),
) as Record<BlockKind, { has(type: TokenType): boolean }>;

const actionKeywords = ["precheck", "expand", "migrate", "contract", "pin", "unpin", "cleanup", "postcheck", "stop", "upgrade", "reboot", "start", "rollback", "version"] as const;

export class UpgParser extends CstParser {
  /**
   * `validate` runs chevrotain's grammar validations (ambiguities, left recursion), which
   * cost a tenth of a second at every start; a test runs them, so the CLI can skip them.
   */
  constructor(options: { validate?: boolean } = {}) {
    super([...allTokens], {
      recoveryEnabled: true,
      // Offsets only: spans are offsets, and full locations cost a third of the CST's memory.
      nodeLocationTracking: "onlyOffset",
      maxLookahead: 2,
      errorMessageProvider: upgErrorMessages,
      skipValidations: options.validate !== true,
    });
    this.performSelfAnalysis();
  }

  /** A token inserted by recovery sits, empty, at the end of the token before it, so every span stays in the source. */
  protected override getTokenToInsert(tokType: TokenType): IToken {
    const previous = this.LA(0);
    const end = previous.endOffset;
    const at = previous.tokenType === EOF || end === undefined || Number.isNaN(end) ? 0 : end + 1;
    return {
      image: "",
      startOffset: at,
      endOffset: at - 1,
      startLine: NaN,
      endLine: NaN,
      startColumn: NaN,
      endColumn: NaN,
      tokenTypeIdx: tokType.tokenTypeIdx ?? 0,
      tokenType: tokType,
      isInsertedInRecovery: true,
    };
  }

  // Option objects and alternatives of the DSL, built on first use: rebuilding them on every
  // call cost a third of the parse time (bench/parse.ts).
  private readonly orCache: Record<string, OrMethodOpts<unknown>> = {};
  private readonly manyCache: Partial<Record<BlockKind, DSLMethodOpts<unknown>>> = {};
  private readonly dslCache: Record<string, DSLMethodOpts<unknown>> = {};
  private readonly altCache: Record<string, IOrAlt<unknown>[]> = {};

  /** The alternatives of one OR, built on its first use. */
  private alts(key: string, make: () => IOrAlt<unknown>[]): IOrAlt<unknown>[] {
    return (this.altCache[`or:${key}`] ??= make());
  }

  /**
   * The name after a statement keyword. A statement keyword on a later line is not taken as
   * the name (`on` then `after x` on the next line): the value is missing, and the keyword
   * begins the next statement.
   */
  private nameValue(key: string): void {
    this.or(3, (this.altCache[`name:${key}`] ??= [{ GATE: () => this.valueFollows(), ALT: () => this.consume(3, Name) }]));
  }

  private valueFollows(): boolean {
    const next = this.LA(1);
    if (!anyStatementStart.has(next.tokenType)) return true;
    const previous = this.LA(0);
    return previous.endLine === undefined || next.startLine === previous.endLine;
  }

  private statementBlock(block: BlockKind, statement: () => void): void {
    this.CONSUME(LCurly);
    this.MANY((this.manyCache[block] ??= { GATE: () => continues[block].has(this.LA(1).tokenType), DEF: statement }));
    this.CONSUME(RCurly);
  }

  public file = this.RULE("file", () => {
    this.MANY(() => this.SUBRULE(this.topStatement));
  });

  public topStatement = this.RULE("topStatement", () => {
    this.OR((this.orCache["topStatement"] ??= {
      IGNORE_AMBIGUITIES: true,
      MAX_LOOKAHEAD: 1,
      DEF: [
        { ALT: () => this.SUBRULE(this.planDecl) },
        { ALT: () => this.SUBRULE(this.useDecl) },
        { ALT: () => this.SUBRULE(this.inventoryDecl) },
        { ALT: () => this.SUBRULE(this.factsDecl) },
        { ALT: () => this.SUBRULE(this.hostsDecl) },
        { ALT: () => this.SUBRULE(this.windowDecl) },
        { ALT: () => this.SUBRULE(this.secretDecl) },
        { ALT: () => this.SUBRULE(this.connectionDecl) },
        { ALT: () => this.SUBRULE(this.checkpointDecl) },
        { ALT: () => this.SUBRULE(this.notifyDecl) },
        { ALT: () => this.SUBRULE(this.serviceDecl) },
        { ALT: () => this.SUBRULE(this.methodDecl) },
        { ALT: () => this.CONSUME(Semicolon) },
        { ALT: () => this.CONSUME(RCurly) },
        { ALT: () => this.SUBRULE(this.unknownStatement, { ARGS: [stops.file] }) },
      ],
    }));
  });

  /** Anything that begins no statement, up to the next statement of the block. */
  public unknownStatement = this.RULE("unknownStatement", (stopAt?: ReadonlySet<TokenType>) => {
    this.OR1(this.alts("unknownStatement1", () => [{ ALT: () => this.CONSUME1(AnyToken) }, { ALT: () => this.SUBRULE1(this.skippedBlock) }]));
    this.MANY({
      GATE: () => !(stopAt?.has(this.LA(1).tokenType) ?? false),
      DEF: () => this.OR2(this.alts("unknownStatement2", () => [{ ALT: () => this.CONSUME2(AnyToken) }, { ALT: () => this.SUBRULE2(this.skippedBlock) }])),
    });
  });

  public skippedBlock = this.RULE("skippedBlock", () => {
    this.CONSUME(LCurly);
    this.MANY(() => this.OR(this.alts("skippedBlock", () => [{ ALT: () => this.CONSUME(AnyToken) }, { ALT: () => this.SUBRULE(this.skippedBlock) }])));
    this.CONSUME(RCurly);
  });

  // ------------------------------------------------------------ plan

  public planDecl = this.RULE("planDecl", () => {
    this.CONSUME(K.plan);
    this.CONSUME(StringLiteral);
    this.statementBlock("plan", () => this.SUBRULE(this.planStatement));
  });

  public planStatement = this.RULE("planStatement", () => {
    this.OR((this.orCache["planStatement"] ??= {
      IGNORE_AMBIGUITIES: true,
      MAX_LOOKAHEAD: 1,
      DEF: [
        { ALT: () => this.SUBRULE(this.kindStatement) },
        { ALT: () => this.CONSUME(K.urgent) },
        { ALT: () => this.SUBRULE(this.fromVersionStatement) },
        { ALT: () => this.SUBRULE(this.toVersionStatement) },
        { ALT: () => this.SUBRULE(this.startStatement) },
        { ALT: () => this.SUBRULE(this.parallelismStatement) },
        { ALT: () => this.SUBRULE(this.deployStatement) },
        { ALT: () => this.SUBRULE(this.connectionRefStatement) },
        { ALT: () => this.CONSUME(Semicolon) },
        { ALT: () => this.SUBRULE(this.unknownStatement, { ARGS: [stops.plan] }) },
      ],
    }));
  });

  public kindStatement = this.RULE("kindStatement", () => {
    this.CONSUME(K.kind);
    this.nameValue(`kindStatement`);
  });

  public fromVersionStatement = this.RULE("fromVersionStatement", () => {
    this.CONSUME(K.from);
    this.CONSUME(StringLiteral);
  });

  public toVersionStatement = this.RULE("toVersionStatement", () => {
    this.CONSUME(K.to);
    this.CONSUME(StringLiteral);
  });

  public startStatement = this.RULE("startStatement", () => {
    this.CONSUME(K.start);
    this.CONSUME(DateTime);
    this.CONSUME(StringLiteral);
  });

  public parallelismStatement = this.RULE("parallelismStatement", () => {
    this.CONSUME(K.parallelism);
    this.CONSUME(Integer);
  });

  public deployStatement = this.RULE("deployStatement", () => {
    this.CONSUME(K.deploy);
    this.nameValue(`deployStatement`);
  });

  public connectionRefStatement = this.RULE("connectionRefStatement", () => {
    this.CONSUME(K.connection);
    this.nameValue(`connectionRefStatement`);
  });

  // ------------------------------------------------------------ small declarations

  public useDecl = this.RULE("useDecl", () => {
    this.CONSUME(K.use);
    this.OR(this.alts("useDecl", () => [{ ALT: () => this.CONSUME1(Name) }, { ALT: () => this.CONSUME(StringLiteral) }]));
    this.OPTION(() => {
      this.CONSUME(K.as);
      this.CONSUME2(Name);
    });
  });

  public inventoryDecl = this.RULE("inventoryDecl", () => {
    this.CONSUME(K.inventory);
    this.CONSUME(StringLiteral);
  });

  public factsDecl = this.RULE("factsDecl", () => {
    this.CONSUME(K.facts);
    this.CONSUME(StringLiteral);
  });

  public hostsDecl = this.RULE("hostsDecl", () => {
    this.CONSUME(K.hosts);
    this.CONSUME(Name);
    this.CONSUME(Equals);
    this.SUBRULE(this.hostSelection);
  });

  public secretDecl = this.RULE("secretDecl", () => {
    this.CONSUME(K.secret);
    this.CONSUME(Name);
    this.OR(this.alts("secretDecl", () => [{ ALT: () => this.CONSUME(K.env) }, { ALT: () => this.CONSUME(K.file) }]));
    this.CONSUME(StringLiteral);
  });

  // ------------------------------------------------------------ window

  public windowDecl = this.RULE("windowDecl", () => {
    this.CONSUME(K.window);
    this.CONSUME(Name);
    this.statementBlock("window", () => this.SUBRULE(this.windowStatement));
  });

  public windowStatement = this.RULE("windowStatement", () => {
    this.OR((this.orCache["windowStatement"] ??= {
      IGNORE_AMBIGUITIES: true,
      MAX_LOOKAHEAD: 1,
      DEF: [
        { ALT: () => this.SUBRULE(this.daysStatement) },
        { ALT: () => this.SUBRULE(this.fromTimeStatement) },
        { ALT: () => this.SUBRULE(this.toTimeStatement) },
        { ALT: () => this.SUBRULE(this.zoneStatement) },
        { ALT: () => this.SUBRULE(this.cutoffStatement) },
        { ALT: () => this.CONSUME(Semicolon) },
        { ALT: () => this.SUBRULE(this.unknownStatement, { ARGS: [stops.window] }) },
      ],
    }));
  });

  public daysStatement = this.RULE("daysStatement", () => {
    this.CONSUME(K.days);
    this.AT_LEAST_ONE_SEP({ SEP: Comma, DEF: () => this.SUBRULE(this.dayRange) });
  });

  public dayRange = this.RULE("dayRange", () => {
    this.CONSUME1(Name);
    this.OPTION(() => {
      this.CONSUME(DotDot);
      this.CONSUME2(Name);
    });
  });

  public fromTimeStatement = this.RULE("fromTimeStatement", () => {
    this.CONSUME(K.from);
    this.CONSUME(TimeOfDay);
  });

  public toTimeStatement = this.RULE("toTimeStatement", () => {
    this.CONSUME(K.to);
    this.CONSUME(TimeOfDay);
  });

  public zoneStatement = this.RULE("zoneStatement", () => {
    this.CONSUME(K.zone);
    this.CONSUME(StringLiteral);
  });

  public cutoffStatement = this.RULE("cutoffStatement", () => {
    this.CONSUME(K.cutoff);
    this.SUBRULE(this.duration);
  });

  // ------------------------------------------------------------ connection, checkpoint, method

  public connectionDecl = this.RULE("connectionDecl", () => {
    this.CONSUME(K.connection);
    this.CONSUME(Name);
    this.statementBlock("connection", () => this.SUBRULE(this.connectionStatement));
  });

  public connectionStatement = this.RULE("connectionStatement", () => {
    this.OR((this.orCache["connectionStatement"] ??= {
      IGNORE_AMBIGUITIES: true,
      MAX_LOOKAHEAD: 1,
      DEF: [
        { ALT: () => this.SUBRULE(this.execStatement) },
        { ALT: () => this.SUBRULE(this.probeStatement) },
        { ALT: () => this.CONSUME(Semicolon) },
        { ALT: () => this.SUBRULE(this.unknownStatement, { ARGS: [stops.connection] }) },
      ],
    }));
  });

  public execStatement = this.RULE("execStatement", () => {
    this.CONSUME(K.exec);
    this.SUBRULE(this.stringList);
  });

  public probeStatement = this.RULE("probeStatement", () => {
    this.CONSUME(K.probe);
    this.SUBRULE(this.action);
  });

  public checkpointDecl = this.RULE("checkpointDecl", () => {
    this.CONSUME(K.checkpoint);
    this.CONSUME1(Name);
    this.CONSUME(K.before);
    this.CONSUME2(Name);
    this.statementBlock("checkpoint", () => this.SUBRULE(this.checkpointStatement));
  });

  public checkpointStatement = this.RULE("checkpointStatement", () => {
    this.OR((this.orCache["checkpointStatement"] ??= {
      IGNORE_AMBIGUITIES: true,
      MAX_LOOKAHEAD: 1,
      DEF: [
        { ALT: () => this.SUBRULE(this.runStatement) },
        { ALT: () => this.SUBRULE(this.restoreStatement) },
        { ALT: () => this.SUBRULE(this.noteStatement) },
        { ALT: () => this.CONSUME(Semicolon) },
        { ALT: () => this.SUBRULE(this.unknownStatement, { ARGS: [stops.checkpoint] }) },
      ],
    }));
  });

  public runStatement = this.RULE("runStatement", () => {
    this.CONSUME(K.run);
    this.SUBRULE(this.action);
  });

  public restoreStatement = this.RULE("restoreStatement", () => {
    this.CONSUME(K.restore);
    this.SUBRULE(this.action);
  });

  public noteStatement = this.RULE("noteStatement", () => {
    this.CONSUME(K.note);
    this.CONSUME(StringLiteral);
  });

  // ------------------------------------------------------------ notify

  public notifyDecl = this.RULE("notifyDecl", () => {
    this.CONSUME(K.notify);
    this.CONSUME1(Name);
    this.OPTION(() => {
      this.CONSUME(K.extends);
      this.CONSUME2(Name);
    });
    this.statementBlock("notify", () => this.SUBRULE(this.notifyStatement));
  });

  public notifyStatement = this.RULE("notifyStatement", () => {
    this.OR((this.orCache["notifyStatement"] ??= {
      IGNORE_AMBIGUITIES: true,
      MAX_LOOKAHEAD: 1,
      DEF: [
        { ALT: () => this.SUBRULE(this.eventsStatement) },
        { ALT: () => this.SUBRULE(this.runStatement) },
        { ALT: () => this.SUBRULE(this.varDecl) },
        { ALT: () => this.CONSUME(Semicolon) },
        { ALT: () => this.SUBRULE(this.unknownStatement, { ARGS: [stops.notify] }) },
      ],
    }));
  });

  /** `on run-stopped, run-finished`: the events a notifier fires on. */
  public eventsStatement = this.RULE("eventsStatement", () => {
    this.CONSUME(K.on);
    this.SUBRULE(this.nameList);
  });

  public methodDecl = this.RULE("methodDecl", () => {
    this.CONSUME(K.method);
    this.CONSUME(Name);
    this.statementBlock("method", () => this.SUBRULE(this.methodStatement));
  });

  public methodStatement = this.RULE("methodStatement", () => {
    this.OR((this.orCache["methodStatement"] ??= {
      IGNORE_AMBIGUITIES: true,
      MAX_LOOKAHEAD: 1,
      DEF: [
        { ALT: () => this.SUBRULE(this.varDecl) },
        { ALT: () => this.SUBRULE(this.actionStatement) },
        { ALT: () => this.CONSUME(Semicolon) },
        { ALT: () => this.SUBRULE(this.unknownStatement, { ARGS: [stops.method] }) },
      ],
    }));
  });

  public varDecl = this.RULE("varDecl", () => {
    this.CONSUME(K.var);
    this.CONSUME(Name);
    this.CONSUME(Equals);
    this.OR(this.alts("varDecl", () => [{ ALT: () => this.CONSUME(StringLiteral) }, { ALT: () => this.SUBRULE(this.stringList) }]));
  });

  public actionStatement = this.RULE("actionStatement", () => {
    this.OR(this.alts("actionStatement", () => actionKeywords.map((k) => ({ ALT: () => this.CONSUME(K[k]) }))));
    this.SUBRULE(this.action);
  });

  // ------------------------------------------------------------ service

  public serviceDecl = this.RULE("serviceDecl", () => {
    this.OR(this.alts("serviceDecl", () => [{ ALT: () => this.CONSUME(K.service) }, { ALT: () => this.CONSUME(K.template) }]));
    this.CONSUME1(Name);
    this.OPTION(() => {
      this.CONSUME(K.extends);
      this.CONSUME2(Name);
    });
    this.statementBlock("service", () => this.SUBRULE(this.serviceStatement));
  });

  public serviceStatement = this.RULE("serviceStatement", () => {
    this.OR((this.orCache["serviceStatement"] ??= {
      IGNORE_AMBIGUITIES: true,
      MAX_LOOKAHEAD: 1,
      DEF: [
        { ALT: () => this.SUBRULE(this.onStatement) },
        { ALT: () => this.SUBRULE(this.afterStatement) },
        { ALT: () => this.SUBRULE(this.tagsStatement) },
        { ALT: () => this.SUBRULE(this.planeStatement) },
        { ALT: () => this.SUBRULE(this.deployStatement) },
        { ALT: () => this.SUBRULE(this.connectionRefStatement) },
        { ALT: () => this.SUBRULE(this.varDecl) },
        { ALT: () => this.SUBRULE(this.rollingBlock) },
        { ALT: () => this.SUBRULE(this.maintenanceBlock) },
        { ALT: () => this.SUBRULE(this.evacuateStatement) },
        { ALT: () => this.SUBRULE(this.rebootStatement) },
        { ALT: () => this.SUBRULE(this.windowRefStatement) },
        { ALT: () => this.SUBRULE(this.skewStatement) },
        { ALT: () => this.SUBRULE(this.takesStatement) },
        { ALT: () => this.SUBRULE(this.healthStatement) },
        { ALT: () => this.SUBRULE(this.actionStatement) },
        { ALT: () => this.CONSUME(Semicolon) },
        { ALT: () => this.SUBRULE(this.unknownStatement, { ARGS: [stops.service] }) },
      ],
    }));
  });

  public onStatement = this.RULE("onStatement", () => {
    this.CONSUME(K.on);
    this.SUBRULE(this.hostSelection);
  });

  public afterStatement = this.RULE("afterStatement", () => {
    this.CONSUME(K.after);
    this.SUBRULE(this.nameList);
  });

  public tagsStatement = this.RULE("tagsStatement", () => {
    this.CONSUME(K.tags);
    this.SUBRULE(this.nameList);
  });

  public planeStatement = this.RULE("planeStatement", () => {
    this.CONSUME(K.plane);
    this.nameValue(`planeStatement`);
  });

  public windowRefStatement = this.RULE("windowRefStatement", () => {
    this.CONSUME(K.window);
    this.nameValue(`windowRefStatement`);
  });

  public takesStatement = this.RULE("takesStatement", () => {
    this.CONSUME(K.takes);
    this.SUBRULE(this.duration);
  });

  public skewStatement = this.RULE("skewStatement", () => {
    this.CONSUME(K.skew);
    this.OR(this.alts("skewStatement", () => [{ ALT: () => this.CONSUME(K["needs-new"]) }, { ALT: () => this.CONSUME(K["never-newer-than"]) }]));
    this.SUBRULE(this.nameList);
  });

  public healthStatement = this.RULE("healthStatement", () => {
    this.CONSUME(K.health);
    this.SUBRULE(this.action);
  });

  /** `window` and `takes` of a reboot stay on its line: on the next line they are the service's own. */
  public rebootStatement = this.RULE("rebootStatement", () => {
    this.CONSUME(K.reboot);
    this.OPTION1(() => this.SUBRULE(this.command));
    this.OPTION2(
      (this.dslCache["rebootWindow"] ??= {
        GATE: () => this.onSameLine(),
        DEF: () => {
          this.CONSUME(K.window);
          this.CONSUME(Name);
        },
      }),
    );
    this.OPTION3(
      (this.dslCache["rebootTakes"] ??= {
        GATE: () => this.onSameLine(),
        DEF: () => {
          this.CONSUME(K.takes);
          this.SUBRULE(this.duration);
        },
      }),
    );
    this.OPTION4(() => this.SUBRULE(this.actionOptions));
  });

  private onSameLine(): boolean {
    const previous = this.LA(0);
    const next = this.LA(1);
    return previous.endLine === undefined || next.startLine === previous.endLine;
  }

  public evacuateStatement = this.RULE("evacuateStatement", () => {
    this.CONSUME(K.evacuate);
    this.nameValue(`evacuateStatement`);
    this.MANY(() =>
      this.OR(this.alts("evacuateStatement", () => [
        {
          ALT: () => {
            this.CONSUME(K.concurrency);
            this.CONSUME(Integer);
          },
        },
        {
          ALT: () => {
            this.CONSUME(K.timeout);
            this.SUBRULE(this.duration);
          },
        },
      ])),
    );
    this.OPTION(() => this.SUBRULE(this.evacuateBody));
  });

  public evacuateBody = this.RULE("evacuateBody", () => {
    this.statementBlock("evacuate", () => this.SUBRULE(this.evacuateOption));
  });

  public evacuateOption = this.RULE("evacuateOption", () => {
    this.OR((this.orCache["evacuateOption"] ??= {
      IGNORE_AMBIGUITIES: true,
      MAX_LOOKAHEAD: 1,
      DEF: [
        { ALT: () => this.SUBRULE(this.runStatement) },
        { ALT: () => this.SUBRULE(this.countVarStatement) },
        { ALT: () => this.SUBRULE(this.capacityVarStatement) },
        { ALT: () => this.CONSUME(Semicolon) },
        { ALT: () => this.SUBRULE(this.unknownStatement, { ARGS: [stops.evacuate] }) },
      ],
    }));
  });

  public countVarStatement = this.RULE("countVarStatement", () => {
    this.CONSUME(K["count-var"]);
    this.nameValue(`countVarStatement`);
  });

  public capacityVarStatement = this.RULE("capacityVarStatement", () => {
    this.CONSUME(K["capacity-var"]);
    this.nameValue(`capacityVarStatement`);
  });

  public maintenanceBlock = this.RULE("maintenanceBlock", () => {
    this.CONSUME(K.maintenance);
    this.statementBlock("maintenance", () => this.SUBRULE(this.maintenanceStatement));
  });

  public maintenanceStatement = this.RULE("maintenanceStatement", () => {
    this.OR((this.orCache["maintenanceStatement"] ??= {
      IGNORE_AMBIGUITIES: true,
      MAX_LOOKAHEAD: 1,
      DEF: [
        {
          ALT: () => {
            this.CONSUME(K.enter);
            this.SUBRULE1(this.action);
          },
        },
        {
          ALT: () => {
            this.CONSUME(K.exit);
            this.SUBRULE2(this.action);
          },
        },
        { ALT: () => this.CONSUME(Semicolon) },
        { ALT: () => this.SUBRULE(this.unknownStatement, { ARGS: [stops.maintenance] }) },
      ],
    }));
  });

  // ------------------------------------------------------------ rolling

  public rollingBlock = this.RULE("rollingBlock", () => {
    this.CONSUME(K.rolling);
    this.statementBlock("rolling", () => this.SUBRULE(this.rollingStatement));
  });

  public rollingStatement = this.RULE("rollingStatement", () => {
    this.OR((this.orCache["rollingStatement"] ??= {
      IGNORE_AMBIGUITIES: true,
      MAX_LOOKAHEAD: 1,
      DEF: [
        { ALT: () => this.SUBRULE(this.batchStatement) },
        { ALT: () => this.SUBRULE(this.maxUnavailableStatement) },
        { ALT: () => this.SUBRULE(this.pauseStatement) },
        { ALT: () => this.SUBRULE(this.maxFailuresStatement) },
        { ALT: () => this.SUBRULE(this.orderStatement) },
        { ALT: () => this.SUBRULE(this.deadlineStatement) },
        { ALT: () => this.CONSUME(Semicolon) },
        { ALT: () => this.SUBRULE(this.unknownStatement, { ARGS: [stops.rolling] }) },
      ],
    }));
  });

  public batchStatement = this.RULE("batchStatement", () => {
    this.CONSUME(K.batch);
    this.AT_LEAST_ONE_SEP({ SEP: Comma, DEF: () => this.SUBRULE(this.amount) });
    // `then continuous`: after the ramp, no more barriers.
    this.OPTION(() => {
      this.CONSUME(K.then);
      this.CONSUME(K.continuous);
    });
  });

  public maxUnavailableStatement = this.RULE("maxUnavailableStatement", () => {
    this.CONSUME(K["max-unavailable"]);
    this.SUBRULE(this.amount);
    this.OPTION(() => {
      this.CONSUME(K.per);
      this.CONSUME(Name);
    });
  });

  public pauseStatement = this.RULE("pauseStatement", () => {
    this.CONSUME(K.pause);
    this.SUBRULE(this.duration);
  });

  public maxFailuresStatement = this.RULE("maxFailuresStatement", () => {
    this.CONSUME(K["max-failures"]);
    this.SUBRULE(this.amount);
    this.OPTION1(() => {
      this.CONSUME(K.per);
      this.CONSUME(Name);
    });
    this.OPTION2(() => this.CONSUME(K.cancel));
  });

  public orderStatement = this.RULE("orderStatement", () => {
    this.CONSUME(K.order);
    this.OR((this.orCache["orderStatement"] ??= {
      IGNORE_AMBIGUITIES: true,
      MAX_LOOKAHEAD: 1,
      DEF: [
        {
          ALT: () => {
            this.CONSUME(K.by);
            this.CONSUME1(Name);
          },
        },
        { ALT: () => this.CONSUME2(Name) },
      ],
    }));
  });

  public deadlineStatement = this.RULE("deadlineStatement", () => {
    this.CONSUME(K.deadline);
    this.SUBRULE(this.duration);
    this.OPTION(() => {
      this.CONSUME(K["on-deadline"]);
      this.CONSUME(Name);
    });
  });

  // ------------------------------------------------------------ actions

  /** A command and, optionally, its options. */
  public action = this.RULE("action", () => {
    this.SUBRULE(this.command);
    this.OPTION(() => this.SUBRULE(this.actionOptions));
  });

  public command = this.RULE("command", () => {
    this.OR(this.alts("command", () => [
      { ALT: () => this.SUBRULE(this.stringList) },
      {
        ALT: () => {
          this.CONSUME(K.shell);
          this.CONSUME1(StringLiteral);
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.uses);
          this.CONSUME2(StringLiteral);
        },
      },
    ]));
  });

  public actionOptions = this.RULE("actionOptions", () => {
    this.statementBlock("options", () => this.SUBRULE(this.actionOption));
  });

  public actionOption = this.RULE("actionOption", () => {
    this.OR((this.orCache["actionOption"] ??= {
      IGNORE_AMBIGUITIES: true,
      MAX_LOOKAHEAD: 1,
      DEF: [
        { ALT: () => this.SUBRULE(this.takesStatement) },
        { ALT: () => this.SUBRULE(this.durationOption) },
        { ALT: () => this.SUBRULE(this.retriesOption) },
        { ALT: () => this.SUBRULE(this.envBlock) },
        { ALT: () => this.SUBRULE(this.cwdOption) },
        { ALT: () => this.SUBRULE(this.doneOption) },
        { ALT: () => this.SUBRULE(this.undoOption) },
        { ALT: () => this.CONSUME(K.once) },
        { ALT: () => this.SUBRULE(this.onDeadlineOption) },
        { ALT: () => this.CONSUME(Semicolon) },
        { ALT: () => this.SUBRULE(this.unknownStatement, { ARGS: [stops.options] }) },
      ],
    }));
  });

  /** `timeout 20m`, `grace 10s`, `backoff 30s`, and a health check's `every`, `within`, `healthy-for`. */
  public durationOption = this.RULE("durationOption", () => {
    this.OR(this.alts("durationOption", () => [
      { ALT: () => this.CONSUME(K.timeout) },
      { ALT: () => this.CONSUME(K.grace) },
      { ALT: () => this.CONSUME(K.backoff) },
      { ALT: () => this.CONSUME(K.every) },
      { ALT: () => this.CONSUME(K.within) },
      { ALT: () => this.CONSUME(K["healthy-for"]) },
    ]));
    this.SUBRULE(this.duration);
  });

  public retriesOption = this.RULE("retriesOption", () => {
    this.CONSUME(K.retries);
    this.CONSUME(Integer);
  });

  public envBlock = this.RULE("envBlock", () => {
    this.CONSUME(K.env);
    this.CONSUME(LCurly);
    this.MANY(() => this.SUBRULE(this.envEntry));
    this.CONSUME(RCurly);
  });

  public envEntry = this.RULE("envEntry", () => {
    this.CONSUME(Name);
    this.CONSUME(Equals);
    this.CONSUME(StringLiteral);
  });

  public cwdOption = this.RULE("cwdOption", () => {
    this.CONSUME(K.cwd);
    this.CONSUME(StringLiteral);
  });

  public doneOption = this.RULE("doneOption", () => {
    this.CONSUME(K.done);
    this.SUBRULE(this.command);
  });

  public undoOption = this.RULE("undoOption", () => {
    this.CONSUME(K.undo);
    this.OR(this.alts("undoOption", () => [{ ALT: () => this.CONSUME(K.irreversible) }, { ALT: () => this.SUBRULE(this.command) }]));
  });

  public onDeadlineOption = this.RULE("onDeadlineOption", () => {
    this.CONSUME(K["on-deadline"]);
    this.CONSUME(Name);
  });

  // ------------------------------------------------------------ values

  public stringList = this.RULE("stringList", () => {
    this.CONSUME(LBracket);
    this.OPTION1(() => {
      this.CONSUME1(StringLiteral);
      this.MANY(() => {
        this.CONSUME1(Comma);
        this.CONSUME2(StringLiteral);
      });
      this.OPTION2(() => this.CONSUME2(Comma));
    });
    this.CONSUME(RBracket);
  });

  public nameList = this.RULE("nameList", () => {
    this.nameValue("nameList");
    this.MANY(() => {
      this.CONSUME(Comma);
      this.CONSUME(Name);
    });
  });

  public hostSelection = this.RULE("hostSelection", () => {
    this.OR1((this.altCache["hostSelection"] ??= [{ ALT: () => this.CONSUME1(HostRange) }, { GATE: () => this.valueFollows(), ALT: () => this.CONSUME1(Name) }]));
    this.MANY(() => {
      this.CONSUME(Comma);
      this.OR2(this.alts("hostSelection2", () => [{ ALT: () => this.CONSUME2(HostRange) }, { ALT: () => this.CONSUME2(Name) }]));
    });
  });

  public amount = this.RULE("amount", () => {
    this.OR(this.alts("amount", () => [{ ALT: () => this.CONSUME(Integer) }, { ALT: () => this.CONSUME(Percent) }]));
  });

  /** A bare integer is accepted here only to say that it needs a unit. */
  public duration = this.RULE("duration", () => {
    this.OR(this.alts("duration", () => [{ ALT: () => this.CONSUME(Duration) }, { ALT: () => this.CONSUME(Integer) }]));
  });
}

let parser: UpgParser | undefined;

/**
 * The one parser instance, made when it is first needed: reset for each input by setting
 * `input`. Its self-analysis takes some 40 ms, which the verbs that read only a plan file
 * (run, status, verify) never need.
 */
export function upgParser(): UpgParser {
  return (parser ??= new UpgParser());
}
