// Change detection: long-poll /version so a change is seen at once, with the poll interval as the
// safety net. A long poll that answers an error is tried again after a backoff (1 s, doubling up to the
// interval) within the same wait: before, one dropped connection left changes to the interval (up to
// 60 s with POLL_INTERVAL=60; found by a review). The backoff is capped at BACKOFF_CAP_MS, and after it a
// plain GET /version (answered at once) comes before the next long poll: a long poll to a metadata service
// back up is held without an answer until a change or maxWait, so only the plain read says at once that
// metadata answers again. Each failure and each answer goes to `onReach` (/healthz: an outage while the
// loop idles at a long POLL_INTERVAL is seen within 3 × the cap, as for failing cycles). A server that
// answers at once without holding the poll is polled at the interval. At the interval's deadline /version
// is asked while the long poll is still open: a version moved by then moved while the long poll waited
// (the loop's longpoll-missed-change), and that poll is cut; one moved after could not have been reported.
// A poll still waiting on the version /version answered is not cut: the next wait goes on with it, so
// every poll ends at its own maxWait or its timeout whatever the interval, and a poll that hangs fails at
// its timeout, LONG_POLL_MAX_WAIT_MS + 10 s. Before, each wait cut its poll at the deadline: at an
// interval of 20 s or less (the default 10 s) a poll that hangs was cut as a held one is, counted as
// working and was never reported. A poll the server ends unchanged at its maxWait right at the deadline
// is read after likewise.
import type { Logger, MetadataClient } from "@rancher-haproxy/core";
import { BACKOFF_CAP_MS } from "../loop/backoff.js";
import { systemClock, type Clock } from "../loop/clock.js";
import { answerBy } from "../loop/answer-by.js";
import { sleep } from "../loop/sleep.js";
import { describeFailure } from "../report/describe-failure.js";
import { sendLongPoll, type OpenPoll } from "./open-poll.js";
import { plainVersion, versionNow } from "./version-now.js";

// Why a wait ended: the version moved, the interval passed (refetch anyway), or the loop is stopping.
export type WakeReason = "changed" | "interval" | "aborted";

// Waits for the next reason to refetch; keeps whether the long poll currently works, to log changes once.
export interface VersionWatcher {
  waitForChange(lastVersion: string, signal: AbortSignal): Promise<WakeReason>;
  /** the version the long poll answered when the last wait ended "changed"; null after any other end,
   * so the cycle it wakes need not ask /version again (see readMetadata) */
  readonly seenVersion: string | null;
  /** when the last wait ended "interval" with a long poll open at the deadline (or right after the server
   * ended one unchanged at its maxWait, held until the deadline): the version /version answered then, while
   * the poll still waited (null: it could not be read, the server does not answer); null after any other
   * end. The poll goes on into the next wait unless that version moved (then it is cut). */
  readonly cut: { version: string | null } | null;
  /** ends the long poll a wait left open (the loop's end: no wait follows to take it on) */
  close(): void;
}

// An unchanged version sooner than this means the server does not hold long polls: treat it as a failure.
const MIN_UNCHANGED_POLL_MS = 500;

// The first wait before a failed long poll is tried again; it doubles while it keeps failing, up to the
// interval and BACKOFF_CAP_MS.
export const LONG_POLL_RETRY_MS = 1000;

// The maxWait every long poll asks for: a held poll and one that hangs (the server accepts, never answers)
// look alike until the client's timeout, maxWait + 10 s, so a hang fails within 20 s. At the 120 s the
// server allows, a hang failed only after 130 s, and /healthz stayed 200 that long (then 30 s more) at a
// long POLL_INTERVAL. A working server answers at maxWait plus up to its 5 s ticker, inside the timeout.
export const LONG_POLL_MAX_WAIT_MS = BACKOFF_CAP_MS;

/** Told of each long poll or plain /version read of a wait that failed (its error) or was answered (null). */
export type MetadataReach = (error: string | null) => void;

