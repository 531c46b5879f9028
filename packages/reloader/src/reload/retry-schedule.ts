// When the applier's next pass runs after one that left something to do: a retry with backoff for a
// change that is not live yet (0.5 s, doubling up to 30 s, for as long as it fails; up to 5 s while it
// waits for a silent master), a re-read for inputs that are not settled yet (the debounce, doubling to 5 s).
import type { Logger } from "@rancher-haproxy/core";
import type { ReloaderStatus } from "../state/reloader-status.js";
import { RetryBackoff } from "./retry-backoff.js";

const RETRY_FIRST_MS = 500;
const RETRY_MAX_MS = 30_000;
const UNSETTLED_MAX_MS = 5000;
// The longest wait between retries of a change that waits for the master to answer again after a reload
// timed out: nothing else starts a pass when it does, so a 30 s backoff left the change that long after.
export const WAITING_RETRY_MAX_MS = 5000;

// The one timer for the next pass and the backoffs behind it; `pass` runs when the timer fires.
export class RetrySchedule {
  private readonly backoff = new RetryBackoff(RETRY_FIRST_MS, RETRY_MAX_MS);
  private readonly unsettledBackoff: RetryBackoff;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  /** the retry on record was scheduled while the master had not answered since a reload timed out (or
   * could not be sent): masterAnswered() resolves it */
  private awaitsMaster = false;

  constructor(
    retryMs: number,
    private readonly pass: () => void,
    private readonly report: { logger: Logger; status: ReloaderStatus },
  ) {
    this.unsettledBackoff = new RetryBackoff(Math.max(retryMs, 50), UNSETTLED_MAX_MS);
  }

  // True while a retry or re-read waits for its time (a rescan then leaves it be: it reads the files anyway).
  waiting(): boolean {
    return this.timer !== null;
  }

  // A pass starts (it covers whatever the timer would have run).
  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  // No more timers (the reloader is stopping).
  close(): void {
    this.closed = true;
    this.cancel();
  }

  // The inputs settled (whatever the pass did with them): the next unsettled read waits the debounce.
  settled(): void {
    this.unsettledBackoff.reset();
  }

  // The change is done: the next failure waits 0.5 s again.
  done(): void {
    this.backoff.reset();
  }

  // Read the unsettled inputs again after the next delay of their backoff.
  reread(): void {
    if (this.closed) return;
    this.arm(this.unsettledBackoff.next().delayMs);
  }

  // Try the change that is not live yet again after the next delay of the backoff (status and log say so),
  // at most WAITING_RETRY_MAX_MS later when the change is waiting for a silent master. `awaitsMaster`:
  // the master has not answered since a reload timed out (or could not be sent), see masterAnswered().
  retry(reason: string, waiting = false, awaitsMaster = false): void {
    if (this.closed) return;
    this.awaitsMaster = awaitsMaster;
    const next = this.backoff.next();
    const attempt = next.attempt;
    const delayMs = waiting ? Math.min(next.delayMs, WAITING_RETRY_MAX_MS) : next.delayMs;
    this.report.status.retryScheduled(attempt, Date.now() + delayMs, reason);
    this.report.logger.warn(
      { event: "apply.retry", attempt, delayMs, reason },
      `the change is not live yet (${reason}): trying again in ${delayMs} ms`,
    );
    this.arm(delayMs);
  }

  // The master answered (a held pass asked it after settled()): a retry on record that waited for that is
  // moot, and /healthz said 503 "the master has not answered" for the whole hold. Other failures stay red.
  masterAnswered(): void {
    if (!this.awaitsMaster) return;
    this.awaitsMaster = false;
    this.report.status.retryCleared();
  }

  // Run the next pass after `delayMs`, with no backoff and nothing reported: a held reload asks again.
  recheck(delayMs: number): void {
    if (this.closed) return;
    this.arm(delayMs);
  }

  private arm(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      this.pass();
    }, delayMs);
    this.timer.unref();
  }
}
