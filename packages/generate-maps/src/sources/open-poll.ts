// One long poll of /version in flight, which the version watcher keeps from one wait to the next while the
// version it waits on stands (so every poll ends at its own maxWait or timeout, whatever the interval).
// Before, each wait cut its poll at the deadline: at an interval of 20 s or less (the default 10 s) a poll
// that hangs was cut as a held one is, counted as working and was never reported.
import type { MetadataClient } from "@rancher-haproxy/core";
import { settle } from "../loop/answer-by.js";

// How a long poll ended: the version it answered, or its error.
export type PollOutcome = Awaited<ReturnType<typeof settle>>;

// A long poll sent and not yet taken up: its outcome once it has one, and its own stop (not a wait's
// signal, since it outlives the wait that sent it).
export interface OpenPoll {
  /** the version it waits to move from */
  readonly last: string;
  /** when it was sent, and when it ended (null: still open), on the monotonic clock */
  readonly started: number;
  endedAt: number | null;
  readonly answer: Promise<PollOutcome>;
  outcome: PollOutcome | null;
  readonly stop: AbortController;
}

// Sends a long poll waiting for /version to move from `last` for `maxWaitMs`; `now` is the monotonic clock.
export function sendLongPoll(
  client: MetadataClient,
  last: string,
  maxWaitMs: number,
  now: () => number,
): OpenPoll {
  const stop = new AbortController();
  const answer = settle(client.waitForVersion(last, maxWaitMs / 1000, stop.signal));
  const poll: OpenPoll = { last, started: now(), endedAt: null, answer, outcome: null, stop };
  void answer.then((outcome) => {
    poll.outcome = outcome;
    poll.endedAt = now();
  });
  return poll;
}

// Whether a poll an earlier wait left open is of no use to a wait on `lastVersion`: it waits on another
// version (the loop read past it). A failure it ended with is still a failure, so such a poll is kept.
export function pollOfNoUse(poll: OpenPoll, lastVersion: string): boolean {
  return poll.last !== lastVersion && !(poll.outcome !== null && "error" in poll.outcome);
}
