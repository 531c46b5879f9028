// The generate-maps loop: a cycle, then wait for a version change (long poll) or the interval; at the
// interval a cheap check may stand in for the full refetch (quiet-interval.ts); back off on failure;
// cycles at least MIN_CYCLE_GAP_MS apart. Every wait is timed on the monotonic clock (clock.ts).
import { createLoopWatchdog, cycleMovedRouting, type LoopWake } from "../guard/loop-watchdog.js";
import { createCycleState, runCycle, type CycleResult, type Generator } from "../cycle/run-cycle.js";
import { createVersionWatcher } from "../sources/watch-version.js";
import type { MetadataReach } from "../sources/version-watcher.js";
import { backoffMs } from "./backoff.js";
import { systemClock } from "./clock.js";
import {
  checkQuiet,
  fileIdentity,
  MAX_QUIET_INTERVALS,
  type QuietCheck,
  type QuietMark,
} from "./quiet-interval.js";
import { scopedSignal } from "./scoped-signal.js";
import { sleep } from "./sleep.js";

// The soonest a cycle may start after the previous one: coalesces bursts of version changes.
export const MIN_CYCLE_GAP_MS = 250;

// Cycles until `signal` aborts: after a good cycle, wait for a version change (long poll) or the interval;
// after a failed one, retry with capped backoff. `onCycle` sees every result (status listener, metrics),
// `onQuiet` every interval whose check found the last good cycle still standing, `onWaitReach` each long
// poll of a wait (and plain /version read between its retries) failed or answered (MetadataReach).
export async function runLoop(
  generator: Generator,
  signal: AbortSignal,
  onCycle?: (result: CycleResult) => void,
  onQuiet?: () => void,
  onWaitReach?: MetadataReach,
): Promise<void> {
  const { logger, options } = generator;
  const state = createCycleState(logger, {
    maxRemovalShare: options.maxRemovalShare,
    confirmMs: options.removalConfirmMs,
  });
  const clock = generator.clock ?? systemClock;
  const watcher = createVersionWatcher(generator.client, options.intervalMs, logger, clock, (error) =>
    report(() => onWaitReach?.(error)),
  );
  const watchdog = createLoopWatchdog(logger, () => clock.monotonic());
  const paths = [options.backendsPath, options.domainMapPath];
  let failures = 0;
  let lastStart = -Infinity;
  let wake: LoopWake = "start";
  /** what the last good cycle left, for the interval's check; null: the next interval refetches */
  let quiet: QuietMark | null = null;
  // Waits for the next reason to run after a good cycle at `version`; a hold is re-decided at its release.
  const waitForWake = async (version: string, holdMs: number | undefined): Promise<LoopWake> => {
    const until = scopedSignal(signal, holdMs === undefined ? undefined : Math.max(holdMs, 0));
    let reason: LoopWake = await watcher.waitForChange(version, until.signal).finally(until.release);
    if (until.timedOut() && !signal.aborted) reason = "hold-expired";
    logger.debug({ event: "wake", reason }, `woke up: ${reason}`);
    return reason;
  };
  while (await sleep(lastStart + watchdog.minGapMs(MIN_CYCLE_GAP_MS) - clock.monotonic(), signal)) {
    // Woken by the long poll: its answer is the version this cycle reads at (no second GET /version); at
    // the interval, the version /version answered just before the long poll was cut, when it was.
    const cut = wake === "interval" ? watcher.cut : null;
    let version: string | undefined = (wake === "changed" ? watcher.seenVersion : cut?.version) ?? undefined;
    // A /version the cut could not read is not asked again by the check: the cycle reports the failure.
    if (
      wake === "interval" &&
      quiet !== null &&
      quiet.skipped < MAX_QUIET_INTERVALS &&
      cut?.version !== null
    ) {
      const check = scopedSignal(signal);
      const found: QuietCheck = await checkQuiet(
        generator.client,
        quiet,
        paths,
        check.signal,
        cut?.version,
      ).finally(check.release);
      if (signal.aborted) break;
      if (found.quiet) {
        quiet.skipped += 1;
        // The version stayed put for a whole interval, as an interval refetch would have found.
        watchdog.afterCycle("interval", quiet.version, false);
        report(() => onQuiet?.());
        logger.debug(
          { event: "interval-unchanged", version: quiet.version, quietIntervals: quiet.skipped },
          "interval: same version, files as the last cycle left them; no refetch",
        );
        wake = await waitForWake(quiet.version, undefined);
        continue;
      }
      if (found.version !== null) version = found.version;
    }
    lastStart = clock.monotonic();
    const scope = scopedSignal(signal);
    const result: CycleResult = await runCycle(generator, state, {
      write: true,
      signal: scope.signal,
      ...(version === undefined ? {} : { version }),
    }).finally(scope.release);
    if (signal.aborted) break;
    report(() => onCycle?.(result));
    if (result.ok) {
      if (failures > 0)
        logger.info(
          { event: "recovered", failedCycles: failures },
          `cycle succeeded after ${failures} failed`,
        );
      failures = 0;
      watchdog.afterCycle(wake, result.version, cycleMovedRouting(result), cut?.version ?? null);
      // A hold is re-decided at its release time even when metadata stays quiet until then; while one
      // lasts, no interval's check stands in for a cycle.
      const hold = result.guard?.action === "hold" ? result.guard.releaseAt - clock.monotonic() : undefined;
      const files: string | null = hold === undefined ? await fileIdentity(paths) : null;
      quiet = files === null ? null : { version: result.version, files, skipped: 0 };
      wake = await waitForWake(result.version, hold);
    } else {
      quiet = null;
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
  // A long poll a wait left open (the stop came during a cycle) ends with the loop.
  watcher.close();

  // A hook that throws is logged; the loop goes on.
  function report(hook: () => void): void {
    try {
      hook();
    } catch (error) {
      logger.error({ event: "cycle-report-failed", error: String(error) }, "cannot report a cycle");
    }
  }
}
