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

/**
 * A health gate ends on one of its polls, once it has passed for `healthyFor`: its estimate
 * is rounded up to a whole number of polls and is never shorter than that, so the plan
 * states what the runtime will take, not a second or two less; and never longer than its
 * `within`, when the runtime stops polling (a default of minutes on a gate of `within 8s`
 * made a plan of seconds last minutes).
 */
export function gateEstimate(estimate: number, gate: { readonly every: number; readonly within: number; readonly healthyFor: number }, measured = false): number {
  const poll = Math.max(1, gate.every);
  // A measured gate is what the runtime took, polls and probes included: not rounded again,
  // but no gate passes before `healthyFor` (a journal saying otherwise is not believed).
  const polled = measured ? Math.max(estimate, gate.healthyFor) : Math.max(Math.ceil(estimate / poll), Math.ceil(gate.healthyFor / poll)) * poll;
  // The runtime gives up at `within`: a gate never takes longer, whatever its estimate says.
  return Math.max(0, Math.min(polled, gate.within));
}
