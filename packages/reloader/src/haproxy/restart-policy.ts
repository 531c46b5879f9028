// When to restart HAProxy after it died: 0.5 s doubling to 10 s, giving up after `maxRestarts`
// consecutive failures; a run that lasted 10 s or more starts the count again.
import { doublingDelayMs } from "../reload/retry-backoff.js";

// The decision for one exit.
export type RestartDecision =
  { giveUp: false; attempt: number; delayMs: number } | { giveUp: true; failures: number };

const STABLE_UPTIME_MS = 10_000;
const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 10_000;

// Consecutive-failure bookkeeping (pure, no timers).
export class RestartPolicy {
  private failures = 0;

  constructor(private readonly maxRestarts: number) {}

  // HAProxy exited (or could not start) after running uptimeMs.
  next(uptimeMs: number): RestartDecision {
    if (uptimeMs >= STABLE_UPTIME_MS) this.failures = 0;
    this.failures += 1;
    if (this.failures > this.maxRestarts) return { giveUp: true, failures: this.failures - 1 };
    const delayMs = doublingDelayMs(this.failures, FIRST_DELAY_MS, MAX_DELAY_MS);
    return { giveUp: false, attempt: this.failures, delayMs };
  }
}
