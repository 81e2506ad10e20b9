/**
 * Exit codes: a fixed contract (DESIGN.md), documented in the README and in `upgradec --help`.
 */
export const ExitCode = {
  /** Everything asked for was done. */
  Ok: 0,
  /** The sources have errors (compile, fmt --check), or `check` found a failure. */
  CompileErrors: 1,
  /** The command line is wrong: unknown verb or option, missing argument. */
  Usage: 2,
  /**
   * A run stopped (a failure, or an operator's signal), ended with hosts left out after
   * failures within max-failures (what needs them did not run), or `run` found this plan's
   * current run unfinished; its state is kept and `upgradec resume` (which retries hosts
   * left out) or `rollback` goes on.
   */
  Stopped: 3,
  /** A run failed and was rolled back, or `rollback` finished. */
  RolledBack: 4,
  /** The plan file is stale (its sources changed), tampered with, or not a valid plan. */
  InvalidPlan: 5,
  /** Another run holds the lock on this plan's state. */
  Locked: 6,
  /** The verb is not built yet in this version. */
  NotImplemented: 7,
  /** `verify` found problems; each is printed with its remedy. */
  VerifyFailed: 8,
  /** `simulate` saw an invariant violated. */
  SimulationViolation: 9,
  /**
   * The run's state is damaged (its journal beyond a torn last record, its mark, or the
   * pointer to the current run): nothing ran; `status` shows what is known, `run --start-over`
   * abandons that run.
   */
  StateDamaged: 10,
  /**
   * `rollback` refused: a completed point of no return that no checkpoint's restore covers
   * stands in the way (or the target cannot be used). Nothing was undone; the run's state is
   * kept as it was.
   */
  RollbackRefused: 11,
  /** A bug in upgradec itself. */
  Internal: 70,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