// Creates a watcher over `client`; every wait ends at `intervalMs`, timed on the monotonic clock, or later
// by the deadline's GET /version (the client's request timeout, 5 s, bounds it; a stop or a hold's end
// aborts it) and the MIN_UNCHANGED_POLL_MS grace after it. A long poll still open then goes on into the
// next wait; close() ends it when no wait follows.
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
  // The long poll worked (answered: a change, or the unchanged version after holding it): the episode ends.
  const works = () => {
    if (failing !== null) logger.info({ event: "longpoll-restored" }, "long poll of /version works again");
    failing = null;
    retryMs = LONG_POLL_RETRY_MS;
  };
  // The long poll in flight, if any.
  let open: OpenPoll | null = null;
  // Ends the poll in flight unanswered (a stop, or the version it waits on moved).
  const drop = () => {
    open?.stop.abort();
    open = null;
  };
  let seenVersion: string | null = null;
  let cut: { version: string | null } | null = null;

  // One wait (see waitForChange) while `signal` holds.
  async function waitUntil(lastVersion: string, deadline: number, signal: AbortSignal): Promise<WakeReason> {
    // The last long poll of this wait was held, then answered the version it waited on: the server
    // ended it at its own maxWait.
    let heldUnchanged = false;
    // What the deadline's GET /version answered when the poll ended while it was asked.
    let readAtDeadline: { version: string | null } | null = null;
    for (;;) {
      const remaining = deadline - now();
      if (signal.aborted) return "aborted";
      if (remaining <= 0 && heldUnchanged) {
        // A poll the server ended right at the deadline left none open: /version is asked now, as when
        // one is. Before, no read was made, so a change that poll did not report was not warned about
        // (longpoll-missed-change), whenever the server's maxWait ran out just before the interval.
        const cutVersion =
          readAtDeadline !== null ? readAtDeadline.version : await versionNow(client, signal);
        if (signal.aborted) return "aborted";
        cut = { version: cutVersion };
        return "interval";
      }
      if (remaining <= 0) return "interval";
      heldUnchanged = false;
      let version: string;
      let heldMs: number;
      try {
        if (open === null) {
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
          if (deadline - now() <= 0) return "interval";
          open = sendLongPoll(client, lastVersion, LONG_POLL_MAX_WAIT_MS, now);
        }
        const poll = open;
        let ended = poll.outcome ?? (await answerBy(poll.answer, deadline - now(), signal));
        if (ended === null && !signal.aborted) {
          // The deadline: what /version says while the long poll still waits. A change by then must be
          // in flight from a working long poll: it gets MIN_UNCHANGED_POLL_MS to arrive.
          const cutVersion = await versionNow(client, signal);
          // A poll that ended while /version was asked ended before the deadline: its outcome counts.
          // Before, one that failed then was taken for a poll held until the cut (longpoll-restored, no
          // longpoll-failed, nothing told to /healthz).
          ended = poll.outcome;
          if (ended === null && cutVersion !== null && cutVersion !== lastVersion)
            ended = await answerBy(poll.answer, MIN_UNCHANGED_POLL_MS, signal);
          if (signal.aborted) return "aborted";
          if (ended === null) {
            cut = { version: cutVersion };
            // Still waiting on the version /version answers (or /version could not be read): the next
            // wait goes on with it, so it ends at its own maxWait or fails at its timeout. One that missed
            // a change is cut, and ended (and timed) when the wait is.
            if (cutVersion !== null && cutVersion !== lastVersion) {
              drop();
              await poll.answer;
            }
            return "interval";
          }
          readAtDeadline = { version: cutVersion };
        }
        if (ended === null) return "aborted";
        open = null;
        if ("error" in ended) throw ended.error;
        version = ended.version;
        heldMs = (poll.endedAt ?? now()) - poll.started;
      } catch (error) {
        if (signal.aborted) return "aborted";
        const problem = describeFailure(error).message;
        onReach(problem);
        const wait = retryMs;
        retryMs = Math.min(retryMs * 2, intervalMs, BACKOFF_CAP_MS);
        if (!(await backOff(problem, "error", wait, deadline, signal))) return "aborted";
        continue;
      }
      onReach(null);
      const held = heldMs >= MIN_UNCHANGED_POLL_MS;
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
  }

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
      // A poll left open for another version is of no use (the loop read past it); a failure it ended
      // with is still a failure, told below.
      if (open !== null && open.last !== lastVersion && !(open.outcome !== null && "error" in open.outcome))
        drop();
      if (signal.aborted) {
        drop();
        return "aborted";
      }
      // A stop (or a hold's end) ends the poll in flight with the wait.
      signal.addEventListener("abort", drop, { once: true });
      try {
        return await waitUntil(lastVersion, deadline, signal);
      } finally {
        signal.removeEventListener("abort", drop);
      }
    },
    close: drop,
  };
}
