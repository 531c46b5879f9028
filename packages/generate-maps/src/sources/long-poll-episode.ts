// A failure episode of the long poll: it answered an error, or answered at once without holding. The
// episode keeps the retry's backoff and logs its start and end once each (longpoll-failed,
// longpoll-restored), however many polls fail or work meanwhile. A long poll that answers an error is
// tried again after a backoff (1 s, doubling up to the interval, capped at BACKOFF_CAP_MS) within the same
// wait: before, one dropped connection left changes to the interval (up to 60 s with POLL_INTERVAL=60;
// found by a review).
import type { Logger } from "@rancher-haproxy/core";
import { BACKOFF_CAP_MS } from "../loop/backoff.js";
import { sleep } from "../loop/sleep.js";
import { LONG_POLL_RETRY_MS } from "./long-poll-timing.js";

// How the long poll fails: it answered an error, or the unchanged version at once (the server does not
// hold long polls).
export type LongPollFailure = "error" | "unheld";

// The episode running (or none) across the waits of a watcher at `intervalMs`; `now` is the monotonic clock,
// `pause` how a backoff waits (sleep; a test gives one that records each wait instead of taking it).
export class LongPollEpisode {
  private kind: LongPollFailure | null = null;
  private retryMs = LONG_POLL_RETRY_MS;

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs: number,
    private readonly now: () => number,
    private readonly pause: typeof sleep = sleep,
  ) {}

  // The episode of failure running: null while the long poll works.
  get failing(): LongPollFailure | null {
    return this.kind;
  }

  // A long poll (or the plain read after one) failed with `problem`: waits the retry's backoff, which
  // doubles up to the interval and BACKOFF_CAP_MS, capped by `deadline`; true to try the long poll again.
  failed(problem: string, deadline: number, signal: AbortSignal): Promise<boolean> {
    const wait = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, this.intervalMs, BACKOFF_CAP_MS);
    return this.backOff(problem, "error", wait, deadline, signal);
  }

  // The server answered the unchanged version at once: waits until `deadline` (it is polled at the
  // interval); true when the time passed.
  unheld(deadline: number, signal: AbortSignal): Promise<boolean> {
    const problem = "the server answered the unchanged version at once";
    return this.backOff(problem, "unheld", this.intervalMs, deadline, signal);
  }

  // The long poll worked (answered: a change, or the unchanged version after holding it): the episode ends.
  works(): void {
    if (this.kind !== null)
      this.logger.info({ event: "longpoll-restored" }, "long poll of /version works again");
    this.kind = null;
    this.retryMs = LONG_POLL_RETRY_MS;
  }

  // Logged once per episode; waits `ms` (capped by the deadline): true to try the long poll again.
  private async backOff(
    problem: string,
    kind: LongPollFailure,
    ms: number,
    deadline: number,
    signal: AbortSignal,
  ): Promise<boolean> {
    if (this.kind === null)
      this.logger.warn(
        { event: "longpoll-failed", error: problem },
        `long poll of /version failed, trying again within ${Math.min(ms, this.intervalMs) / 1000} s ` +
          `(backing off up to ${Math.min(this.intervalMs, BACKOFF_CAP_MS) / 1000} s): ${problem}`,
      );
    this.kind = kind;
    return this.pause(Math.min(ms, deadline - this.now()), signal);
  }
}
