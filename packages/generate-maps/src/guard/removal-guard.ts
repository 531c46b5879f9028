// The guard stage of a cycle, between the model and the writers: remembers what the files on disk route
// (read from the backends file on the first cycle, so a restart during an outage keeps its routes) and
// the aliases the map holds (from the first file this process wrote or found equal), asks
// decideRemovalHold, logs holds and releases.
import { readRegularFile, type Logger } from "@rancher-haproxy/core";
import type { RoutingTable } from "../model/routing-table.js";
import type { FileOutcome } from "../output/write-outputs.js";
import {
  decideRemovalHold,
  type PendingRemoval,
  type RemovalDecision,
  type RemovalGuardSettings,
} from "./decide-removal-hold.js";
import { countAliasRemoval, routedAliases } from "./alias-keys.js";
import { fingerprintTable } from "./fingerprint-table.js";
import { logRemovalDecision } from "./log-removal-decision.js";
import { parseServerKeys, routedServerKeys } from "./server-keys.js";

// The guard's memory across the cycles of one loop (no global state).
export interface RemovalGuard {
  settings: RemovalGuardSettings;
  /** servers the files on disk route: undefined until read, null when there is no backends file */
  applied: ReadonlySet<string> | null | undefined;
  /** the aliases of the map on disk (key → backend); null until this process wrote or found it equal */
  appliedAliases: ReadonlyMap<string, string> | null;
  pending: PendingRemoval | null;
}

// A guard that has not looked at the disk yet.
export function createRemovalGuard(settings: RemovalGuardSettings): RemovalGuard {
  return { settings, applied: undefined, appliedAliases: null, pending: null };
}

// Decides whether this cycle's table may be written; logs when a hold starts, restarts or ends.
export async function checkRemovals(
  guard: RemovalGuard,
  table: RoutingTable,
  backendsPath: string,
  logger: Logger,
  now: number,
): Promise<RemovalDecision> {
  if (guard.applied === undefined) guard.applied = await readAppliedServers(backendsPath);
  const decision = decideRemovalHold({
    applied: guard.applied ?? null,
    candidate: routedServerKeys(table),
    aliases: countAliasRemoval(guard.appliedAliases, table),
    fingerprint: fingerprintTable(table),
    pending: guard.pending,
    now,
    settings: guard.settings,
  });
  guard.pending = decision.action === "hold" ? decision.pending : null;
  logRemovalDecision(logger, decision, guard.settings);
  return decision;
}

// After the writers ran: once a file holds the table (written or already equal), it is the baseline:
// the backends file for the servers, the map for the aliases.
export function noteWritten(
  guard: RemovalGuard,
  table: RoutingTable,
  outcomes: readonly FileOutcome[],
): void {
  const holds = (outcome: FileOutcome | undefined) =>
    outcome?.status === "changed" || outcome?.status === "unchanged";
  if (holds(outcomes[0])) guard.applied = routedServerKeys(table);
  if (holds(outcomes[1])) guard.appliedAliases = routedAliases(table);
}

// The servers of the backends file on disk; null when it does not exist or is not a regular file (it is
// replaced); undefined (read again next cycle) when it cannot be read, since the write will fail anyway.
async function readAppliedServers(path: string): Promise<ReadonlySet<string> | null | undefined> {
  try {
    const found = await readRegularFile(path);
    return found.kind === "file" ? parseServerKeys(found.content) : null;
  } catch {
    return undefined;
  }
}
