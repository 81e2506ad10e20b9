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
   * A run stopped on a failure, or ended with hosts left out after failures within
   * max-failures (what needs them did not run); its state is kept and `upgradec resume`
   * (which retries them) or `rollback` goes on.
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
   * `rollback` refused: a completed point of no return that no checkpoint's restore covers
   * stands in the way (or the target cannot be used). Nothing was undone; the run's state is
   * kept as it was.
   */
  RollbackRefused: 10,
  /** A bug in upgradec itself. */
  Internal: 70,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
