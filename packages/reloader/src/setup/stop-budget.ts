// The stop budget (`--stop-timeout`) runs from the stop's signal, not from the step that stops HAProxy:
// a start abandoned by a stop may have held it for a while first (its question to a silent master's
// socket, up to 2 s), and the whole stop has to end within a container's stop grace.

// What is left of the budget, read when HAProxy's stop begins; `close` drops the watch on the signal.
export interface StopBudget {
  remainingMs(): number;
  close(): void;
}

// Times `budgetMs` from the moment `stop` aborts (from now when it already has); the whole budget while
// no stop came (a start that fails by itself), never less than 0.
export function stopBudget(stop: AbortSignal | undefined, budgetMs: number): StopBudget {
  let stoppedAt = stop?.aborted ? performance.now() : null;
  const onAbort = () => void (stoppedAt = performance.now());
  if (stop && stoppedAt === null) stop.addEventListener("abort", onAbort, { once: true });
  return {
    remainingMs: () =>
      stoppedAt === null ? budgetMs : Math.max(0, Math.round(budgetMs - (performance.now() - stoppedAt))),
    close: () => stop?.removeEventListener("abort", onAbort),
  };
}
