// The removal guard's memory across the cycles of one loop, and a guard that has not read the disk yet.
import type { PendingRemoval, RemovalGuardSettings } from "./decide-removal-hold.js";
import { createLogPace, type LogPace } from "./log-removal-decision.js";

// The guard's memory across the cycles of one loop (no global state).
export interface RemovalGuard {
  settings: RemovalGuardSettings;
  /** servers the files on disk route: undefined until read, null when there is no backends file */
  applied: ReadonlySet<string> | null | undefined;
  /** the aliases of the map on disk (key → backend): undefined until read, null when there is none */
  appliedAliases: ReadonlyMap<string, string> | null | undefined;
  /** the removal held, or released (confirmed or expired) and not on disk yet: a write that fails right
   * after the release must not start a new window for the same removal */
  pending: PendingRemoval | null;
  /** the confirmation windows running, oldest first (two at most): removals count against what the files
   * routed when each began as well as against `applied`. Before, each step counted against the last file
   * written only: 10 → 8 → 4 → 2 → 1 servers, each step within the share, went through unheld in 2.5 s
   * (found by a review). A window ends once confirmMs old and the next begins half a window after the
   * newest (neither during a hold; after a released hold one starts again): with one window that moved on
   * as a whole, a burst straddling that moment (10 → 5 just before, 5 → 3 just after) went through as two
   * steps within the share (a known gap until 2026-12-05); a burst within half a window now falls in one. */
  windows: GuardWindow[];
  /** a hold was released: the windows start again at the next cycle, from the files it wrote */
  windowDue: boolean;
  /** how the guard's lines are paced: an answer that flaps logs once per window */
  logPace: LogPace;
  /** the aliases read from the map on disk at start, until the first map this process writes or finds
   * equal: parseMapAliases cannot tell a `hosts` claim under the domain from an alias */
  diskAliases: ReadonlyMap<string, string> | null;
}

// One confirmation window: what the files routed when it began (`since`, a monotonic time). Its aliases
// follow a move to another backend once written (followMovedAliases).
export interface GuardWindow {
  servers: ReadonlySet<string> | null;
  aliases: ReadonlyMap<string, string> | null;
  since: number;
}

// A guard that has not looked at the disk yet.
export function createRemovalGuard(settings: RemovalGuardSettings): RemovalGuard {
  return {
    settings,
    applied: undefined,
    appliedAliases: undefined,
    pending: null,
    windows: [],
    windowDue: false,
    logPace: createLogPace(),
    diskAliases: null,
  };
}
