// The guard stage of a cycle, between the model and the writers: remembers what the files on disk route,
// the servers of the backends file and the aliases of the map (read on the first cycle, so a restart
// during an outage keeps its routes; then the files this process wrote or found equal), asks
// decideRemovalHold, logs holds and releases.
import { readRegularFile, type Logger } from "@rancher-haproxy/core";
import type { ClockReading } from "../loop/clock.js";
import type { RoutingTable } from "../model/routing-table.js";
import type { FileOutcome } from "../output/write-outputs.js";
import {
  decideRemovalHold,
  type PendingRemoval,
  type RemovalDecision,
  type RemovalGuardSettings,
} from "./decide-removal-hold.js";
import {
  countAliasRemoval,
  countWindowAliasRemoval,
  followMovedAliases,
  parseMapAliases,
  routedAliases,
} from "./alias-keys.js";
import { fingerprintTable } from "./fingerprint-table.js";
import { createLogPace, logRemovalDecision, type LogPace } from "./log-removal-decision.js";
import { parseServerKeys, routedServerKeys } from "./server-keys.js";

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

// Where the files are, and the domain of the stacks' own host names.
export interface GuardedFiles {
  backendsPath: string;
  domainMapPath: string;
  domain: string;
}

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

// The most bytes of a file on disk read as the guard's baseline. The shared volume is untrusted: under
// core's 64 MiB cap a map of short lines cost ≈ 10 s and ≈ 0.9 GB at each start. The files of 250 000
// containers (the /containers entry cap) are ≈ 20 MB of backends and ≈ 13 MB of map.
export const GUARD_BASELINE_MAX_BYTES = 32 * 1024 * 1024;

// The aliases of the map on disk; null when there is no map or it cannot be read (then the aliases are
// guarded from the first map this process writes or finds equal).
async function readAppliedAliases(
  files: GuardedFiles,
  logger: Logger,
): Promise<ReadonlyMap<string, string> | null> {
  const found = await readMapAliasKeys(files.domainMapPath, files.domain);
  if (found.kind === "refused") logUnread(logger, files.domainMapPath, found.reason);
  return found.kind === "keys" ? found.keys : null;
}

// The alias keys (key → backend, parseMapAliases) of the map at `path`, read under the baseline cap: the
// guard's baseline, and the aliases a generator that metadata does not know starts with.
export async function readMapAliasKeys(
  path: string,
  domain: string,
): Promise<
  { kind: "keys"; keys: Map<string, string> } | { kind: "refused"; reason: string } | { kind: "none" }
> {
  try {
    const found = await readRegularFile(path, GUARD_BASELINE_MAX_BYTES);
    if (found.kind === "refused") return found;
    return found.kind === "file"
      ? { kind: "keys", keys: parseMapAliases(found.content, domain) }
      : { kind: "none" };
  } catch (error) {
    // Not "none": a map that exists but cannot be read (EACCES, EIO, a name too long) is said, not lost.
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    return { kind: "refused", reason: `it cannot be read (${code})` };
  }
}

// The servers of the backends file on disk; null when it does not exist or is refused (it is replaced);
// undefined (read again next cycle) when it cannot be read, since the write will fail anyway.
async function readAppliedServers(
  path: string,
  logger: Logger,
): Promise<ReadonlySet<string> | null | undefined> {
  try {
    const found = await readRegularFile(path, GUARD_BASELINE_MAX_BYTES);
    if (found.kind === "refused") logUnread(logger, path, found.reason);
    return found.kind === "file" ? parseServerKeys(found.content) : null;
  } catch {
    return undefined;
  }
}

// A file on disk the guard could not take as its baseline: what it routes is not protected this time.
function logUnread(logger: Logger, path: string, reason: string): void {
  logger.warn(
    { event: "guard.baseline-unread", path, reason },
    `the removal guard does not read ${path} (${reason}): what it routes is not protected from a mass removal`,
  );
}
