// The applier's check for a change that went live without a reload: HAProxy (re)started from the
// snapshot `current` was last moved to for it.
import type { Logger } from "@rancher-haproxy/core";
import type { ReloaderStatus } from "../state/reloader-status.js";
import type { ApplierState, StateChange } from "./applier-state.js";

// The change of state when HAProxy runs the snapshot staged for inputs `hash` (the change is live, and
// what the worker runs is known if prepareInitial staged that snapshot), else null.
export function liveAfterStart(
  state: Pick<ApplierState, "switched" | "startState">,
  hash: string,
  status: ReloaderStatus,
  logger: Logger,
): StateChange | null {
  const { switched, startState } = state;
  const running = status.snapshot();
  if (switched?.hash !== hash || running.runningGeneration !== switched.generation) return null;
  const change: StateChange = { settledHash: hash, startState: null };
  const { workerPid, haproxyPid: masterPid } = running;
  if (startState?.generation === switched.generation && workerPid !== null && masterPid !== null)
    change.known = { masterPid, ...startState };
  logger.info(
    { event: "inputs.live", generation: switched.generation, inputsHash: hash },
    `HAProxy runs gen-${switched.generation}: the change is live`,
  );
  return change;
}
