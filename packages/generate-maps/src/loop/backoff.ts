// Retry delays after failed cycles: 0.5 s, 1 s, 2 s, ... capped at the poll interval and at 10 s, so a
// metadata outage is retried often enough to recover fast, and never more often than twice a second.
export const BACKOFF_START_MS = 500;
export const BACKOFF_CAP_MS = 10_000;

// The delay before retry number `failures` (1 = after the first failure).
export function backoffMs(failures: number, intervalMs: number): number {
  const exponent = Math.min(Math.max(failures, 1) - 1, 20);
  return Math.min(BACKOFF_START_MS * 2 ** exponent, intervalMs, BACKOFF_CAP_MS);
}
