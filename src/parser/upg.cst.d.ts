// GENERATED from src/parser/grammar.ts by `npx tsx grammar/generate.ts`; do not edit.
import type { CstNode, ICstVisitor, IToken } from "chevrotain";

export interface FileCstNode extends CstNode {
  name: "file";
  children: FileCstChildren;
}

export type FileCstChildren = {
  topStatement?: TopStatementCstNode[];
};

export interface TopStatementCstNode extends CstNode {
  name: "topStatement";
  children: TopStatementCstChildren;
}

export type TopStatementCstChildren = {
  planDecl?: PlanDeclCstNode[];
  useDecl?: UseDeclCstNode[];
  inventoryDecl?: InventoryDeclCstNode[];
  factsDecl?: FactsDeclCstNode[];
  hostsDecl?: HostsDeclCstNode[];
  windowDecl?: WindowDeclCstNode[];
  secretDecl?: SecretDeclCstNode[];
  connectionDecl?: ConnectionDeclCstNode[];
  checkpointDecl?: CheckpointDeclCstNode[];
  notifyDecl?: NotifyDeclCstNode[];
  serviceDecl?: ServiceDeclCstNode[];
  methodDecl?: MethodDeclCstNode[];
  Semicolon?: IToken[];
  RCurly?: IToken[];
  unknownStatement?: UnknownStatementCstNode[];
};

export interface UnknownStatementCstNode extends CstNode {
  name: "unknownStatement";
  children: UnknownStatementCstChildren;
}

export type UnknownStatementCstChildren = {
  AnyToken?: (IToken)[];
  skippedBlock?: (SkippedBlockCstNode)[];
};

export interface SkippedBlockCstNode extends CstNode {
  name: "skippedBlock";
  children: SkippedBlockCstChildren;
}

export type SkippedBlockCstChildren = {
  LCurly?: IToken[];
  AnyToken?: IToken[];
  skippedBlock?: SkippedBlockCstNode[];
  RCurly?: IToken[];
};

export interface PlanDeclCstNode extends CstNode {
  name: "planDecl";
  children: PlanDeclCstChildren;
}

export type PlanDeclCstChildren = {
  KwPlan?: IToken[];
  StringLiteral?: IToken[];
  LCurly?: IToken[];
  planStatement?: PlanStatementCstNode[];
  RCurly?: IToken[];
};

export interface PlanStatementCstNode extends CstNode {
  name: "planStatement";
  children: PlanStatementCstChildren;
}

export type PlanStatementCstChildren = {
  kindStatement?: KindStatementCstNode[];
  KwUrgent?: IToken[];
  fromVersionStatement?: FromVersionStatementCstNode[];
  toVersionStatement?: ToVersionStatementCstNode[];
  startStatement?: StartStatementCstNode[];
  parallelismStatement?: ParallelismStatementCstNode[];
  deployStatement?: DeployStatementCstNode[];
  connectionRefStatement?: ConnectionRefStatementCstNode[];
  Semicolon?: IToken[];
  unknownStatement?: UnknownStatementCstNode[];
};

export interface KindStatementCstNode extends CstNode {
  name: "kindStatement";
  children: KindStatementCstChildren;
}

export type KindStatementCstChildren = {
  KwKind?: IToken[];
  Name?: IToken[];
};

export interface FromVersionStatementCstNode extends CstNode {
  name: "fromVersionStatement";
  children: FromVersionStatementCstChildren;
}

export type FromVersionStatementCstChildren = {
  KwFrom?: IToken[];
  StringLiteral?: IToken[];
};

export interface ToVersionStatementCstNode extends CstNode {
  name: "toVersionStatement";
  children: ToVersionStatementCstChildren;
}

export type ToVersionStatementCstChildren = {
  KwTo?: IToken[];
  StringLiteral?: IToken[];
};

export interface StartStatementCstNode extends CstNode {
  name: "startStatement";
  children: StartStatementCstChildren;
}

export type StartStatementCstChildren = {
  KwStart?: IToken[];
  DateTime?: IToken[];
  StringLiteral?: IToken[];
};

export interface ParallelismStatementCstNode extends CstNode {
  name: "parallelismStatement";
  children: ParallelismStatementCstChildren;
}

export type ParallelismStatementCstChildren = {
  KwParallelism?: IToken[];
  Integer?: IToken[];
};

export interface DeployStatementCstNode extends CstNode {
  name: "deployStatement";
  children: DeployStatementCstChildren;
}

export type DeployStatementCstChildren = {
  KwDeploy?: IToken[];
  Name?: IToken[];
};

