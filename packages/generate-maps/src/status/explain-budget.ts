// How much of the loop /explain answers may take: an answer over a large table costs ~100 ms and a few
// MB, and the status port is open to the network, so a client asking again and again (64 connections of
// 8 pipelined requests each) held the loop for 36 s and 700 MB. /explain may take EXPLAIN_BUDGET_MS of
// each second of the loop, on average (a token bucket); past that it answers 503 until the budget is
// back, and /healthz, /routes, /metrics and the cycles go on.

// The loop time (ms) /explain answers may take per EXPLAIN_WINDOW_MS.
export const EXPLAIN_BUDGET_MS = 100;
export const EXPLAIN_WINDOW_MS = 1000;

// The loop time /explain may still take: EXPLAIN_BUDGET_MS, refilled at EXPLAIN_BUDGET_MS per
// EXPLAIN_WINDOW_MS up to that, and each answer's own time taken off (it may go below zero: an answer of
// 1.2 s is paid back over 12 s, so a costly answer never buys a fresh window). `now`: the monotonic clock.
export class ExplainBudget {
  private leftMs: number;
  private last: number | null = null;

  constructor(
    private readonly now: () => number,
    private readonly budgetMs = EXPLAIN_BUDGET_MS,
    private readonly windowMs = EXPLAIN_WINDOW_MS,
  ) {
    this.leftMs = budgetMs;
  }

  // Runs `answer` when some budget is left (its time taken off), else returns null.
  spend<T>(answer: () => T): T | null {
    const start = this.now();
    if (this.last !== null)
      this.leftMs = Math.min(
        this.budgetMs,
        this.leftMs + (Math.max(0, start - this.last) * this.budgetMs) / this.windowMs,
      );
    this.last = start;
    if (this.leftMs <= 0) return null;
    try {
      return answer();
    } finally {
      const end = this.now();
      this.leftMs -= Math.max(0, end - start);
      this.last = end;
    }
  }
}
