// The interval's deadline with a long poll still open: the version watcher (watch-version.ts) asks
// /version while the poll waits. A version moved by then moved while the long poll waited (the loop's
// longpoll-missed-change), and that poll is cut; one moved after could not have been reported. A poll the
// server ended unchanged at its maxWait right at the deadline gets the same read (the watcher asks it then):
// before, no read was made, so a change that poll did not report was not warned about
// (longpoll-missed-change), whenever the server's maxWait ran out just before the interval.
import type { MetadataClient } from "@rancher-haproxy/core";
import { answerBy } from "../loop/answer-by.js";
import { MIN_UNCHANGED_POLL_MS } from "./long-poll-timing.js";
import type { OpenPoll, PollOutcome } from "./open-poll.js";
import { versionNow } from "./version-now.js";

// What the deadline's read found: the version /version answered (null: it could not be read) and how the
// poll ended (null: it still waits).
export interface DeadlineRead {
  cutVersion: string | null;
  ended: PollOutcome | null;
}

// Asks /version while `poll`, waiting to move from `lastVersion`, is open. A change by then must be in
// flight from a working long poll: it gets MIN_UNCHANGED_POLL_MS to arrive. A poll that ended while
// /version was asked ended before the deadline: its outcome counts. Before, one that failed then was taken
// for a poll held until the cut (longpoll-restored, no longpoll-failed, nothing told to /healthz).
export async function readAtDeadline(
  client: MetadataClient,
  poll: OpenPoll,
  lastVersion: string,
  signal: AbortSignal,
): Promise<DeadlineRead> {
  const cutVersion = await versionNow(client, signal);
  let ended = poll.outcome;
  if (ended === null && cutVersion !== null && cutVersion !== lastVersion)
    ended = await answerBy(poll.answer, MIN_UNCHANGED_POLL_MS, signal);
  return { cutVersion, ended };
}