export interface ConnectionRefStatementCstNode extends CstNode {
  name: "connectionRefStatement";
  children: ConnectionRefStatementCstChildren;
}

export type ConnectionRefStatementCstChildren = {
  KwConnection?: IToken[];
  Name?: IToken[];
};

export interface UseDeclCstNode extends CstNode {
  name: "useDecl";
  children: UseDeclCstChildren;
}

export type UseDeclCstChildren = {
  KwUse?: IToken[];
  Name?: (IToken)[];
  StringLiteral?: IToken[];
  KwAs?: IToken[];
};

export interface InventoryDeclCstNode extends CstNode {
  name: "inventoryDecl";
  children: InventoryDeclCstChildren;
}

export type InventoryDeclCstChildren = {
  KwInventory?: IToken[];
  StringLiteral?: IToken[];
};

export interface FactsDeclCstNode extends CstNode {
  name: "factsDecl";
  children: FactsDeclCstChildren;
}

export type FactsDeclCstChildren = {
  KwFacts?: IToken[];
  StringLiteral?: IToken[];
};

export interface HostsDeclCstNode extends CstNode {
  name: "hostsDecl";
  children: HostsDeclCstChildren;
}

export type HostsDeclCstChildren = {
  KwHosts?: IToken[];
  Name?: IToken[];
  Equals?: IToken[];
  hostSelection?: HostSelectionCstNode[];
};

export interface SecretDeclCstNode extends CstNode {
  name: "secretDecl";
  children: SecretDeclCstChildren;
}

export type SecretDeclCstChildren = {
  KwSecret?: IToken[];
  Name?: IToken[];
  KwEnv?: IToken[];
  KwFile?: IToken[];
  StringLiteral?: IToken[];
};

export interface WindowDeclCstNode extends CstNode {
  name: "windowDecl";
  children: WindowDeclCstChildren;
}

export type WindowDeclCstChildren = {
  KwWindow?: IToken[];
  Name?: IToken[];
  LCurly?: IToken[];
  windowStatement?: WindowStatementCstNode[];
  RCurly?: IToken[];
};

export interface WindowStatementCstNode extends CstNode {
  name: "windowStatement";
  children: WindowStatementCstChildren;
}

export type WindowStatementCstChildren = {
  daysStatement?: DaysStatementCstNode[];
  fromTimeStatement?: FromTimeStatementCstNode[];
  toTimeStatement?: ToTimeStatementCstNode[];
  zoneStatement?: ZoneStatementCstNode[];
  cutoffStatement?: CutoffStatementCstNode[];
  Semicolon?: IToken[];
  unknownStatement?: UnknownStatementCstNode[];
};

export interface DaysStatementCstNode extends CstNode {
  name: "daysStatement";
  children: DaysStatementCstChildren;
}

export type DaysStatementCstChildren = {
  KwDays?: IToken[];
  dayRange?: DayRangeCstNode[];
  Comma?: IToken[];
};

export interface DayRangeCstNode extends CstNode {
  name: "dayRange";
  children: DayRangeCstChildren;
}

export type DayRangeCstChildren = {
  Name?: (IToken)[];
  DotDot?: IToken[];
};

export interface FromTimeStatementCstNode extends CstNode {
  name: "fromTimeStatement";
  children: FromTimeStatementCstChildren;
}

export type FromTimeStatementCstChildren = {
  KwFrom?: IToken[];
  TimeOfDay?: IToken[];
};

export interface ToTimeStatementCstNode extends CstNode {
  name: "toTimeStatement";
  children: ToTimeStatementCstChildren;
}

export type ToTimeStatementCstChildren = {
  KwTo?: IToken[];
  TimeOfDay?: IToken[];
};

export interface ZoneStatementCstNode extends CstNode {
  name: "zoneStatement";
  children: ZoneStatementCstChildren;
}

export type ZoneStatementCstChildren = {
  KwZone?: IToken[];
  StringLiteral?: IToken[];
};

export interface CutoffStatementCstNode extends CstNode {
  name: "cutoffStatement";
  children: CutoffStatementCstChildren;
}

export type CutoffStatementCstChildren = {
  KwCutoff?: IToken[];
  duration?: DurationCstNode[];
};

export interface ConnectionDeclCstNode extends CstNode {
  name: "connectionDecl";
  children: ConnectionDeclCstChildren;
}

export type ConnectionDeclCstChildren = {
  KwConnection?: IToken[];
  Name?: IToken[];
  LCurly?: IToken[];
  connectionStatement?: ConnectionStatementCstNode[];
  RCurly?: IToken[];
};

