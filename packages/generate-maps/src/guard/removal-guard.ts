// The guard stage of a cycle, between the model and the writers: remembers what the files on disk route,
// the servers of the backends file and the aliases of the map (read on the first cycle, so a restart
// during an outage keeps its routes; then the files this process wrote or found equal), asks
// decideRemovalHold, logs holds and releases.
import type { Logger } from "@rancher-haproxy/core";
import type { ClockReading } from "../loop/clock.js";
import type { RoutingTable } from "../model/routing-table.js";
import type { FileOutcome } from "../output/write-outputs.js";
import { decideRemovalHold, type RemovalDecision } from "./decide-removal-hold.js";
import {
  countAliasRemoval,
  countWindowAliasRemoval,
  followMovedAliases,
  routedAliases,
} from "./alias-keys.js";
import type { RemovalGuard } from "./create-removal-guard.js";
import { fingerprintTable } from "./fingerprint-table.js";
import { logRemovalDecision } from "./log-removal-decision.js";
import { readAppliedAliases, readAppliedServers, type GuardedFiles } from "./read-applied.js";
import { routedServerKeys } from "./server-keys.js";

// The files checkRemovals reads its baseline from (defined beside the reads, read-applied.ts).
export type { GuardedFiles } from "./read-applied.js";

// Decides whether this cycle's table may be written at `now` (windows on its monotonic time, shown times
// on its wall time); logs when a hold starts, restarts or ends.
export async function checkRemovals(
  guard: RemovalGuard,
  table: RoutingTable,
  files: GuardedFiles,
  logger: Logger,
  now: ClockReading,
): Promise<RemovalDecision> {
  if (guard.applied === undefined) guard.applied = await readAppliedServers(files.backendsPath, logger);
  if (guard.appliedAliases === undefined) {
    guard.appliedAliases = await readAppliedAliases(files, logger);
    guard.diskAliases = guard.appliedAliases;
  }
  moveWindows(guard, now.monotonic);
  const decision = decideRemovalHold({
    applied: guard.applied ?? null,
    windowStarts: guard.windows.map((window) => window.servers),
    candidate: routedServerKeys(table),
    aliases: countAliasRemoval(guard.appliedAliases ?? null, table),
    windowAliases: guard.windows.map((window) =>
      countWindowAliasRemoval(window.aliases, guard.appliedAliases ?? null, table),
    ),
    fingerprint: fingerprintTable(table),
    pending: guard.pending,
    now: now.monotonic,
    wallNow: now.wall,
    settings: guard.settings,
  });
  // Released for good (confirmed, expired): kept until noteWritten sees both files hold the table, so
  // the next cycle after a failed write releases the same removal again instead of holding it anew.
  const released =
    decision.action === "apply" && decision.release !== null && decision.release.outcome !== "recovered";
  guard.pending = decision.action === "hold" ? decision.pending : released ? guard.pending : null;
  // What a released hold writes is the new baseline: the window must not hold it again.
  if (released) guard.windowDue = true;
  logRemovalDecision(logger, decision, guard.settings, guard.logPace, now.monotonic);
  return decision;
}

// Ends and begins the windows at `now` (the monotonic clock), before a decision. A window with nothing to
// protect (no files yet) gives way to the first files there are, one confirmMs old ends, and a new one
// begins once the newest is half a window old, unless a hold is running (it ends by its own confirmation
// or recovery); after a released hold a single window starts again from the files it wrote.
function moveWindows(guard: RemovalGuard, now: number): void {
  const { confirmMs } = guard.settings;
  if (guard.windowDue) guard.windows = [];
  guard.windowDue = false;
  if (guard.pending === null)
    guard.windows = guard.windows.filter(
      (window) => window.servers !== null && now - window.since < confirmMs,
    );
  const newest = guard.windows.at(-1);
  if (newest === undefined || (guard.pending === null && now - newest.since >= confirmMs / 2))
    guard.windows.push({ servers: guard.applied ?? null, aliases: guard.appliedAliases ?? null, since: now });
}

// After the writers ran: once a file holds the table (written or already equal), it is the baseline:
// the backends file for the servers, the map for the aliases.
export function noteWritten(
  guard: RemovalGuard,
  table: RoutingTable,
  outcomes: readonly FileOutcome[],
): void {
  // (A file changed to an earlier step, the union backends, does not hold the table yet.)
  const holds = (outcome: FileOutcome | undefined) =>
    (outcome?.status === "changed" && outcome.unfinished === undefined) || outcome?.status === "unchanged";
  if (holds(outcomes[0])) guard.applied = routedServerKeys(table);
  if (holds(outcomes[1])) {
    guard.appliedAliases = routedAliases(table);
    const applied = guard.appliedAliases;
    let claims: Set<string> | undefined;
    guard.windows = guard.windows.map((window) => {
      let aliases = window.aliases;
      if (aliases === null) return window;
      // A window begun on the map read at start counted its `hosts` claims under the domain as aliases:
      // once a written table tells them apart, they leave it (before, an ordinary edit of such a label
      // within a window of a restart was held as a mass removal of aliases; found by a review).
      if (aliases === guard.diskAliases) {
        claims ??= new Set(table.hosts.filter((host) => host.source === "hosts").map((host) => host.fqdn));
        const hosts = claims;
        aliases = new Map([...aliases].filter(([key]) => !hosts.has(key)));
      }
      // An alias moved to another stack since the window began is counted at the stack it is on now.
      aliases = followMovedAliases(aliases, applied);
      return aliases === window.aliases ? window : { ...window, aliases };
    });
    guard.diskAliases = null;
  }
  if (holds(outcomes[0]) && holds(outcomes[1])) guard.pending = null;
}
