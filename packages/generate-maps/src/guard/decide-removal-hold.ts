// The mass-removal guard's decision, pure and clocked from outside: apply a new routing table at once, or
// keep the last files until the same reduced answer has been seen for the whole confirmation window.
// Its windows run on the monotonic clock (a wall clock stepped back would stretch a hold by the step);
// the wall clock only dates the times it shows.
import { wallTimeOf } from "../loop/clock.js";
import { countRemoval, countWindowRemoval, NO_REMOVAL, worse, type RemovalCount } from "./count-removal.js";

// How the guard is set (validated options): removing more than `maxRemovalShare` of the routed servers
// (or of the aliases of stacks still routed) in one cycle needs `confirmMs` of the same answer first.
export interface RemovalGuardSettings {
  /** 0-1: the share of the applied servers one cycle may remove without confirmation */
  maxRemovalShare: number;
  /** how long the same reduced answer must be seen before it is applied; 0 disables the guard */
  confirmMs: number;
}

// A reduced answer being waited on: which one (fingerprint) and since when (a monotonic time, ms), and
// since when the files have been held at all (other reduced answers before this one included).
export interface PendingRemoval {
  fingerprint: string;
  since: number;
  /** the start of the whole hold (`since` of its first reduced answer) */
  heldSince: number;
}

// How many confirmation windows a hold may last in all. Each new reduced answer restarts its window, so
// answers that keep changing (a crash-looping container coming and going, while stacks are really gone)
// held the files for ever: real removals and new containers alike were never written. Past this the
// newest answer is applied (`expired`): metadata that keeps moving for minutes is not a flap.
export const MAX_HOLD_WINDOWS = 4;

// The fewest aliases one cycle must drop to be held: removing one alias is an edit of the proxy's
// metadata (issue 12 applies it at once through the runtime API), a flap of the aliases answer drops all.
export const MIN_HELD_ALIASES = 2;

// The guard's verdict for one cycle. `apply` may end a hold: `confirmed` (the reduced answer lasted the
// whole window), `recovered` (the answer came back within the allowed share before that) or `expired`
// (reduced answers kept changing for MAX_HOLD_WINDOWS windows). `since`/`heldMs`: the whole hold
// (`since` a monotonic time).
export type RemovalDecision =
  | {
      action: "apply";
      removal: RemovalCount;
      aliases: RemovalCount;
      release: { outcome: "confirmed" | "recovered" | "expired"; since: number; heldMs: number } | null;
    }
  | {
      action: "hold";
      removal: RemovalCount;
      aliases: RemovalCount;
      pending: PendingRemoval;
      /** when this answer will be applied if it stays the same (a monotonic time, ms) */
      releaseAt: number;
      /** pending.since, pending.heldSince and releaseAt as the wall clock of the decision dates them (ms
       * since the epoch): what logs and answers show */
      shown: { since: number; heldSince: number; releaseAt: number };
      /** true on the cycle the hold (re)started: a new reduced answer */
      started: boolean;
      reason: string;
    };

// What one decision looks at.
export interface RemovalInput {
  /** the servers the files on disk route; null when there are no files yet (nothing to protect) */
  applied: ReadonlySet<string> | null;
  /** the servers the files routed when each running confirmation window began (removal-guard.ts): a
   * removal counts against each and the applied ones together too, so steps that each stay within the
   * share cannot add up unheld, while servers added since (a new deployment) still count as routed */
  windowStarts?: readonly (ReadonlySet<string> | null)[];
  candidate: ReadonlySet<string>;
  /** the aliases the candidate drops while their stacks stay routed (countAliasRemoval); none when absent */
  aliases?: RemovalCount;
  /** the same over each running window (countWindowAliasRemoval): alias removals in steps add up too */
  windowAliases?: readonly RemovalCount[];
  /** fingerprint of the candidate's files: the hold restarts when it changes */
  fingerprint: string;
  pending: PendingRemoval | null;
  /** the monotonic clock (ms): every window is measured on it */
  now: number;
  /** the wall clock at `now` (ms since the epoch), only to date the times shown */
  wallNow: number;
  settings: RemovalGuardSettings;
}