export interface ConnectionStatementCstNode extends CstNode {
  name: "connectionStatement";
  children: ConnectionStatementCstChildren;
}

export type ConnectionStatementCstChildren = {
  execStatement?: ExecStatementCstNode[];
  probeStatement?: ProbeStatementCstNode[];
  Semicolon?: IToken[];
  unknownStatement?: UnknownStatementCstNode[];
};

export interface ExecStatementCstNode extends CstNode {
  name: "execStatement";
  children: ExecStatementCstChildren;
}

export type ExecStatementCstChildren = {
  KwExec?: IToken[];
  stringList?: StringListCstNode[];
};

export interface ProbeStatementCstNode extends CstNode {
  name: "probeStatement";
  children: ProbeStatementCstChildren;
}

export type ProbeStatementCstChildren = {
  KwProbe?: IToken[];
  action?: ActionCstNode[];
};

export interface CheckpointDeclCstNode extends CstNode {
  name: "checkpointDecl";
  children: CheckpointDeclCstChildren;
}

export type CheckpointDeclCstChildren = {
  KwCheckpoint?: IToken[];
  Name?: (IToken)[];
  KwBefore?: IToken[];
  LCurly?: IToken[];
  checkpointStatement?: CheckpointStatementCstNode[];
  RCurly?: IToken[];
};

export interface CheckpointStatementCstNode extends CstNode {
  name: "checkpointStatement";
  children: CheckpointStatementCstChildren;
}

export type CheckpointStatementCstChildren = {
  runStatement?: RunStatementCstNode[];
  restoreStatement?: RestoreStatementCstNode[];
  noteStatement?: NoteStatementCstNode[];
  Semicolon?: IToken[];
  unknownStatement?: UnknownStatementCstNode[];
};

export interface RunStatementCstNode extends CstNode {
  name: "runStatement";
  children: RunStatementCstChildren;
}

export type RunStatementCstChildren = {
  KwRun?: IToken[];
  action?: ActionCstNode[];
};

export interface RestoreStatementCstNode extends CstNode {
  name: "restoreStatement";
  children: RestoreStatementCstChildren;
}

export type RestoreStatementCstChildren = {
  KwRestore?: IToken[];
  action?: ActionCstNode[];
};

export interface NoteStatementCstNode extends CstNode {
  name: "noteStatement";
  children: NoteStatementCstChildren;
}

export type NoteStatementCstChildren = {
  KwNote?: IToken[];
  StringLiteral?: IToken[];
};

export interface NotifyDeclCstNode extends CstNode {
  name: "notifyDecl";
  children: NotifyDeclCstChildren;
}

export type NotifyDeclCstChildren = {
  KwNotify?: IToken[];
  Name?: (IToken)[];
  KwExtends?: IToken[];
  LCurly?: IToken[];
  notifyStatement?: NotifyStatementCstNode[];
  RCurly?: IToken[];
};

export interface NotifyStatementCstNode extends CstNode {
  name: "notifyStatement";
  children: NotifyStatementCstChildren;
}

export type NotifyStatementCstChildren = {
  eventsStatement?: EventsStatementCstNode[];
  runStatement?: RunStatementCstNode[];
  varDecl?: VarDeclCstNode[];
  Semicolon?: IToken[];
  unknownStatement?: UnknownStatementCstNode[];
};

export interface EventsStatementCstNode extends CstNode {
  name: "eventsStatement";
  children: EventsStatementCstChildren;
}

export type EventsStatementCstChildren = {
  KwOn?: IToken[];
  nameList?: NameListCstNode[];
};

export interface MethodDeclCstNode extends CstNode {
  name: "methodDecl";
  children: MethodDeclCstChildren;
}

export type MethodDeclCstChildren = {
  KwMethod?: IToken[];
  Name?: IToken[];
  LCurly?: IToken[];
  methodStatement?: MethodStatementCstNode[];
  RCurly?: IToken[];
};

export interface MethodStatementCstNode extends CstNode {
  name: "methodStatement";
  children: MethodStatementCstChildren;
}

export type MethodStatementCstChildren = {
  varDecl?: VarDeclCstNode[];
  actionStatement?: ActionStatementCstNode[];
  Semicolon?: IToken[];
  unknownStatement?: UnknownStatementCstNode[];
};

export interface VarDeclCstNode extends CstNode {
  name: "varDecl";
  children: VarDeclCstChildren;
}

