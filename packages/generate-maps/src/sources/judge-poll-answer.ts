// What a long poll's answer means for the version watcher's wait, from the version it answered, how long
// it was held and the failure episode running: a pure decision, the watcher acts on it (watch-version.ts).
import type { LongPollFailure } from "./long-poll-episode.js";
import { MIN_UNCHANGED_POLL_MS } from "./long-poll-timing.js";

// "unheld": the unchanged version at once (the server does not hold long polls, a failure); "changed-unheld":
// a change at once while such a failure runs (the episode goes on); "changed": a change from a working
// poll; "held": the unchanged version after holding it (the server's maxWait ended it). The last two end an
// episode (the long poll works).
export type PollVerdict = "unheld" | "changed-unheld" | "changed" | "held";

// The verdict on `version`, answered after `heldMs` by a poll waiting to move from `lastVersion`.
export function judgePollAnswer(
  version: string,
  lastVersion: string,
  heldMs: number,
  failing: LongPollFailure | null,
): PollVerdict {
  const held = heldMs >= MIN_UNCHANGED_POLL_MS;
  if (version === lastVersion && !held) return "unheld";
  // A change answered at once says nothing of a server that does not hold long polls: before, each
  // change logged longpoll-restored, and the next wait longpoll-failed again (found by a review).
  if (failing === "unheld" && !held) return "changed-unheld";
  return version !== lastVersion ? "changed" : "held";
}
