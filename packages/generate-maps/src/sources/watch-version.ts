// Change detection: long-poll /version so a change is seen at once, with the poll interval as the
// safety net, and plain polling whenever the long poll answers an error.
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

// Creates a watcher over `client`; every wait ends within `intervalMs` (the long poll is cut at the deadline),
// timed on the monotonic clock.
export function createVersionWatcher(
  client: MetadataClient,
  intervalMs: number,
  logger: Logger,
  clock: Clock = systemClock,
): VersionWatcher {
  const now = () => clock.monotonic();
  let failing = false;
  const fallBack = async (problem: string, deadline: number, signal: AbortSignal): Promise<WakeReason> => {
    if (!failing) {
      const seconds = intervalMs / 1000;
      logger.warn(
        { event: "longpoll-failed", error: problem },
        `long poll of /version failed, polling every ${seconds} s instead: ${problem}`,
      );
    }
    failing = true;
    return (await sleep(deadline - now(), signal)) ? "interval" : "aborted";
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
          return fallBack(describeFailure(error).message, deadline, signal);
        } finally {
          budget.release();
        }
        if (version === lastVersion && now() - started < MIN_UNCHANGED_POLL_MS)
          return fallBack("the server answered the unchanged version at once", deadline, signal);
        if (failing) logger.info({ event: "longpoll-restored" }, "long poll of /version works again");
        failing = false;
        if (version !== lastVersion) {
          seenVersion = version;
          return "changed";
        }
      }
    },
  };
}