export type VarDeclCstChildren = {
  KwVar?: IToken[];
  Name?: IToken[];
  Equals?: IToken[];
  StringLiteral?: IToken[];
  stringList?: StringListCstNode[];
};

export interface ActionStatementCstNode extends CstNode {
  name: "actionStatement";
  children: ActionStatementCstChildren;
}

export type ActionStatementCstChildren = {
  KwPrecheck?: IToken[];
  KwExpand?: IToken[];
  KwMigrate?: IToken[];
  KwContract?: IToken[];
  KwPin?: IToken[];
  KwUnpin?: IToken[];
  KwCleanup?: IToken[];
  KwPostcheck?: IToken[];
  KwStop?: IToken[];
  KwUpgrade?: IToken[];
  KwReboot?: IToken[];
  KwStart?: IToken[];
  KwRollback?: IToken[];
  KwVersion?: IToken[];
  action?: ActionCstNode[];
};

export interface ServiceDeclCstNode extends CstNode {
  name: "serviceDecl";
  children: ServiceDeclCstChildren;
}

export type ServiceDeclCstChildren = {
  KwService?: IToken[];
  KwTemplate?: IToken[];
  Name?: (IToken)[];
  KwExtends?: IToken[];
  LCurly?: IToken[];
  serviceStatement?: ServiceStatementCstNode[];
  RCurly?: IToken[];
};

export interface ServiceStatementCstNode extends CstNode {
  name: "serviceStatement";
  children: ServiceStatementCstChildren;
}

export type ServiceStatementCstChildren = {
  onStatement?: OnStatementCstNode[];
  afterStatement?: AfterStatementCstNode[];
  tagsStatement?: TagsStatementCstNode[];
  planeStatement?: PlaneStatementCstNode[];
  deployStatement?: DeployStatementCstNode[];
  connectionRefStatement?: ConnectionRefStatementCstNode[];
  varDecl?: VarDeclCstNode[];
  rollingBlock?: RollingBlockCstNode[];
  maintenanceBlock?: MaintenanceBlockCstNode[];
  evacuateStatement?: EvacuateStatementCstNode[];
  rebootStatement?: RebootStatementCstNode[];
  windowRefStatement?: WindowRefStatementCstNode[];
  skewStatement?: SkewStatementCstNode[];
  takesStatement?: TakesStatementCstNode[];
  healthStatement?: HealthStatementCstNode[];
  actionStatement?: ActionStatementCstNode[];
  Semicolon?: IToken[];
  unknownStatement?: UnknownStatementCstNode[];
};

export interface OnStatementCstNode extends CstNode {
  name: "onStatement";
  children: OnStatementCstChildren;
}

export type OnStatementCstChildren = {
  KwOn?: IToken[];
  hostSelection?: HostSelectionCstNode[];
};

export interface AfterStatementCstNode extends CstNode {
  name: "afterStatement";
  children: AfterStatementCstChildren;
}

export type AfterStatementCstChildren = {
  KwAfter?: IToken[];
  nameList?: NameListCstNode[];
};

export interface TagsStatementCstNode extends CstNode {
  name: "tagsStatement";
  children: TagsStatementCstChildren;
}

export type TagsStatementCstChildren = {
  KwTags?: IToken[];
  nameList?: NameListCstNode[];
};

export interface PlaneStatementCstNode extends CstNode {
  name: "planeStatement";
  children: PlaneStatementCstChildren;
}

export type PlaneStatementCstChildren = {
  KwPlane?: IToken[];
  Name?: IToken[];
};

export interface WindowRefStatementCstNode extends CstNode {
  name: "windowRefStatement";
  children: WindowRefStatementCstChildren;
}

export type WindowRefStatementCstChildren = {
  KwWindow?: IToken[];
  Name?: IToken[];
};

export interface TakesStatementCstNode extends CstNode {
  name: "takesStatement";
  children: TakesStatementCstChildren;
}

export type TakesStatementCstChildren = {
  KwTakes?: IToken[];
  duration?: DurationCstNode[];
};

export interface SkewStatementCstNode extends CstNode {
  name: "skewStatement";
  children: SkewStatementCstChildren;
}

export type SkewStatementCstChildren = {
  KwSkew?: IToken[];
  KwNeedsNew?: IToken[];
  KwNeverNewerThan?: IToken[];
  nameList?: NameListCstNode[];
};

export interface HealthStatementCstNode extends CstNode {
  name: "healthStatement";
  children: HealthStatementCstChildren;
}

export type HealthStatementCstChildren = {
  KwHealth?: IToken[];
  action?: ActionCstNode[];
};

