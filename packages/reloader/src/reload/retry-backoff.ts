// Doubling delays with a ceiling: the pace of HAProxy restarts and of retries of a change that did
// not go live.

// The delay before attempt `attempt` (1-based): firstMs, 2×firstMs, 4×firstMs, … at most maxMs.
export function doublingDelayMs(attempt: number, firstMs: number, maxMs: number): number {
  return Math.min(firstMs * 2 ** Math.max(0, attempt - 1), maxMs);
}

// Consecutive-failure count and the next delay (pure, no timers); reset() after a success.
export class RetryBackoff {
  private failures = 0;

  constructor(
    private readonly firstMs: number,
    private readonly maxMs: number,
  ) {}

  // One more failure: its attempt number and how long to wait before the next try.
  next(): { attempt: number; delayMs: number } {
    this.failures += 1;
    return { attempt: this.failures, delayMs: doublingDelayMs(this.failures, this.firstMs, this.maxMs) };
  }

  // The change went live (or settled): the next failure waits firstMs again.
  reset(): void {
    this.failures = 0;
  }
}
