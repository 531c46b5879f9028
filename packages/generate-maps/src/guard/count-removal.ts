// How many routed servers a candidate table would remove: from the files on disk, and over the guard's
// current confirmation window. Pure; decideRemovalHold judges the counts.

// How much a candidate would remove from what is applied.
export interface RemovalCount {
  /** servers routed by the files on disk */
  applied: number;
  /** of those, servers the candidate no longer routes */
  removed: number;
  /** removed / applied (0 when nothing is applied) */
  share: number;
}

// What a removal counts: nothing applied, nothing removed.
export const NO_REMOVAL: RemovalCount = Object.freeze({ applied: 0, removed: 0, share: 0 });

// Counts the serving capacity the candidate drops from the applied servers (`<backend>/<server>` keys,
// the server named `<service>-<container uuid>`): a server the candidate still routes under any backend
// (its stack renamed) is not dropped, and each server new to a backend makes up for one it dropped (a
// container replaced by an upgrade or a restart with a new uuid). Before, both counted as removals: a
// one-container environment's every upgrade was held for the window, a renamed stack too.
export function countRemoval(
  applied: ReadonlySet<string> | null,
  candidate: ReadonlySet<string>,
): RemovalCount {
  if (applied === null || applied.size === 0) return NO_REMOVAL;
  const removed = serversDropped(applied, candidate);
  return { applied: applied.size, removed, share: removed / applied.size };
}

// The removal counted over the current window (removal-guard.ts): the servers routed at its start that
// the candidate routes nowhere, less one for each server new since the start in the same backend (an
// upgrade, a restart), out of the larger of each backend's size at the start and in the files now. So
// steps within the share add up (10 → 8 → 4: 6 of 10), while a stop-first rolling upgrade, a
// crash-looping container's down phases, a blue/green deploy or a scale up and down again remove nothing
// or little; null or the applied set itself as the start (a one-shot run): nothing beyond countRemoval.
export function countWindowRemoval(
  windowStart: ReadonlySet<string> | null,
  applied: ReadonlySet<string> | null,
  candidate: ReadonlySet<string>,
): RemovalCount {
  if (windowStart === null || windowStart === applied || windowStart.size === 0) return NO_REMOVAL;
  const removed = serversDropped(windowStart, candidate);
  const sizes = new Map<string, number>();
  for (const key of windowStart) count(sizes, backendOf(key));
  const nowSizes = new Map<string, number>();
  for (const key of applied ?? []) count(nowSizes, backendOf(key));
  for (const [backend, size] of nowSizes) sizes.set(backend, Math.max(size, sizes.get(backend) ?? 0));
  let total = 0;
  for (const size of sizes.values()) total += size;
  return { applied: total, removed, share: removed / total };
}

// The servers of `before` (`<backend>/<server>` keys) the candidate routes under no backend, less, per
// backend, the candidate's servers that `before` did not have (each replaces one dropped).
function serversDropped(before: ReadonlySet<string>, candidate: ReadonlySet<string>): number {
  const known = new Set<string>();
  for (const key of before) known.add(serverOf(key));
  const routedServers = new Set<string>();
  const gained = new Map<string, number>();
  for (const key of candidate) {
    const server = serverOf(key);
    routedServers.add(server);
    if (!known.has(server)) count(gained, backendOf(key));
  }
  const lost = new Map<string, number>();
  for (const key of before) if (!routedServers.has(serverOf(key))) count(lost, backendOf(key));
  let removed = 0;
  for (const [backend, count] of lost) removed += Math.max(0, count - (gained.get(backend) ?? 0));
  return removed;
}

// The count with the larger share (the first on a tie).
export function worse(first: RemovalCount, second: RemovalCount): RemovalCount {
  return second.share > first.share ? second : first;
}

function count(counts: Map<string, number>, backend: string): void {
  counts.set(backend, (counts.get(backend) ?? 0) + 1);
}

// The two halves of a `<backend>/<server>` key (a server name holds no `/`).
function backendOf(key: string): string {
  return key.slice(0, key.lastIndexOf("/"));
}

function serverOf(key: string): string {
  return key.slice(key.lastIndexOf("/") + 1);
}
