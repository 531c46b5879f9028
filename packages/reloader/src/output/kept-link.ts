// <state>/kept: while a switch's reload has no verdict (sent, or about to be), the snapshot the workers
// ran before `current` moved away from it. A reloader killed then leaves it, and the next one, adopting
// the master, takes it as what the workers run: `current` named a snapshot they may never have loaded
// (the master refused it, or the reload was never sent), and an adoption reload refused pointed
// `current` "back" there, so a restart of HAProxy loaded it. Removed once the workers' snapshot is
// `current` again: a reload or start confirmed, or `current` pointed back; and before a master is started
// afresh (it runs `current`: the link was about a master that is gone). Left by a reload the master
// gave no verdict on (`reload.settled` `unknown`), it still names what the workers ran: the next switch
// keeps it rather than take `current` (readWorkersGeneration).
import { rmSync } from "node:fs";
import { pointLink } from "./stage-snapshot.js";
import type { StateLayout } from "./snapshot-layout.js";

// Name `generation` as the snapshot the workers run while `current` moves on (atomically).
export async function pointKept(layout: StateLayout, generation: number): Promise<void> {
  await pointLink(layout.kept, generation);
}

// The workers run what `current` names again: no `kept` link.
export async function clearKept(layout: StateLayout): Promise<void> {
  rmSync(layout.kept, { force: true });
}
