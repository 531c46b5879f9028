// The guard's log lines: `guard.hold` when a hold starts or restarts (warn), `guard.release` when it ends
// (warn when a reduced answer is applied after its window or after the longest hold, info when the
// answer came back by itself). An answer that flaps (reduced, whole, reduced…, or between two reduced
// answers) logged a line per flip: 38 holds in 20 s in a review. Within one window from the first line
// logged, a hold of a reduced answer already logged in it, and every recovery after the first, go to
// debug only; the next line logged says how many did (LogPace). A new reduced answer is always logged.
import type { Logger } from "@rancher-haproxy/core";
import {
  heldCount,
  MAX_HOLD_WINDOWS,
  type RemovalDecision,
  type RemovalGuardSettings,
} from "./decide-removal-hold.js";

// How the guard's lines are paced (one per guard): a quiet period runs until `quietUntil` (a monotonic
// time) from the first hold or recovery logged; `held`: the reduced answers (fingerprints) logged in it,
// `recovered`: whether a recovery was; `muted` counts the lines sent to debug since the last one logged.
export interface LogPace {
  quietUntil: number;
  muted: number;
  held: Set<string>;
  recovered: boolean;
}

// A pace with no quiet period running.
export function createLogPace(): LogPace {
  return { quietUntil: -Infinity, muted: 0, held: new Set(), recovered: false };
}

// The most reduced answers a quiet period remembers: past that, each new one is logged.
const MAX_REMEMBERED_HOLDS = 16;

// Logs what a decision taken at `now` (the monotonic clock) changed; a hold that simply goes on logs at
// debug only, and so do the holds and recoveries of an answer that flaps (`pace`).
export function logRemovalDecision(
  logger: Logger,
  decision: RemovalDecision,
  settings: RemovalGuardSettings,
  pace: LogPace,
  now: number,
): void {
  const muted = isFlipAgain(decision, pace, now);
  if (muted) pace.muted += 1;
  else notePaced(decision, pace, now, settings.confirmMs);
  write(muted ? withLevel(logger, "debug") : withMuted(logger, pace), decision, settings);
}

// True for a hold of a reduced answer already logged in the running quiet period, or a recovery after
// the period's first.
function isFlipAgain(decision: RemovalDecision, pace: LogPace, now: number): boolean {
  if (now >= pace.quietUntil) return false;
  if (decision.action === "hold") return decision.started && pace.held.has(decision.pending.fingerprint);
  return decision.release?.outcome === "recovered" && pace.recovered;
}

// Remembers a hold or a recovery logged at its usual level (the first one starts a quiet period).
function notePaced(decision: RemovalDecision, pace: LogPace, now: number, confirmMs: number): void {
  const hold = decision.action === "hold" && decision.started;
  const recovery = decision.action === "apply" && decision.release?.outcome === "recovered";
  if (!hold && !recovery) return;
  if (now >= pace.quietUntil) {
    pace.quietUntil = now + confirmMs;
    pace.held.clear();
    pace.recovered = false;
  }
  if (decision.action === "hold" && pace.held.size < MAX_REMEMBERED_HOLDS)
    pace.held.add(decision.pending.fingerprint);
  if (recovery) pace.recovered = true;
}

// The lines one decision writes.
function write(logger: PacedLogger, decision: RemovalDecision, settings: RemovalGuardSettings): void {
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

// The levels the guard writes at.
interface PacedLogger {
  warn(fields: object, msg: string): void;
  info(fields: object, msg: string): void;
  debug(fields: object, msg: string): void;
}

// Every line at debug: a muted flip.
function withLevel(logger: Logger, level: "debug"): PacedLogger {
  const at = (fields: object, msg: string) => logger[level](fields, msg);
  return { warn: at, info: at, debug: at };
}

// The warn and info lines carry how many flips were muted since the last one (then none are).
function withMuted(logger: Logger, pace: LogPace): PacedLogger {
  const carry = (level: "warn" | "info") => (fields: object, msg: string) => {
    const muted = pace.muted;
    pace.muted = 0;
    if (muted === 0) logger[level](fields, msg);
    else
      logger[level](
        { ...fields, mutedSinceLast: muted },
        `${msg} (${muted} holds and recoveries before this one were logged at debug only: the answer flaps)`,
      );
  };
  return { warn: carry("warn"), info: carry("info"), debug: (fields, msg) => logger.debug(fields, msg) };
}

function round(share: number): number {
  return Math.round(share * 1000) / 1000;
}
