// Change detection: long-poll /version so a change is seen at once, with the poll interval as the
// safety net. A long poll that answers an error is tried again after a backoff (1 s, doubling up to the
// interval) within the same wait: before, one dropped connection left changes to the interval (up to
// 60 s with POLL_INTERVAL=60; found by a review). The backoff is capped at BACKOFF_CAP_MS, and after it a
// plain GET /version (answered at once) comes before the next long poll: a long poll to a metadata service
// back up is held without an answer until a change or maxWait, so only the plain read says at once that
// metadata answers again. Each failure and each answer goes to `onReach` (/healthz: an outage while the
// loop idles at a long POLL_INTERVAL is seen within 3 × the cap, as for failing cycles; a poll that hangs
// fails at its timeout, within 20 s: LONG_POLL_MAX_WAIT_MS; an interval up to 20 s cuts it first, as a
// held one). A server that answers at once without holding the poll is polled at the interval. At the
// interval's deadline /version is asked while the long poll is still open, then the poll is cut: a version
// moved by then moved while the long poll waited (the loop's longpoll-missed-change), one moved after the
// cut could not have been reported. A poll the server ends unchanged at its maxWait right at the deadline
// is read after likewise.
import type { Logger, MetadataClient } from "@rancher-haproxy/core";
import { BACKOFF_CAP_MS } from "../loop/backoff.js";
import { systemClock, type Clock } from "../loop/clock.js";
import { answerBy, settle } from "../loop/answer-by.js";
import { scopedSignal } from "../loop/scoped-signal.js";
import { sleep } from "../loop/sleep.js";
import { describeFailure } from "../report/describe-failure.js";
import { plainVersion, versionNow } from "./version-now.js";

// Why a wait ended: the version moved, the interval passed (refetch anyway), or the loop is stopping.
export type WakeReason = "changed" | "interval" | "aborted";

// Waits for the next reason to refetch; keeps whether the long poll currently works, to log changes once.
export interface VersionWatcher {
  waitForChange(lastVersion: string, signal: AbortSignal): Promise<WakeReason>;
  /** the version the long poll answered when the last wait ended "changed"; null after any other end,
   * so the cycle it wakes need not ask /version again (see readMetadata) */
  readonly seenVersion: string | null;
  /** when the last wait ended "interval" by cutting an open long poll (or right after the server ended
   * one unchanged at its maxWait, held until the deadline): the version /version answered just before the
   * cut (null: it could not be read, the server does not answer); null after any other end */
  readonly cut: { version: string | null } | null;
}

// An unchanged version sooner than this means the server does not hold long polls: treat it as a failure.
const MIN_UNCHANGED_POLL_MS = 500;

// The first wait before a failed long poll is tried again; it doubles while it keeps failing, up to the
// interval and BACKOFF_CAP_MS.
export const LONG_POLL_RETRY_MS = 1000;

// The longest maxWait a long poll asks for: a held poll and one that hangs (the server accepts, never
// answers) look alike until the client's timeout, maxWait + 10 s. At the 120 s the server allows, a hang
// failed only after 130 s, and /healthz stayed 200 that long (then 30 s more) at a long POLL_INTERVAL;
// polls of 10 s at most fail within 20 s. The default 10 s interval asked no more already.
export const LONG_POLL_MAX_WAIT_MS = BACKOFF_CAP_MS;

/** Told of each long poll or plain /version read of a wait that failed (its error) or was answered (null). */
export type MetadataReach = (error: string | null) => void;