export interface RebootStatementCstNode extends CstNode {
  name: "rebootStatement";
  children: RebootStatementCstChildren;
}

export type RebootStatementCstChildren = {
  KwReboot?: IToken[];
  command?: CommandCstNode[];
  KwWindow?: IToken[];
  Name?: IToken[];
  KwTakes?: IToken[];
  duration?: DurationCstNode[];
  actionOptions?: ActionOptionsCstNode[];
};

export interface EvacuateStatementCstNode extends CstNode {
  name: "evacuateStatement";
  children: EvacuateStatementCstChildren;
}

export type EvacuateStatementCstChildren = {
  KwEvacuate?: IToken[];
  Name?: IToken[];
  KwConcurrency?: IToken[];
  Integer?: IToken[];
  KwTimeout?: IToken[];
  duration?: DurationCstNode[];
  evacuateBody?: EvacuateBodyCstNode[];
};

export interface EvacuateBodyCstNode extends CstNode {
  name: "evacuateBody";
  children: EvacuateBodyCstChildren;
}

export type EvacuateBodyCstChildren = {
  LCurly?: IToken[];
  evacuateOption?: EvacuateOptionCstNode[];
  RCurly?: IToken[];
};

export interface EvacuateOptionCstNode extends CstNode {
  name: "evacuateOption";
  children: EvacuateOptionCstChildren;
}

export type EvacuateOptionCstChildren = {
  runStatement?: RunStatementCstNode[];
  countVarStatement?: CountVarStatementCstNode[];
  capacityVarStatement?: CapacityVarStatementCstNode[];
  Semicolon?: IToken[];
  unknownStatement?: UnknownStatementCstNode[];
};

export interface CountVarStatementCstNode extends CstNode {
  name: "countVarStatement";
  children: CountVarStatementCstChildren;
}

export type CountVarStatementCstChildren = {
  KwCountVar?: IToken[];
  Name?: IToken[];
};

export interface CapacityVarStatementCstNode extends CstNode {
  name: "capacityVarStatement";
  children: CapacityVarStatementCstChildren;
}

export type CapacityVarStatementCstChildren = {
  KwCapacityVar?: IToken[];
  Name?: IToken[];
};

export interface MaintenanceBlockCstNode extends CstNode {
  name: "maintenanceBlock";
  children: MaintenanceBlockCstChildren;
}

export type MaintenanceBlockCstChildren = {
  KwMaintenance?: IToken[];
  LCurly?: IToken[];
  maintenanceStatement?: MaintenanceStatementCstNode[];
  RCurly?: IToken[];
};

export interface MaintenanceStatementCstNode extends CstNode {
  name: "maintenanceStatement";
  children: MaintenanceStatementCstChildren;
}

export type MaintenanceStatementCstChildren = {
  KwEnter?: IToken[];
  action?: (ActionCstNode)[];
  KwExit?: IToken[];
  Semicolon?: IToken[];
  unknownStatement?: UnknownStatementCstNode[];
};

export interface RollingBlockCstNode extends CstNode {
  name: "rollingBlock";
  children: RollingBlockCstChildren;
}

export type RollingBlockCstChildren = {
  KwRolling?: IToken[];
  LCurly?: IToken[];
  rollingStatement?: RollingStatementCstNode[];
  RCurly?: IToken[];
};

export interface RollingStatementCstNode extends CstNode {
  name: "rollingStatement";
  children: RollingStatementCstChildren;
}

export type RollingStatementCstChildren = {
  batchStatement?: BatchStatementCstNode[];
  maxUnavailableStatement?: MaxUnavailableStatementCstNode[];
  pauseStatement?: PauseStatementCstNode[];
  maxFailuresStatement?: MaxFailuresStatementCstNode[];
  orderStatement?: OrderStatementCstNode[];
  deadlineStatement?: DeadlineStatementCstNode[];
  Semicolon?: IToken[];
  unknownStatement?: UnknownStatementCstNode[];
};

export interface BatchStatementCstNode extends CstNode {
  name: "batchStatement";
  children: BatchStatementCstChildren;
}

export type BatchStatementCstChildren = {
  KwBatch?: IToken[];
  amount?: AmountCstNode[];
  Comma?: IToken[];
  KwThen?: IToken[];
  KwContinuous?: IToken[];
};

export interface MaxUnavailableStatementCstNode extends CstNode {
  name: "maxUnavailableStatement";
  children: MaxUnavailableStatementCstChildren;
}

