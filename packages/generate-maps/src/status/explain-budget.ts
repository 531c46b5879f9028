// How much of the loop /explain answers may take: an answer over a large table costs ~100 ms and a few
// MB, and the status port is open to the network, so a client asking again and again (64 connections of
// 8 pipelined requests each) held the loop for 36 s and 700 MB. The answers of one second may take
// EXPLAIN_BUDGET_MS of it; past that, /explain answers 503 until the next second, and /healthz, /routes,
// /metrics and the cycles go on.

// The loop time (ms) /explain answers may take per EXPLAIN_WINDOW_MS.
export const EXPLAIN_BUDGET_MS = 100;
export const EXPLAIN_WINDOW_MS = 1000;

// Counts the loop time spent on /explain in the current window; `now` is the monotonic clock (ms).
export class ExplainBudget {
  private windowStart = Number.NEGATIVE_INFINITY;
  private spentMs = 0;

  constructor(
    private readonly now: () => number,
    private readonly budgetMs = EXPLAIN_BUDGET_MS,
    private readonly windowMs = EXPLAIN_WINDOW_MS,
  ) {}

  // Runs `answer` when the window's budget is not spent yet (its time counted), else returns null.
  spend<T>(answer: () => T): T | null {
    const start = this.now();
    if (start - this.windowStart >= this.windowMs) {
      this.windowStart = start;
      this.spentMs = 0;
    }
    if (this.spentMs >= this.budgetMs) return null;
    try {
      return answer();
    } finally {
      this.spentMs += Math.max(0, this.now() - start);
    }
  }
}
