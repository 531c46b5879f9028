// Change detection: long-poll /version so a change is seen at once, with the poll interval as the
// safety net. A long poll that answers an error is tried again after a backoff (1 s, doubling up to the
// interval) within the same wait: before, one dropped connection left changes to the interval (up to
// 60 s with POLL_INTERVAL=60; found by a review). A server that answers at once without holding the poll
// is polled at the interval.
import type { Logger, MetadataClient } from "@rancher-haproxy/core";
import { systemClock, type Clock } from "../loop/clock.js";
import { scopedSignal } from "../loop/scoped-signal.js";
import { sleep } from "../loop/sleep.js";
import { describeFailure } from "../report/describe-failure.js";

// Why a wait ended: the version moved, the interval passed (refetch anyway), or the loop is stopping.
export type WakeReason = "changed" | "interval" | "aborted";

// Waits for the next reason to refetch; keeps whether the long poll currently works, to log changes once.
export interface VersionWatcher {
  waitForChange(lastVersion: string, signal: AbortSignal): Promise<WakeReason>;
  /** the version the long poll answered when the last wait ended "changed"; null after any other end,
   * so the cycle it wakes need not ask /version again (see readMetadata) */
  readonly seenVersion: string | null;
}

// An unchanged version sooner than this means the server does not hold long polls: treat it as a failure.
const MIN_UNCHANGED_POLL_MS = 500;

// The first wait before a failed long poll is tried again; it doubles while it keeps failing.
export const LONG_POLL_RETRY_MS = 1000;

// Creates a watcher over `client`; every wait ends within `intervalMs` (the long poll is cut at the deadline),
// timed on the monotonic clock.
export function createVersionWatcher(
  client: MetadataClient,
  intervalMs: number,
  logger: Logger,
  clock: Clock = systemClock,
): VersionWatcher {
  const now = () => clock.monotonic();
  // The episode of failure running: the long poll answered an error, or answered at once without holding.
  let failing: "error" | "unheld" | null = null;
  let retryMs = LONG_POLL_RETRY_MS;
  // Logged once per episode; waits `ms` (capped by the deadline): true to try the long poll again.
  const backOff = async (
    problem: string,
    kind: "error" | "unheld",
    ms: number,
    deadline: number,
    signal: AbortSignal,
  ) => {
    if (failing === null)
      logger.warn(
        { event: "longpoll-failed", error: problem },
        `long poll of /version failed, trying again within ${Math.min(ms, intervalMs) / 1000} s ` +
          `(backing off up to the ${intervalMs / 1000} s interval): ${problem}`,
      );
    failing = kind;
    return sleep(Math.min(ms, deadline - now()), signal);
  };
  let seenVersion: string | null = null;
  return {
    get seenVersion() {
      return seenVersion;
    },
    async waitForChange(lastVersion, signal) {
      seenVersion = null;
      const deadline = now() + intervalMs;
      for (;;) {
        const remaining = deadline - now();
        if (signal.aborted) return "aborted";
        if (remaining <= 0) return "interval";
        const budget = scopedSignal(signal, remaining);
        const started = now();
        let version: string;
        try {
          version = await client.waitForVersion(lastVersion, remaining / 1000, budget.signal);
        } catch (error) {
          if (signal.aborted) return "aborted";
          if (budget.timedOut()) return "interval";
          const wait = retryMs;
          retryMs = Math.min(retryMs * 2, intervalMs);
          if (!(await backOff(describeFailure(error).message, "error", wait, deadline, signal)))
            return "aborted";
          continue;
        } finally {
          budget.release();
        }
        const held = now() - started >= MIN_UNCHANGED_POLL_MS;
        if (version === lastVersion && !held) {
          const problem = "the server answered the unchanged version at once";
          return (await backOff(problem, "unheld", intervalMs, deadline, signal)) ? "interval" : "aborted";
        }
        // A change answered at once says nothing of a server that does not hold long polls: before, each
        // change logged longpoll-restored, and the next wait longpoll-failed again (found by a review).
        if (failing === "unheld" && !held) {
          seenVersion = version;
          return "changed";
        }
        if (failing !== null)
          logger.info({ event: "longpoll-restored" }, "long poll of /version works again");
        failing = null;
        retryMs = LONG_POLL_RETRY_MS;
        if (version !== lastVersion) {
          seenVersion = version;
          return "changed";
        }
      }
    },
  };
}
