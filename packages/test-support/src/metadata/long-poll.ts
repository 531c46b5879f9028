// Long polls (`?wait=true&value=V&maxWait=N`), timed like the real server's LookupAnswer.
import { goSprint } from "./go-format.js";
import type { LongPollHub } from "./long-poll-hub.js";
import type { Match } from "./match-path.js";

// The real server's wait budget: 0 (omitted, unparsable) means 60 s, more than 120 s is capped;
// a negative maxWait is kept, so such a poll returns at once.
export function effectiveMaxWaitMs(maxWaitSeconds: number): number {
  if (maxWaitSeconds === 0) return 60_000;
  return Math.min(maxWaitSeconds, 120) * 1000;
}

// What a long poll needs from the server: a fresh lookup and whether the `longpoll-hang` fault holds it.
export interface LongPollSource {
  match(): Match;
  hanging(): boolean;
  hub: LongPollHub;
}

// Waits until the value at the path exists and prints differently from `oldValue`, or until maxWait
// has passed at a wake-up (a tick of the shared ticker or a reload), so N to N+tick for an unchanged
// value. Resolves false when the client went away or the server closed.
export async function longPoll(
  source: LongPollSource,
  oldValue: string,
  maxWaitMs: number,
  signal: AbortSignal,
): Promise<boolean> {
  const start = Date.now();
  for (;;) {
    if (!source.hanging()) {
      if (Date.now() - start > maxWaitMs) return true;
      const match = source.match();
      if (match.found && goSprint(match.value) !== oldValue) return true;
    }
    if (!(await source.hub.next(signal))) return false;
  }
}
