/**
 * Default estimates, in seconds, for actions whose `takes` the plan does not give. The
 * per-host figures are a measured compute node (drain 1m10s, reboot 4m44s, redeploy 7m46s,
 * finalize 3m19s); the previews say when a default was used.
 */
export const DEFAULT_ESTIMATES = {
  "maintenance-enter": 10,
  evacuate: 70,
  stop: 30,
  upgrade: 466,
  reboot: 284,
  start: 30,
  health: 199,
  "maintenance-exit": 10,
  precheck: 60,
  checkpoint: 600,
  expand: 300,
  migrate: 600,
  contract: 300,
  pin: 30,
  unpin: 30,
  cleanup: 120,
  postcheck: 60,
  "batch-pause": 0,
} as const;

/** Health gate defaults: poll every 10s, give up after 10m, healthy for 30s. */
export const DEFAULT_HEALTH = { every: 10, within: 600, healthyFor: 30 } as const;

/** Most steps running at once when the plan does not say. */
export const DEFAULT_PARALLELISM = 8;
