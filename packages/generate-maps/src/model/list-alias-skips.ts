// How many skipped aliases /routes and a cycle's log list one by one: an aliases answer of 100 000 names
// of a stack no routed container has gave 100 000 skips, a 60 MB /routes and 87 MB of log lines in one
// cycle (841 MB of RSS, found by a review). The table keeps them all (/explain?host= explains each, the
// metric and counts.skippedAliases count each); past the budget a list counts them by code. Pure.
import type { AliasSkipCode } from "./reasons.js";
import type { SkippedAlias } from "./routing-table.js";

// The most skipped aliases of one code a list gives; real answers name a few dozen aliases in all.
export const MAX_LISTED_ALIAS_SKIPS = 1_000;

// The first `max` skips of each code of `skips`, in their order, and how many of each code are left out
// (codes with none left out are absent).
export function listAliasSkips<T extends Pick<SkippedAlias, "code">>(
  skips: readonly T[],
  max: number = MAX_LISTED_ALIAS_SKIPS,
): { listed: T[]; unlisted: Map<AliasSkipCode, number> } {
  const seen = new Map<AliasSkipCode, number>();
  const unlisted = new Map<AliasSkipCode, number>();
  const listed: T[] = [];
  for (const skip of skips) {
    const count = (seen.get(skip.code) ?? 0) + 1;
    seen.set(skip.code, count);
    if (count <= max) listed.push(skip);
    else unlisted.set(skip.code, count - max);
  }
  return { listed, unlisted };
}
