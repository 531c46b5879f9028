// When the files on disk began to wait for their apply, as the reloader measured it. Their mtime alone
// was trusted before: a wall clock stepped back (or an mtime set ahead on the shared volume) kept
// /healthz "applying" for as long as the step, and a change the reloader never picked up looked healthy.
// Now the wait counts on the monotonic clock from the first probe that saw these bytes unapplied, plus
// their mtime's age at that moment bounded to [0, capMs] (an old change found at a restart is old at once).
import type { AppliedState } from "./read-applied-state.js";

// The clocks and the bound; `capMs` is set just past the /healthz grace window.
export interface PendingSinceOptions {
  capMs: number;
  /** the wall clock /healthz and /metrics compare `changedAt` with (default Date.now) */
  clock?: () => number;
  /** a clock no one can step (default performance.now) */
  monotonic?: () => number;
}

// Wraps the applied-files probe: an unapplied answer's `changedAt` becomes the wall-clock instant its
// measured wait began, so `now - changedAt` is that wait; applied answers pass through unchanged.
export function withPendingSince(
  probe: () => Promise<AppliedState>,
  options: PendingSinceOptions,
): () => Promise<AppliedState> {
  const clock = options.clock ?? Date.now;
  const monotonic = options.monotonic ?? (() => performance.now());
  let seen: { key: string; at: number; ageThen: number } | null = null;
  return async () => {
    const state = await probe();
    if (state.applied || state.changedAt === null) {
      seen = null;
      return state;
    }
    // The same bytes (or the same unreadable state) keep their first sighting; anything else starts anew.
    const key = state.hash ?? `unreadable ${state.problem ?? ""}`;
    const at = monotonic();
    if (seen === null || seen.key !== key)
      seen = { key, at, ageThen: Math.min(options.capMs, Math.max(0, clock() - state.changedAt)) };
    return { ...state, changedAt: clock() - (seen.ageThen + (at - seen.at)) };
  };
}
