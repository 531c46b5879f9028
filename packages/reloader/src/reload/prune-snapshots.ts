// SnapshotStore.prune's housekeeping: which gen-<n>/ snapshots stay, the rest removed, never a throw.
import type { Logger } from "@rancher-haproxy/core";
import type { StateLayout } from "../output/snapshot-layout.js";
import { removeSnapshot } from "../output/stage-snapshot.js";
import { listGenerations, readCurrentGeneration, readKeptGeneration } from "../sources/read-state-dir.js";

// Keep `current`, the newest `keep` snapshots, the `kept` link's and `also`; remove the rest. A failure
// (EBUSY, EACCES) is logged and tried again at the next prune.
export async function pruneSnapshots(
  layout: StateLayout,
  keep: number,
  logger: Logger,
  also: number | null,
): Promise<void> {
  try {
    const current = await readCurrentGeneration(layout);
    const running = await readKeptGeneration(layout);
    const generations = await listGenerations(layout);
    const kept = new Set([...generations.slice(-keep), current, running, also]);
    for (const generation of generations) if (!kept.has(generation)) await removeSnapshot(layout, generation);
  } catch (error) {
    logger.warn(
      { event: "snapshot.prune-failed", err: String(error) },
      `could not remove old snapshots (tried again after the next change): ${String(error)}`,
    );
  }
}