// Creates a watcher over `client`; every wait ends at `intervalMs` (the long poll is cut at the deadline),
// timed on the monotonic clock, or later by the deadline's GET /version (the client's request timeout,
// 5 s, bounds it; a stop or a hold's end aborts it) and the MIN_UNCHANGED_POLL_MS grace after it.
export function createVersionWatcher(
  client: MetadataClient,
  intervalMs: number,
  logger: Logger,
  clock: Clock = systemClock,
  onReach: MetadataReach = () => {},
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
          `(backing off up to ${Math.min(intervalMs, BACKOFF_CAP_MS) / 1000} s): ${problem}`,
      );
    failing = kind;
    return sleep(Math.min(ms, deadline - now()), signal);
  };
  // The long poll worked (answered, or held until the cut with nothing to report): the episode ends.
  const works = () => {
    if (failing !== null) logger.info({ event: "longpoll-restored" }, "long poll of /version works again");
    failing = null;
    retryMs = LONG_POLL_RETRY_MS;
  };
  let seenVersion: string | null = null;
  let cut: { version: string | null } | null = null;
  return {
    get seenVersion() {
      return seenVersion;
    },
    get cut() {
      return cut;
    },
    async waitForChange(lastVersion, signal) {
      seenVersion = null;
      cut = null;
      const deadline = now() + intervalMs;
      // The last long poll of this wait was held, then answered the version it waited on: the server
      // ended it at its own maxWait.
      let heldUnchanged = false;
      // A long poll or plain read of this wait failed: a later poll held until the cut proves nothing (a
      // poll that hangs is held too), so it does not end the failure episode.
      let failedThisWait = false;
      for (;;) {
        const remaining = deadline - now();
        if (signal.aborted) return "aborted";
        if (remaining <= 0 && heldUnchanged) {
          // A poll the server ended right at the deadline left none open to cut: /version is asked now,
          // as at a cut. Before, no read was made, so a change that poll did not report was not warned
          // about (longpoll-missed-change), whenever the server's maxWait ran out just before the interval.
          const cutVersion = await versionNow(client, signal);
          if (signal.aborted) return "aborted";
          cut = { version: cutVersion };
          return "interval";
        }
        if (remaining <= 0) return "interval";
        heldUnchanged = false;
        const budget = scopedSignal(signal);
        let started = now();
        let version: string;
        try {
          // After a failure: a plain read first (see above); an unchanged version goes on to the long poll.
          if (failing === "error") {
            const answer = await plainVersion(client, remaining, signal);
            if (answer === null) return signal.aborted ? "aborted" : "interval";
            onReach(null);
            if (answer !== lastVersion) {
              seenVersion = answer;
              return "changed";
            }
          }
          started = now();
          const left = deadline - started;
          if (left <= 0) return "interval";
          const maxWaitMs = Math.min(left, LONG_POLL_MAX_WAIT_MS);
          const answer = settle(client.waitForVersion(lastVersion, maxWaitMs / 1000, budget.signal));
          const poll: { outcome: Awaited<typeof answer> | null } = { outcome: null };
          void answer.then((outcome) => (poll.outcome = outcome));
          let ended = await answerBy(answer, left, signal);
          const heldMs = now() - started;
          if (ended === null && !signal.aborted) {
            // Cut at the deadline: what /version says while the long poll still waits. A change by then
            // must be in flight from a working long poll: it gets MIN_UNCHANGED_POLL_MS to arrive.
            const cutVersion = await versionNow(client, signal);
            // A poll that ended while /version was asked ended before the cut: its outcome counts. Before,
            // one that failed then was taken for a poll held until the cut (longpoll-restored, no
            // longpoll-failed, nothing told to /healthz).
            ended = poll.outcome;
            if (ended === null && cutVersion !== null && cutVersion !== lastVersion)
              ended = await answerBy(answer, MIN_UNCHANGED_POLL_MS, signal);
            // A poll that failed in the grace is a failure (below), not a cut that missed the change.
            if (ended === null || ("version" in ended && ended.version === lastVersion)) {
              if (signal.aborted) return "aborted";
              budget.abort();
              await answer; // the cut poll has ended (and been timed) when the wait does
              cut = { version: cutVersion };
              // Held until the cut, /version still where it waited: it works, with nothing to report.
              // Before, only an answer ended a failure episode, and at an interval below maxWait a quiet
              // environment's polls are all cut: longpoll-restored waited for a change, each wait read
              // /version plainly first, and a later failure was neither logged nor retried after 1 s.
              // A wait with a failure is left out: with polls that hang and a long interval, each wait's
              // first poll failed at its timeout and a later one was cut, so longpoll-failed and
              // longpoll-restored alternated every interval.
              if (cutVersion === lastVersion && heldMs >= MIN_UNCHANGED_POLL_MS && !failedThisWait) works();
              return "interval";
            }
          }
          if (ended === null) return "aborted";
          if ("error" in ended) throw ended.error;
          version = ended.version;
        } catch (error) {
          if (signal.aborted) return "aborted";
          const problem = describeFailure(error).message;
          failedThisWait = true;
          onReach(problem);
          const wait = retryMs;
          retryMs = Math.min(retryMs * 2, intervalMs, BACKOFF_CAP_MS);
          if (!(await backOff(problem, "error", wait, deadline, signal))) return "aborted";
          continue;
        } finally {
          budget.abort();
          budget.release();
        }
        onReach(null);
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
        works();
        if (version !== lastVersion) {
          seenVersion = version;
          return "changed";
        }
        heldUnchanged = true;
      }
    },
  };
}
