// Take over the HAProxy master a killed reloader left running, instead of starting a second one on the
// same ports: supervise it (by polling, it is not our child) and reload it once, confirmed, so it runs
// exactly the snapshot this reloader just checked and pointed `current` at.
import { access } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "@rancher-haproxy/core";
import type { Verdict } from "../haproxy/confirm-reload.js";
import { countOldWorkers } from "../haproxy/count-old-workers.js";
import type { HaproxySupervisor } from "../haproxy/haproxy-supervisor.js";
import { generationName, type StateLayout } from "../output/snapshot-layout.js";
import { clearKept } from "../output/kept-link.js";
import { pointCurrent } from "../output/stage-snapshot.js";
import { MAX_OLD_WORKERS } from "../reload/old-workers-cap.js";
import type { ReloaderStatus } from "../state/reloader-status.js";
import { adoptedMaster } from "./adopted-master.js";
import type { FoundMaster } from "./find-running-master.js";

// The snapshot the adopted workers run, as far as the state dir knows (`previous`): the `kept` link a
// reloader killed during a switch left, else where `current` pointed before this start moved it.
export interface AdoptContext {
  layout: StateLayout;
  status: ReloaderStatus;
  previous: number | null;
  /** a stop came before the adoption: the master is stopped next, not reloaded first */
  stopping?: boolean;
}

// Adopt and reload. A failed reload leaves the adopted workers serving; one the master refused points
// `current` back at `previous`, as a switch refused at runtime does (found by a review: it stayed on the
// refused snapshot, so every refused retry pointed "back" there and a restart of HAProxy loaded it).
// Null: no reload, the master lists MAX_OLD_WORKERS old workers (old-workers-cap.ts); what the workers
// run stays unknown (the `kept` link stays), so the applier's first pass plans that reload, held until
// one of them ended (before, the adoption's reload made one more, whatever the count); inputs refused or
// unreadable at the start plan none, and the workers keep what they ran until the inputs change. Null
// too when a stop came before (`stopping`, adopt.reload-skipped): the stop follows at once. The reload
// re-parsed the whole config on the stop's budget, and a master a reloader killed during its stop had
// already soft-stopped (SIGUSR1) took it as a new worker that listened and took connections again.
export async function adoptMaster(
  found: Extract<FoundMaster, { kind: "running" }>,
  supervisor: HaproxySupervisor,
  logger: Logger,
  context: AdoptContext,
): Promise<Verdict | null> {
  // A stop that came before: the master is stopped next, so its end (one soft-stopped by a killed
  // reloader may come any time) is no failure to restart.
  await supervisor.adopt(adoptedMaster(found.pid, found.startTime), found.info, context.stopping === true);
  if (context.stopping === true) {
    logger.info(
      { event: "adopt.reload-skipped", pid: found.pid },
      "a stop came before the adoption: the adopted HAProxy is stopped without a reload first",
    );
    return null;
  }
  const oldWorkers = countOldWorkers(found.info);
  if (oldWorkers >= MAX_OLD_WORKERS) {
    logger.warn(
      { event: "adopt.reload-held", pid: found.pid, oldWorkers, maxOldWorkers: MAX_OLD_WORKERS },
      `the adopted HAProxy lists ${oldWorkers} old workers: its reload waits with the next change's`,
    );
    return null;
  }
  const back = await snapshotBack(context);
  // Counted like any reload: what the adopted workers run is not known. One not confirmed in time that
  // the master then refuses points `current` back at `back` too (settleLateReload).
  const verdict = await supervisor.reload("state-unknown", back);
  // Refused by the master, or not sent (a stop began: logged as reload.skipped-stopping): the workers
  // run `back`.
  const pointed = !verdict.ok && (verdict.kind === "rejected" || verdict.kind === "stopping");
  const kept = pointed ? await pointBack(context, back) : null;
  if (!verdict.ok && verdict.kind === "stopping") return verdict;
  if (verdict.ok)
    logger.info(
      {
        event: "adopt.reloaded",
        pid: found.pid,
        workerPid: verdict.workerPid,
        reloads: verdict.info.reloads,
      },
      "the adopted HAProxy now runs the current snapshot",
    );
  else
    logger.error(
      {
        event: "adopt.reload-failed",
        pid: found.pid,
        kind: verdict.kind,
        reason: verdict.reason,
        keptGeneration: kept,
      },
      "the adopted HAProxy did not take the current snapshot: its workers keep serving" +
        (kept === null ? "" : `; current is back on gen-${kept}`),
    );
  return verdict;
}

// `previous` when it is another snapshot than `current` and still on disk, else null.
async function snapshotBack({ layout, status, previous }: AdoptContext): Promise<number | null> {
  if (previous === null || previous === status.snapshot().currentGeneration) return null;
  const there = await access(join(layout.dir, generationName(previous))).then(
    () => true,
    () => false,
  );
  return there ? previous : null;
}

// Point `current` back at `back` (snapshotBack); the generation, or null. Either way `current` names
// what the workers run, as far as the state dir knows: no `kept` link.
async function pointBack({ layout, status }: AdoptContext, back: number | null): Promise<number | null> {
  if (back !== null) {
    await pointCurrent(layout, back);
    status.currentIs(back);
  }
  await clearKept(layout);
  return back;
}
