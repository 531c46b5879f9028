// The applier's start: point `current` at what HAProxy should start from (choose-start-snapshot.ts) and
// say what the applier should remember of it.
import { readInputFile, readInputs } from "../sources/read-inputs.js";
import { readSnapshotBackends } from "../sources/read-state-dir.js";
import type { ApplierOptions } from "./applier-options.js";
import { hashBase, type StateChange } from "./applier-state.js";
import { chooseStartSnapshot } from "./choose-start-snapshot.js";
import { reportUnreadable, unreadableKey } from "./report-unreadable.js";

// The snapshot `current` points at, and the applier's state for the first pass: the change counts as
// live once HAProxy confirms it runs that snapshot. `unreadable`: what was reported unreadable (the
// first pass does not report the same again). `adopting`: a running master is adopted, not started.
export async function prepareInitial(
  options: Pick<ApplierOptions, "logger" | "store" | "inputs" | "status" | "onRunning">,
  adopting = false,
): Promise<{ generation: number; change: StateChange; unreadable: string | null }> {
  const { logger, store, inputs, status } = options;
  const read = await readInputs(inputs);
  const change: StateChange = {};
  let generation: number;
  let unreadable: string | null = null;
  if (read.ok) {
    const start = await chooseStartSnapshot(store, read.files, read.files.base, logger, adopting);
    generation = start.generation;
    if (start.deferred !== null) {
      // No verdict on these bytes: not what HAProxy runs, not refused either; the first pass checks again.
    } else if (start.refused === null) {
      change.switched = { generation, hash: read.files.hash };
      if (start.staged)
        change.startState = { generation, state: { baseHash: hashBase(read.files.base), ...start.staged } };
      options.onRunning?.(read.files.backends);
    } else if (!start.unsettled) {
      // The checks refused these bytes: they will refuse them again, so wait for the files to change.
      // Counted as a later pass counts a refusal: the first pass finds these bytes settled and would not.
      change.settledHash = read.files.hash;
      status.reloadEnded("check-failed", null, null, start.refused);
      status.inputsRefused(read.files.hash, start.refused);
    }
  } else {
    reportUnreadable(read, logger, status);
    unreadable = unreadableKey(read);
    const base = await readInputFile(inputs.base);
    const bytes = base.ok ? base.bytes : null;
    generation = (await chooseStartSnapshot(store, null, bytes, logger, adopting)).generation;
  }
  status.currentIs(generation);
  // HAProxy starts from an earlier snapshot (the last good one, or empty routing), not from the inputs:
  // the reports (TCP ports, HTTPS) describe the backends it runs.
  if (change.switched === undefined) {
    const running = await readSnapshotBackends(store.layout, generation);
    if (running !== null) options.onRunning?.(running);
  }
  return { generation, change, unreadable };
}
