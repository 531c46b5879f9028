// `current` found naming no snapshot on disk: what the applier's pass does about it.
import type { ApplierOptions } from "./applier-options.js";
import type { ApplierState, StateChange } from "./applier-state.js";

// `current` names no snapshot on disk (removed by hand): a restart of HAProxy could load nothing, so
// the inputs are staged again as if they had changed (said once per loss). A settled refusal is not.
export async function currentLost(
  state: ApplierState,
  apply: (change: StateChange) => void,
  options: Pick<ApplierOptions, "logger" | "store">,
): Promise<boolean> {
  if (state.switched?.hash !== state.settledHash) return false;
  if (await options.store.currentOnDisk()) return false;
  const generation = await options.store.current();
  options.logger.warn(
    { event: "snapshot.current-missing", generation },
    `current names no snapshot on disk (${generation === null ? "no link" : `gen-${generation} is gone`}): staging the inputs again`,
  );
  apply({ settledHash: null, switched: null });
  return true;
}