export type MaxUnavailableStatementCstChildren = {
  KwMaxUnavailable?: IToken[];
  amount?: AmountCstNode[];
  KwPer?: IToken[];
  Name?: IToken[];
};

export interface PauseStatementCstNode extends CstNode {
  name: "pauseStatement";
  children: PauseStatementCstChildren;
}

export type PauseStatementCstChildren = {
  KwPause?: IToken[];
  duration?: DurationCstNode[];
};

export interface MaxFailuresStatementCstNode extends CstNode {
  name: "maxFailuresStatement";
  children: MaxFailuresStatementCstChildren;
}

export type MaxFailuresStatementCstChildren = {
  KwMaxFailures?: IToken[];
  amount?: AmountCstNode[];
  KwPer?: IToken[];
  Name?: IToken[];
  KwCancel?: IToken[];
};

export interface OrderStatementCstNode extends CstNode {
  name: "orderStatement";
  children: OrderStatementCstChildren;
}

export type OrderStatementCstChildren = {
  KwOrder?: IToken[];
  KwBy?: IToken[];
  Name?: (IToken)[];
};

export interface DeadlineStatementCstNode extends CstNode {
  name: "deadlineStatement";
  children: DeadlineStatementCstChildren;
}

export type DeadlineStatementCstChildren = {
  KwDeadline?: IToken[];
  duration?: DurationCstNode[];
  KwOnDeadline?: IToken[];
  Name?: IToken[];
};

export interface ActionCstNode extends CstNode {
  name: "action";
  children: ActionCstChildren;
}

export type ActionCstChildren = {
  command?: CommandCstNode[];
  actionOptions?: ActionOptionsCstNode[];
};

export interface CommandCstNode extends CstNode {
  name: "command";
  children: CommandCstChildren;
}

export type CommandCstChildren = {
  stringList?: StringListCstNode[];
  KwShell?: IToken[];
  StringLiteral?: (IToken)[];
  KwUses?: IToken[];
};

export interface ActionOptionsCstNode extends CstNode {
  name: "actionOptions";
  children: ActionOptionsCstChildren;
}

export type ActionOptionsCstChildren = {
  LCurly?: IToken[];
  actionOption?: ActionOptionCstNode[];
  RCurly?: IToken[];
};

export interface ActionOptionCstNode extends CstNode {
  name: "actionOption";
  children: ActionOptionCstChildren;
}

export type ActionOptionCstChildren = {
  takesStatement?: TakesStatementCstNode[];
  durationOption?: DurationOptionCstNode[];
  retriesOption?: RetriesOptionCstNode[];
  envBlock?: EnvBlockCstNode[];
  cwdOption?: CwdOptionCstNode[];
  doneOption?: DoneOptionCstNode[];
  undoOption?: UndoOptionCstNode[];
  KwOnce?: IToken[];
  onDeadlineOption?: OnDeadlineOptionCstNode[];
  Semicolon?: IToken[];
  unknownStatement?: UnknownStatementCstNode[];
};

export interface DurationOptionCstNode extends CstNode {
  name: "durationOption";
  children: DurationOptionCstChildren;
}

export type DurationOptionCstChildren = {
  KwTimeout?: IToken[];
  KwGrace?: IToken[];
  KwBackoff?: IToken[];
  KwEvery?: IToken[];
  KwWithin?: IToken[];
  KwHealthyFor?: IToken[];
  duration?: DurationCstNode[];
};

export interface RetriesOptionCstNode extends CstNode {
  name: "retriesOption";
  children: RetriesOptionCstChildren;
}

export type RetriesOptionCstChildren = {
  KwRetries?: IToken[];
  Integer?: IToken[];
};

export interface EnvBlockCstNode extends CstNode {
  name: "envBlock";
  children: EnvBlockCstChildren;
}

export type EnvBlockCstChildren = {
  KwEnv?: IToken[];
  LCurly?: IToken[];
  envEntry?: EnvEntryCstNode[];
  RCurly?: IToken[];
};

export interface EnvEntryCstNode extends CstNode {
  name: "envEntry";
  children: EnvEntryCstChildren;
}

export type EnvEntryCstChildren = {
  Name?: IToken[];
  Equals?: IToken[];
  StringLiteral?: IToken[];
};

export interface CwdOptionCstNode extends CstNode {
  name: "cwdOption";
  children: CwdOptionCstChildren;
}

export type CwdOptionCstChildren = {
  KwCwd?: IToken[];
  StringLiteral?: IToken[];
};

