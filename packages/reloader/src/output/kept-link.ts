// <state>/kept: while a switch's reload has no verdict (sent, or about to be), the snapshot the workers
// ran before `current` moved away from it. A reloader killed then leaves it, and the next one, adopting
// the master, takes it as what the workers run: `current` named a snapshot they may never have loaded
// (the master refused it, or the reload was never sent), and an adoption reload refused pointed
// `current` "back" there, so a restart of HAProxy loaded it. Removed once the workers' snapshot is
// `current` again: a reload or start confirmed, or `current` pointed back; and before a master is started
// or restarted afresh (it runs `current`: the link was about a master that is gone). Left by a reload the master
// gave no verdict on (`reload.settled` `unknown`), it still names what the workers ran: the next switch
// keeps it rather than take `current` (readWorkersGeneration).
// Beside it, `kept.reloads`: the master's reload count before the last reload sent. A reloader killed
// after that reload went live, before it read the verdict, left the link naming the snapshot before it;
// the next one sees the master counted a good reload since, which loaded `current` (readAdoptedGeneration).
import { renameSync, rmSync, writeFileSync } from "node:fs";
import type { ProcInfo } from "@rancher-haproxy/core";
import { pointLink } from "./stage-snapshot.js";
import type { StateLayout } from "./snapshot-layout.js";

// Name `generation` as the snapshot the workers run while `current` moves on (atomically); no reload of
// it is noted yet.
export async function pointKept(layout: StateLayout, generation: number): Promise<void> {
  rmSync(layout.keptReloads, { force: true });
  await pointLink(layout.kept, generation);
}

// The workers run what `current` names again: no `kept` link.
export async function clearKept(layout: StateLayout): Promise<void> {
  rmSync(layout.kept, { force: true });
  rmSync(layout.keptReloads, { force: true });
}

// Note the master's count (`show proc` just before a reload is sent), atomically. Never throws: a note
// that cannot be written is removed (an older one would tell of an older reload).
export function noteReloadSent(layout: StateLayout, before: ProcInfo): void {
  const temp = `${layout.keptReloads}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, `${before.masterPid} ${before.reloads}\n`);
    renameSync(temp, layout.keptReloads);
  } catch {
    for (const path of [temp, layout.keptReloads])
      try {
        rmSync(path, { force: true });
      } catch {
        // a read-only state dir: the switch that needs the note cannot move `current` either
      }
  }
}
