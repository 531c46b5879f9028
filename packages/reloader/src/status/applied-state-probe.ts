// The applied-files probe the status routes share (/healthz, and /metrics twice per scrape): concurrent
// callers wait for one probe in flight, and each triple (the inputs, the running snapshot's copies) is
// read and hashed again only when its files changed. Its cost and memory do not grow with the number of
// clients: at most one probe, holding one triple, runs at a time.
import type { StateLayout } from "../output/snapshot-layout.js";
import type { InputPaths } from "../sources/read-inputs.js";
import { hashTriple, type ReadTriple } from "./hash-triple.js";
import { readAppliedState, type AppliedState } from "./read-applied-state.js";
import { TripleMemo } from "./triple-memo.js";

// What the probe compares: the inputs, the state dir and the running generation (read at each probe).
export interface AppliedStateProbeInput {
  inputs: InputPaths;
  layout: StateLayout;
  generation: () => number | null;
  /** true while the running worker may run part of failed runtime steps on top of that generation
   * (StatusSnapshot.partialStepsToward): the files on disk are not all it runs, even if they are its */
  partial?: () => boolean;
  /** reads and hashes a triple (default hashTriple; tests count the calls) */
  readTriple?: ReadTriple;
  /** the wall clock the files' timestamps are compared with (default Date.now) */
  clock?: () => number;
}

// Creates the probe, with its memos, where the status routes are created.
export function createAppliedStateProbe(input: AppliedStateProbeInput): () => Promise<AppliedState> {
  const read = input.readTriple ?? hashTriple;
  const onDisk = new TripleMemo(read, input.clock);
  const running = new TripleMemo(read, input.clock);
  const readers = {
    inputs: (paths: InputPaths) => onDisk.read(paths),
    snapshot: (paths: InputPaths) => running.read(paths),
  };
  let inFlight: Promise<AppliedState> | null = null;
  return () => {
    inFlight ??= readAppliedState(input.inputs, input.layout, input.generation(), readers)
      .then((state) => (state.applied && input.partial?.() === true ? { ...state, applied: false } : state))
      .finally(() => {
        inFlight = null;
      });
    return inFlight;
  };
}