export interface DoneOptionCstNode extends CstNode {
  name: "doneOption";
  children: DoneOptionCstChildren;
}

export type DoneOptionCstChildren = {
  KwDone?: IToken[];
  command?: CommandCstNode[];
};

export interface UndoOptionCstNode extends CstNode {
  name: "undoOption";
  children: UndoOptionCstChildren;
}

export type UndoOptionCstChildren = {
  KwUndo?: IToken[];
  KwIrreversible?: IToken[];
  command?: CommandCstNode[];
};

export interface OnDeadlineOptionCstNode extends CstNode {
  name: "onDeadlineOption";
  children: OnDeadlineOptionCstChildren;
}

export type OnDeadlineOptionCstChildren = {
  KwOnDeadline?: IToken[];
  Name?: IToken[];
};

export interface StringListCstNode extends CstNode {
  name: "stringList";
  children: StringListCstChildren;
}

export type StringListCstChildren = {
  LBracket?: IToken[];
  StringLiteral?: (IToken)[];
  Comma?: (IToken)[];
  RBracket?: IToken[];
};

export interface NameListCstNode extends CstNode {
  name: "nameList";
  children: NameListCstChildren;
}

export type NameListCstChildren = {
  Name?: (IToken)[];
  Comma?: IToken[];
};

export interface HostSelectionCstNode extends CstNode {
  name: "hostSelection";
  children: HostSelectionCstChildren;
}

export type HostSelectionCstChildren = {
  HostRange?: (IToken)[];
  Name?: (IToken)[];
  Comma?: IToken[];
};

export interface AmountCstNode extends CstNode {
  name: "amount";
  children: AmountCstChildren;
}

export type AmountCstChildren = {
  Integer?: IToken[];
  Percent?: IToken[];
};

export interface DurationCstNode extends CstNode {
  name: "duration";
  children: DurationCstChildren;
}

export type DurationCstChildren = {
  Duration?: IToken[];
  Integer?: IToken[];
};

