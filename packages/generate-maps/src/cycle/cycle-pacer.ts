// How a long cycle shares the event loop: between the steps of the model (routingTableSteps: one per
// container entry, then one per stage) it pauses once CYCLE_SLICE_MS have passed since the last pause,
// so /healthz, /metrics and a stop (SIGTERM) are answered within about that, plus the longest single
// step, instead of at the end of a cycle that a hostile metadata answer can make last seconds.
import { runSteps, type Steps } from "../model/run-steps.js";
import type { Clock } from "../loop/clock.js";

// The most a cycle keeps the event loop between two pauses, ms (on the monotonic clock).
export const CYCLE_SLICE_MS = 50;

// Thrown at a pause once the cycle's signal aborted: the generator is stopping, and the cycle ends there
// without writing anything (`code` "aborted" is the failure's kind, describe-failure.ts).
export class CycleStopped extends Error {
  readonly code = "aborted";
  constructor() {
    super("cycle stopped: the generator is stopping");
  }
}

// One cycle's pauses.
export interface CyclePacer {
  /** the result of `steps`, pausing between steps once a slice has passed */
  run<T>(steps: Steps<T>): Promise<T>;
  /** throws CycleStopped when the cycle's signal aborted */
  stopIfAborted(): void;
}

// The pacer of a cycle that started now, timed on `clock`, stopped by `signal`. A cycle without a signal
// is a one-shot run (--once, --dry-run): nothing runs beside it (no status listener; a signal ends the
// process), so it takes every step at once: pausing cost a one-shot run at 10 000 containers ≈ 14 ms of
// CPU (≈ 1.4 µs a step, with the one-shot V8 flags of bin/generate-maps.js) for nothing.
export function createCyclePacer(clock: Clock, signal?: AbortSignal, sliceMs = CYCLE_SLICE_MS): CyclePacer {
  let sliceStart = clock.monotonic();
  const stopIfAborted = () => {
    if (signal?.aborted === true) throw new CycleStopped();
  };
  if (signal === undefined) return { run: async (steps) => runSteps(steps), stopIfAborted };
  return {
    async run<T>(steps: Steps<T>): Promise<T> {
      for (;;) {
        const step = steps.next();
        if (step.done === true) return step.value;
        if (clock.monotonic() - sliceStart < sliceMs) continue;
        await new Promise<void>((resolve) => setImmediate(resolve));
        sliceStart = clock.monotonic();
        stopIfAborted();
      }
    },
    stopIfAborted,
  };
}
