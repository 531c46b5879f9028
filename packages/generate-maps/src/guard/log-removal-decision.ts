// The guard's log lines: `guard.hold` when a hold starts or restarts (warn), `guard.release` when it ends
// (warn when a reduced answer is applied after its window or after the longest hold, info when the
// answer came back by itself).
import type { Logger } from "@rancher-haproxy/core";
import {
  heldCount,
  MAX_HOLD_WINDOWS,
  type RemovalDecision,
  type RemovalGuardSettings,
} from "./decide-removal-hold.js";

// Logs what a decision changed; a hold that simply goes on logs at debug only.
export function logRemovalDecision(
  logger: Logger,
  decision: RemovalDecision,
  settings: RemovalGuardSettings,
): void {
  const { applied, removed, share } = decision.removal;
  const counts = {
    applied,
    removed,
    removedShare: round(share),
    aliasesApplied: decision.aliases.applied,
    aliasesRemoved: decision.aliases.removed,
    maxRemovalShare: settings.maxRemovalShare,
  };
  if (decision.action === "hold") {
    const fields = {
      event: decision.started ? "guard.hold" : "guard.holding",
      ...counts,
      since: new Date(decision.shown.since).toISOString(),
      heldSince: new Date(decision.shown.heldSince).toISOString(),
      releaseAt: new Date(decision.shown.releaseAt).toISOString(),
      confirmSeconds: settings.confirmMs / 1000,
    };
    if (decision.started) logger.warn(fields, decision.reason);
    else logger.debug(fields, `still holding the last files: ${decision.reason}`);
    return;
  }
  const { release } = decision;
  if (release === null) return;
  const fields = { event: "guard.release", outcome: release.outcome, heldMs: release.heldMs, ...counts };
  const seconds = Math.round(release.heldMs / 100) / 10;
  const { count, words } = heldCount(decision, settings.maxRemovalShare);
  const removes = `${count.removed} of ${count.applied} ${words}`;
  if (release.outcome === "expired")
    logger.warn(
      fields,
      `applying the newest reduced answer: it removes ${removes}, and reduced answers kept changing for ${seconds} s (${MAX_HOLD_WINDOWS} windows), which is no flap`,
    );
  else if (release.outcome === "confirmed")
    logger.warn(
      fields,
      `applying the reduced answer: it removes ${removes} and stayed the same for ${seconds} s`,
    );
  else
    logger.info(
      fields,
      `hold ended after ${seconds} s: metadata no longer removes more than the allowed share (${removed} of ${applied} routed containers, ${decision.aliases.removed} of ${decision.aliases.applied} aliases), applying it as usual`,
    );
}

function round(share: number): number {
  return Math.round(share * 1000) / 1000;
}