export interface UpgCstVisitor<IN, OUT> extends ICstVisitor<IN, OUT> {
  file(children: FileCstChildren, param?: IN): OUT;
  topStatement(children: TopStatementCstChildren, param?: IN): OUT;
  unknownStatement(children: UnknownStatementCstChildren, param?: IN): OUT;
  skippedBlock(children: SkippedBlockCstChildren, param?: IN): OUT;
  planDecl(children: PlanDeclCstChildren, param?: IN): OUT;
  planStatement(children: PlanStatementCstChildren, param?: IN): OUT;
  kindStatement(children: KindStatementCstChildren, param?: IN): OUT;
  fromVersionStatement(children: FromVersionStatementCstChildren, param?: IN): OUT;
  toVersionStatement(children: ToVersionStatementCstChildren, param?: IN): OUT;
  startStatement(children: StartStatementCstChildren, param?: IN): OUT;
  parallelismStatement(children: ParallelismStatementCstChildren, param?: IN): OUT;
  deployStatement(children: DeployStatementCstChildren, param?: IN): OUT;
  connectionRefStatement(children: ConnectionRefStatementCstChildren, param?: IN): OUT;
  useDecl(children: UseDeclCstChildren, param?: IN): OUT;
  inventoryDecl(children: InventoryDeclCstChildren, param?: IN): OUT;
  factsDecl(children: FactsDeclCstChildren, param?: IN): OUT;
  hostsDecl(children: HostsDeclCstChildren, param?: IN): OUT;
  secretDecl(children: SecretDeclCstChildren, param?: IN): OUT;
  windowDecl(children: WindowDeclCstChildren, param?: IN): OUT;
  windowStatement(children: WindowStatementCstChildren, param?: IN): OUT;
  daysStatement(children: DaysStatementCstChildren, param?: IN): OUT;
  dayRange(children: DayRangeCstChildren, param?: IN): OUT;
  fromTimeStatement(children: FromTimeStatementCstChildren, param?: IN): OUT;
  toTimeStatement(children: ToTimeStatementCstChildren, param?: IN): OUT;
  zoneStatement(children: ZoneStatementCstChildren, param?: IN): OUT;
  cutoffStatement(children: CutoffStatementCstChildren, param?: IN): OUT;
  connectionDecl(children: ConnectionDeclCstChildren, param?: IN): OUT;
  connectionStatement(children: ConnectionStatementCstChildren, param?: IN): OUT;
  execStatement(children: ExecStatementCstChildren, param?: IN): OUT;
  probeStatement(children: ProbeStatementCstChildren, param?: IN): OUT;
  checkpointDecl(children: CheckpointDeclCstChildren, param?: IN): OUT;
  checkpointStatement(children: CheckpointStatementCstChildren, param?: IN): OUT;
  runStatement(children: RunStatementCstChildren, param?: IN): OUT;
  restoreStatement(children: RestoreStatementCstChildren, param?: IN): OUT;
  noteStatement(children: NoteStatementCstChildren, param?: IN): OUT;
  notifyDecl(children: NotifyDeclCstChildren, param?: IN): OUT;
  notifyStatement(children: NotifyStatementCstChildren, param?: IN): OUT;
  eventsStatement(children: EventsStatementCstChildren, param?: IN): OUT;
  methodDecl(children: MethodDeclCstChildren, param?: IN): OUT;
  methodStatement(children: MethodStatementCstChildren, param?: IN): OUT;
  varDecl(children: VarDeclCstChildren, param?: IN): OUT;
  actionStatement(children: ActionStatementCstChildren, param?: IN): OUT;
  serviceDecl(children: ServiceDeclCstChildren, param?: IN): OUT;
  serviceStatement(children: ServiceStatementCstChildren, param?: IN): OUT;
  onStatement(children: OnStatementCstChildren, param?: IN): OUT;
  afterStatement(children: AfterStatementCstChildren, param?: IN): OUT;
  tagsStatement(children: TagsStatementCstChildren, param?: IN): OUT;
  planeStatement(children: PlaneStatementCstChildren, param?: IN): OUT;
  windowRefStatement(children: WindowRefStatementCstChildren, param?: IN): OUT;
  takesStatement(children: TakesStatementCstChildren, param?: IN): OUT;
  skewStatement(children: SkewStatementCstChildren, param?: IN): OUT;
  healthStatement(children: HealthStatementCstChildren, param?: IN): OUT;
  rebootStatement(children: RebootStatementCstChildren, param?: IN): OUT;
  evacuateStatement(children: EvacuateStatementCstChildren, param?: IN): OUT;
  evacuateBody(children: EvacuateBodyCstChildren, param?: IN): OUT;
  evacuateOption(children: EvacuateOptionCstChildren, param?: IN): OUT;
  countVarStatement(children: CountVarStatementCstChildren, param?: IN): OUT;
  capacityVarStatement(children: CapacityVarStatementCstChildren, param?: IN): OUT;
  maintenanceBlock(children: MaintenanceBlockCstChildren, param?: IN): OUT;
  maintenanceStatement(children: MaintenanceStatementCstChildren, param?: IN): OUT;
  rollingBlock(children: RollingBlockCstChildren, param?: IN): OUT;
  rollingStatement(children: RollingStatementCstChildren, param?: IN): OUT;
  batchStatement(children: BatchStatementCstChildren, param?: IN): OUT;
  maxUnavailableStatement(children: MaxUnavailableStatementCstChildren, param?: IN): OUT;
  pauseStatement(children: PauseStatementCstChildren, param?: IN): OUT;
  maxFailuresStatement(children: MaxFailuresStatementCstChildren, param?: IN): OUT;
  orderStatement(children: OrderStatementCstChildren, param?: IN): OUT;
  deadlineStatement(children: DeadlineStatementCstChildren, param?: IN): OUT;
  action(children: ActionCstChildren, param?: IN): OUT;
  command(children: CommandCstChildren, param?: IN): OUT;
  actionOptions(children: ActionOptionsCstChildren, param?: IN): OUT;
  actionOption(children: ActionOptionCstChildren, param?: IN): OUT;
  durationOption(children: DurationOptionCstChildren, param?: IN): OUT;
  retriesOption(children: RetriesOptionCstChildren, param?: IN): OUT;
  envBlock(children: EnvBlockCstChildren, param?: IN): OUT;
  envEntry(children: EnvEntryCstChildren, param?: IN): OUT;
  cwdOption(children: CwdOptionCstChildren, param?: IN): OUT;
  doneOption(children: DoneOptionCstChildren, param?: IN): OUT;
  undoOption(children: UndoOptionCstChildren, param?: IN): OUT;
  onDeadlineOption(children: OnDeadlineOptionCstChildren, param?: IN): OUT;
  stringList(children: StringListCstChildren, param?: IN): OUT;
  nameList(children: NameListCstChildren, param?: IN): OUT;
  hostSelection(children: HostSelectionCstChildren, param?: IN): OUT;
  amount(children: AmountCstChildren, param?: IN): OUT;
  duration(children: DurationCstChildren, param?: IN): OUT;
}
