// The generate-maps loop: a cycle, then wait for a version change (long poll) or the interval; back off
// on failure; cycles at least MIN_CYCLE_GAP_MS apart.
import { createLoopWatchdog, type LoopWake } from "../guard/loop-watchdog.js";
import { createCycleState, runCycle, type CycleResult, type Generator } from "../cycle/run-cycle.js";
import { createVersionWatcher } from "../sources/watch-version.js";
import { backoffMs } from "./backoff.js";
import { scopedSignal } from "./scoped-signal.js";
import { sleep } from "./sleep.js";

// The soonest a cycle may start after the previous one: coalesces bursts of version changes.
export const MIN_CYCLE_GAP_MS = 250;

// Cycles until `signal` aborts: after a good cycle, wait for a version change (long poll) or the interval;
// after a failed one, retry with capped backoff. `onCycle` sees every result (status listener, metrics).
export async function runLoop(
  generator: Generator,
  signal: AbortSignal,
  onCycle?: (result: CycleResult) => void,
): Promise<void> {
  const { logger, options } = generator;
  const state = createCycleState(logger, {
    maxRemovalShare: options.maxRemovalShare,
    confirmMs: options.removalConfirmMs,
  });
  const watcher = createVersionWatcher(generator.client, options.intervalMs, logger);
  const watchdog = createLoopWatchdog(logger);
  let failures = 0;
  let lastStart = -Infinity;
  let wake: LoopWake = "start";
  while (await sleep(lastStart + watchdog.minGapMs(MIN_CYCLE_GAP_MS) - Date.now(), signal)) {
    lastStart = Date.now();
    const scope = scopedSignal(signal);
    // Woken by the long poll: its answer is the version this cycle reads at (no second GET /version).
    const version: string | undefined = wake === "changed" ? (watcher.seenVersion ?? undefined) : undefined;
    const result = await runCycle(generator, state, {
      write: true,
      signal: scope.signal,
      ...(version === undefined ? {} : { version }),
    }).finally(scope.release);
    if (signal.aborted) break;
    try {
      onCycle?.(result);
    } catch (error) {
      logger.error({ event: "cycle-report-failed", error: String(error) }, "cannot report a cycle");
    }
    if (result.ok) {
      if (failures > 0)
        logger.info(
          { event: "recovered", failedCycles: failures },
          `cycle succeeded after ${failures} failed`,
        );
      failures = 0;
      watchdog.afterCycle(
        wake,
        result.version,
        result.outcomes.some((o) => o.status === "changed"),
      );
      // A hold is re-decided at its release time even when metadata stays quiet until then.
      const hold = result.guard?.action === "hold" ? result.guard.releaseAt - Date.now() : undefined;
      const until = scopedSignal(signal, hold === undefined ? undefined : Math.max(hold, 0));
      wake = await watcher.waitForChange(result.version, until.signal).finally(until.release);
      if (until.timedOut() && !signal.aborted) wake = "hold-expired";
      logger.debug({ event: "wake", reason: wake }, `woke up: ${wake}`);
    } else {
      failures += 1;
      wake = "retry";
      const delayMs = backoffMs(failures, options.intervalMs);
      logger.debug(
        { event: "retry-scheduled", failedCycles: failures, delayMs },
        `retrying in ${delayMs} ms`,
      );
      await sleep(delayMs, signal);
    }
  }
}
