/** Simulated time and an in-memory journal (the runtime's own), and a scripted executor. */
import type { Clock, ExecRequest, ExecResult, Executor } from "../../src/runtime/effects.js";
export { MemorySink, VirtualClock as FakeClock, type TimedRecord } from "../../src/runtime/virtual-clock.js";

/** An executor answering from a function of the request and the fake time; it may take simulated time. */
export function fakeExecutor(clock: Clock, answer: (request: ExecRequest, now: number) => { exitCode: number; takes?: number }): Executor & { calls: { step: string; purpose: string; at: number }[] } {
  const calls: { step: string; purpose: string; at: number }[] = [];
  return {
    calls,
    async run(request): Promise<ExecResult> {
      calls.push({ step: request.step.id, purpose: request.purpose, at: clock.now() });
      const a = answer(request, clock.now());
      if (a.takes !== undefined && a.takes > 0) await clock.sleep(a.takes, request.signal);
      if (request.signal.aborted) return { exitCode: null, signal: "SIGTERM", timedOut: false, error: null };
      return { exitCode: a.exitCode, signal: null, timedOut: false, error: null };
    },
  };
}