// Holds a candidate that removes more than the allowed share of the applied servers (N -> 0 included), or
// of the aliases of stacks it still routes (two at least), until that same candidate has been seen for
// confirmMs; everything else applies at once.
export function decideRemovalHold(input: RemovalInput): RemovalDecision {
  const { applied, candidate, pending, now, settings } = input;
  const removal = (input.windowStarts ?? []).reduce(
    (count, start) => worse(count, countWindowRemoval(start, applied, candidate)),
    countRemoval(applied, candidate),
  );
  const aliases = judgedAliases(input.aliases ?? NO_REMOVAL, input.windowAliases ?? [], settings);
  const massive = settings.confirmMs > 0 && (isOver(removal, settings) || areAliasesOver(aliases, settings));
  const heldSince = pending === null ? now : pending.heldSince;
  const ended = (outcome: "confirmed" | "recovered" | "expired") => ({
    outcome,
    since: heldSince,
    heldMs: now - heldSince,
  });
  if (!massive)
    return { action: "apply", removal, aliases, release: pending === null ? null : ended("recovered") };
  if (
    pending !== null &&
    pending.fingerprint === input.fingerprint &&
    now - pending.since >= settings.confirmMs
  )
    return { action: "apply", removal, aliases, release: ended("confirmed") };
  const limit = heldSince + MAX_HOLD_WINDOWS * settings.confirmMs;
  if (pending !== null && now >= limit)
    return { action: "apply", removal, aliases, release: ended("expired") };
  const started = pending === null || pending.fingerprint !== input.fingerprint;
  const next = started ? { fingerprint: input.fingerprint, since: now, heldSince } : pending;
  const releaseAt = Math.min(next.since + settings.confirmMs, limit);
  const reading = { monotonic: now, wall: input.wallNow };
  return {
    action: "hold",
    removal,
    aliases,
    pending: next,
    releaseAt,
    shown: {
      since: wallTimeOf(next.since, reading),
      heldSince: wallTimeOf(next.heldSince, reading),
      releaseAt: wallTimeOf(releaseAt, reading),
    },
    started,
    reason: describeHold({ removal, aliases }, settings),
  };
}

// The count a decision is about, in words: the routed containers, or the aliases when they alone are
// over the allowed share (the hold's reason and the guard's log lines say which).
export function heldCount(
  counts: Pick<RemovalDecision, "removal" | "aliases">,
  maxRemovalShare: number,
): { count: RemovalCount; words: string } {
  const { removal, aliases } = counts;
  return !isOver(removal, { maxRemovalShare }) && areAliasesOver(aliases, { maxRemovalShare })
    ? { count: aliases, words: "aliases of stacks still routed" }
    : { count: removal, words: "routed containers" };
}

// The alias count a decision is about: the first over the share, the answer's then the windows' (one
// alias dropped is a share of 1 that is never held, so the larger share alone could hide a window's 7 of
// 10), else the larger.
function judgedAliases(
  answer: RemovalCount,
  windows: readonly RemovalCount[],
  settings: Pick<RemovalGuardSettings, "maxRemovalShare">,
): RemovalCount {
  const counts = [answer, ...windows];
  return counts.find((count) => areAliasesOver(count, settings)) ?? counts.reduce(worse);
}

function isOver(count: RemovalCount, settings: Pick<RemovalGuardSettings, "maxRemovalShare">): boolean {
  return count.share > settings.maxRemovalShare;
}

function areAliasesOver(
  count: RemovalCount,
  settings: Pick<RemovalGuardSettings, "maxRemovalShare">,
): boolean {
  return count.removed >= MIN_HELD_ALIASES && isOver(count, settings);
}

function describeHold(
  counts: Pick<RemovalDecision, "removal" | "aliases">,
  settings: RemovalGuardSettings,
): string {
  const percent = (share: number) => `${Math.round(share * 1000) / 10} %`;
  const { count, words } = heldCount(counts, settings.maxRemovalShare);
  return (
    `metadata would remove ${count.removed} of ${count.applied} ${words} at once ` +
    `(${percent(count.share)}, more than ${percent(settings.maxRemovalShare)}): keeping the last files ` +
    `until the same answer has been seen for ${settings.confirmMs / 1000} s`
  );
}
