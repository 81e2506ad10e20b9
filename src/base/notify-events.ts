/** The events a `notify` block can name, as the parser reads them and the runtime tells them. */
export const NOTIFY_EVENTS = [
  "run-started",
  "run-resumed",
  "window-wait",
  "batch-finished",
  "run-stopped",
  "run-finished",
  "rollback-started",
  "rollback-stopped",
  "rollback-finished",
  "lock-taken-over",
] as const;

export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];
