// The applier's check for a worker that replaced the known one through a reload that did not come from
// a change (the certificates' fallback): the same master reloaded onto the same snapshot runs what the
// known worker ran, so the next change may still be applied at runtime.
import type { StatusSnapshot } from "../state/reloader-status.js";
import type { KnownState } from "./applier-state.js";

// `known` moved to the running worker when the same master reloaded it onto the known snapshot, else
// `known` itself (a restart or an adoption is another master; another snapshot is another state).
export function followReload(
  known: KnownState | null,
  status: Pick<StatusSnapshot, "haproxyPid" | "workerPid" | "runningGeneration">,
): KnownState | null {
  const { haproxyPid, workerPid, runningGeneration } = status;
  if (known === null || workerPid === null || workerPid === known.workerPid) return known;
  if (haproxyPid !== known.masterPid || runningGeneration !== known.generation) return known;
  return { ...known, workerPid };
}
