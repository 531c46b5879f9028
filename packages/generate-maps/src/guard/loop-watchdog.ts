// Metadata faults that are not errors, seen from the loop's rhythm: a version that moves on every request
// without any routing change (churn: cycles are slowed down and it is logged once), and a change that
// only the interval refetch found (the long poll did not report it: it hangs). Only a change /version
// showed while the long poll still waited counts: one landing after the interval cut it could not have
// been reported (before, it was warned about as missed; found by a review).
import type { Logger } from "@rancher-haproxy/core";
import type { FileOutcome } from "../output/write-outputs.js";
import type { WakeReason } from "../sources/version-watcher.js";
import type { RemovalDecision } from "./decide-removal-hold.js";

// Why a cycle ran: the watcher's reasons, the first cycle, a retry after a failure, or a hold's deadline.
export type LoopWake = WakeReason | "start" | "retry" | "hold-expired";

// This many version changes in a row with nothing to write is churn, not a busy environment.
export const CHURN_THRESHOLD = 10;
// The gap between cycles while the version churns (instead of MIN_CYCLE_GAP_MS): a real change still
// lands within about a second, and a churning server is not refetched four times a second.
export const CHURN_CYCLE_GAP_MS = 1000;
// An idle change this long or more after the cycle before is a busy environment (containers the routing
// does not see changing), not churn: it resets the count and ends a churn. Before, ten unrelated changes
// in a row started it, and only a whole quiet interval ended it, which a busy environment may never have
// (found by a review). Twice the churn gap, so a churning server slowed to it still counts.
export const CHURN_SPACING_MS = 2 * CHURN_CYCLE_GAP_MS;

// Whether the version churns, and how many idle changes in a row were seen.
export interface ChurnState {
  churning: boolean;
  idleChanges: number;
}

// One step of churn detection: a change wake that wrote nothing counts when it came within
// CHURN_SPACING_MS of the cycle before (`sinceLastMs`), an interval wake (the version stayed put for a
// whole interval) or a slower idle change ends the churn, a change that wrote something resets the count.
export function observeChurn(
  state: ChurnState,
  wake: LoopWake,
  changed: boolean,
  sinceLastMs = 0,
): { state: ChurnState; transition: "started" | "ended" | null } {
  if (wake === "changed" && !changed && sinceLastMs >= CHURN_SPACING_MS)
    return { state: { churning: false, idleChanges: 0 }, transition: state.churning ? "ended" : null };
  if (wake === "changed" && !changed) {
    const idleChanges = state.idleChanges + 1;
    const starts = !state.churning && idleChanges >= CHURN_THRESHOLD;
    return {
      state: { churning: state.churning || starts, idleChanges },
      transition: starts ? "started" : null,
    };
  }
  if (wake === "changed") return { state: { ...state, idleChanges: 0 }, transition: null };
  if (wake === "interval")
    return { state: { churning: false, idleChanges: 0 }, transition: state.churning ? "ended" : null };
  return { state, transition: null };
}

// Whether a cycle found a routing change, for the churn count: a file written, or a removal held (it is
// one, not written yet; a hold while containers flip health one by one is no "version churn").
export function cycleMovedRouting(cycle: {
  outcomes: readonly FileOutcome[];
  guard: RemovalDecision | null;
}): boolean {
  return cycle.outcomes.some((outcome) => outcome.status === "changed") || cycle.guard?.action === "hold";
}

// What the loop tells the watchdog after every successful cycle (and every interval whose cheap check
// stood in for one), and asks it before the next.
export interface LoopWatchdog {
  /** `cutSaw`: for an interval wake, the version /version answered while the long poll still waited
   * (VersionWatcher.cut; null: none was read, so no change can be said missed) */
  afterCycle(wake: LoopWake, version: string, changed: boolean, cutSaw?: string | null): void;
  /** the least time between two cycle starts right now */
  minGapMs(normalGapMs: number): number;
}

// A watchdog for one loop, logging to `logger`; `now` is the monotonic clock (ms) the cycles are spaced on.
export function createLoopWatchdog(
  logger: Logger,
  now: () => number = () => performance.now(),
): LoopWatchdog {
  let churn: ChurnState = { churning: false, idleChanges: 0 };
  let lastVersion: string | null = null;
  let missLogged = false;
  let lastAt: number | null = null;
  return {
    afterCycle(wake, version, changed, cutSaw = version) {
      const at = now();
      const step = observeChurn(churn, wake, changed, lastAt === null ? 0 : at - lastAt);
      lastAt = at;
      churn = step.state;
      if (step.transition === "started")
        logger.warn(
          { event: "version-churn", idleChanges: churn.idleChanges, gapMs: CHURN_CYCLE_GAP_MS },
          `the metadata version moved ${churn.idleChanges} times in a row without any routing change: ` +
            `one cycle per ${CHURN_CYCLE_GAP_MS / 1000} s at most until it settles`,
        );
      if (step.transition === "ended")
        logger.info({ event: "version-churn-ended" }, "the metadata version is stable again");
      if (wake === "changed") missLogged = false;
      const missed = cutSaw !== null && cutSaw !== lastVersion;
      if (wake === "interval" && lastVersion !== null && missed && !missLogged) {
        missLogged = true;
        logger.warn(
          { event: "longpoll-missed-change", from: lastVersion, to: cutSaw },
          `the version moved from ${lastVersion} to ${cutSaw} but the long poll did not report it: ` +
            "changes are picked up by the interval refetch only until it does",
        );
      }
      lastVersion = version;
    },
    minGapMs: (normalGapMs) => (churn.churning ? Math.max(normalGapMs, CHURN_CYCLE_GAP_MS) : normalGapMs),
  };
}
