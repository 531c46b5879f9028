// The applier's check for a change that went live without a reload: HAProxy (re)started from the
// snapshot `current` was last moved to for it, or a reload of it that timed out went live late.
import type { Logger } from "@rancher-haproxy/core";
import type { ReloaderStatus } from "../state/reloader-status.js";
import type { ApplierState, KnownState, StateChange } from "./applier-state.js";

// The change of state when HAProxy runs the snapshot staged for inputs `hash` (the change is live, and
// what the worker runs is known if prepareInitial staged that snapshot), else null.
export function liveAfterStart(
  state: Pick<ApplierState, "switched" | "startState">,
  hash: string,
  status: ReloaderStatus,
  logger: Logger,
): StateChange | null {
  const { switched } = state;
  if (switched?.hash !== hash || !runsSwitched(state, status)) return null;
  const change: StateChange = { settledHash: hash, startState: null };
  const known = knownFromStart(state, status);
  if (known !== null) change.known = known;
  logger.info(
    { event: "inputs.live", generation: switched.generation, inputsHash: hash },
    `HAProxy runs gen-${switched.generation}: the change is live`,
  );
  return change;
}

// For other inputs than `switched`'s (they changed while its reload was not confirmed): the change of
// state when HAProxy runs `switched`'s snapshot and what it staged is known (startState), else null. The
// next change is then planned from it (runtime steps where it can) instead of reloading for state-unknown.
export function knownAfterStart(
  state: Pick<ApplierState, "switched" | "startState" | "known">,
  status: ReloaderStatus,
): StateChange | null {
  if (state.known !== null) return null;
  const known = runsSwitched(state, status) ? knownFromStart(state, status) : null;
  return known === null ? null : { known, startState: null };
}

// HAProxy's running worker was confirmed with `switched`'s snapshot.
function runsSwitched(state: Pick<ApplierState, "switched">, status: ReloaderStatus): boolean {
  const { switched } = state;
  return switched !== null && status.snapshot().runningGeneration === switched.generation;
}

// What the running worker runs, when it runs startState's generation under a known master and worker.
function knownFromStart(
  state: Pick<ApplierState, "switched" | "startState">,
  status: ReloaderStatus,
): KnownState | null {
  const { switched, startState } = state;
  const { workerPid, haproxyPid: masterPid, runningGeneration } = status.snapshot();
  if (startState === null || startState.generation !== switched?.generation) return null;
  if (runningGeneration !== startState.generation || workerPid === null || masterPid === null) return null;
  return { masterPid, ...startState };
}
