// Which worker runs the applier's known state, read from the status: planning asks it (runtime steps or
// a reload), and the runtime steps ask it again on the supervisor's lock, where no reload can start.
import type { HaproxySupervisor } from "../haproxy/haproxy-supervisor.js";
import type { AppliedState } from "../model/plan-update.js";
import type { ReloaderStatus } from "../state/reloader-status.js";
import type { KnownState } from "./applier-state.js";

// The running worker and what it runs, if it is a worker of the master the last apply was confirmed
// under, running that generation, and no reload (of the certificates, say) timed out since: that master
// may still be loading other files. A reload of that same snapshot (the certificates') keeps it known,
// with its new worker.
export function knownWorker(
  known: KnownState | null,
  status: Pick<ReloaderStatus, "snapshot">,
  supervisor: Pick<HaproxySupervisor, "isSettled">,
): { workerPid: number; state: AppliedState } | null {
  const { haproxyPid, workerPid, runningGeneration } = status.snapshot();
  if (known === null || workerPid === null || !supervisor.isSettled()) return null;
  if (known.masterPid !== haproxyPid || known.generation !== runningGeneration) return null;
  return { workerPid, state: known.state };
}
