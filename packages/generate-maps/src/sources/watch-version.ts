// Change detection: long-poll /version so a change is seen at once, with the poll interval as the
// safety net. A long poll that fails is tried again within the same wait after a backoff
// (long-poll-episode.ts), and after one that answered an error a plain GET /version (answered at once)
// comes before the next long poll: a long poll to a metadata service back up is held without an answer
// until a change or maxWait, so only the plain read says at once that metadata answers again. Each failure
// and each answer goes to `onReach` (/healthz: an outage while the loop idles at a long POLL_INTERVAL is
// seen within 3 × the cap, as for failing cycles). A server that answers at once without holding the poll
// is polled at the interval.
import type { Logger, MetadataClient } from "@rancher-haproxy/core";
import { systemClock, type Clock } from "../loop/clock.js";
import { answerBy } from "../loop/answer-by.js";
import { describeFailure } from "../report/describe-failure.js";
import { judgePollAnswer } from "./judge-poll-answer.js";
import { LongPollEpisode } from "./long-poll-episode.js";
import { LONG_POLL_MAX_WAIT_MS } from "./long-poll-timing.js";
import { pollOfNoUse, sendLongPoll, type OpenPoll } from "./open-poll.js";
import { readAtDeadline } from "./read-at-deadline.js";
import { plainVersion, versionNow } from "./version-now.js";
import type { MetadataReach, VersionWatcher, WakeReason } from "./version-watcher.js";

// Creates a watcher over `client`; every wait ends at `intervalMs`, timed on the monotonic clock, or later
// by the deadline's GET /version (read-at-deadline.ts; the client's request timeout, 5 s, bounds it; a stop
// or a hold's end aborts it) and the MIN_UNCHANGED_POLL_MS grace after it. A long poll still open then that
// missed no change goes on into the next wait (open-poll.ts), so it ends at its own maxWait or fails at its
// timeout, LONG_POLL_MAX_WAIT_MS + 10 s, whatever the interval; close() ends it when no wait follows.
export function createVersionWatcher(
  client: MetadataClient,
  intervalMs: number,
  logger: Logger,
  clock: Clock = systemClock,
  onReach: MetadataReach = () => {},
): VersionWatcher {
  const now = () => clock.monotonic();
  const episode = new LongPollEpisode(logger, intervalMs, now);
  // The long poll in flight, if any.
  let open: OpenPoll | null = null;
  // Ends the poll in flight unanswered (a stop, or the version it waits on moved).
  const drop = () => {
    open?.stop.abort();
    open = null;
  };
  let seenVersion: string | null = null;
  let cut: { version: string | null } | null = null;
  // A wait's end on a version that moved (from a long poll or the plain read after a failure).
  const changed = (version: string): WakeReason => {
    seenVersion = version;
    return "changed";
  };

  // One wait (see waitForChange) while `signal` holds.
  async function waitUntil(lastVersion: string, deadline: number, signal: AbortSignal): Promise<WakeReason> {
    // The wait's last long poll was held, then answered its version unchanged: the server's maxWait ended it.
    let heldUnchanged = false;
    // What the deadline's GET /version answered when the poll ended while it was asked.
    let deadlineAnswer: { version: string | null } | null = null;
    for (;;) {
      const remaining = deadline - now();
      if (signal.aborted) return "aborted";
      if (remaining <= 0 && heldUnchanged) {
        // A poll the server ended right at the deadline left none open: /version is asked now, as when
        // one is (see read-at-deadline.ts).
        const cutVersion =
          deadlineAnswer !== null ? deadlineAnswer.version : await versionNow(client, signal);
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
          if (episode.failing === "error") {
            const answer = await plainVersion(client, remaining, signal);
            if (answer === null) return signal.aborted ? "aborted" : "interval";
            onReach(null);
            if (answer !== lastVersion) return changed(answer);
          }
          if (deadline - now() <= 0) return "interval";
          open = sendLongPoll(client, lastVersion, LONG_POLL_MAX_WAIT_MS, now);
        }
        const poll = open;
        let ended = poll.outcome ?? (await answerBy(poll.answer, deadline - now(), signal));
        if (ended === null && !signal.aborted) {
          const read = await readAtDeadline(client, poll, lastVersion, signal);
          ended = read.ended;
          if (signal.aborted) return "aborted";
          if (ended === null) {
            cut = { version: read.cutVersion };
            // Still waiting on the version /version answers (or /version could not be read): the next
            // wait goes on with it. One that missed a change is cut, and ended (and timed) when the wait is.
            if (read.cutVersion !== null && read.cutVersion !== lastVersion) {
              drop();
              await poll.answer;
            }
            return "interval";
          }
          deadlineAnswer = { version: read.cutVersion };
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
        if (!(await episode.failed(problem, deadline, signal))) return "aborted";
        continue;
      }
      onReach(null);
      const verdict = judgePollAnswer(version, lastVersion, heldMs, episode.failing);
      if (verdict === "unheld") return (await episode.unheld(deadline, signal)) ? "interval" : "aborted";
      if (verdict !== "changed-unheld") episode.works();
      if (verdict !== "held") return changed(version);
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
      // A poll left open for another version is of no use (the loop read past it).
      if (open !== null && pollOfNoUse(open, lastVersion)) drop();
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
