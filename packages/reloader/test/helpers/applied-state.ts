// The applied state a status test starts from: the running worker confirmed with what is on disk, no
// input problem, the backends file written; `changes` sets what a test is about.
import type { AppliedState } from "../../src/status/read-applied-state.ts";

// An AppliedState with `changes` over the defaults (applied, hash "h", nothing pending or empty).
export function appliedState(changes: Partial<AppliedState> = {}): AppliedState {
  return {
    generation: null,
    applied: true,
    hash: "h",
    changedAt: 0,
    problem: null,
    emptyBackends: null,
    ...changes,
  };
}
