// The config applier's state, kept in one place by ConfigApplier; the steps of its pass
// (apply-runtime-plan.ts, reload-to.ts, live-after-start.ts, prepare-initial.ts) get what they need as
// arguments and hand back what changed as StateChange values, which only ConfigApplier writes into its state.
import { createHash } from "node:crypto";
import type { AppliedState } from "../model/plan-update.js";

// What the workers of a master run once loaded from gen-<n>: confirmed by a reload or a start, then kept
// up to date by runtime steps (each moves `current` to a gen-<n> of its own). Any worker of that master
// running that generation runs it: one a reload of the same snapshot started (the certificates' fallback)
// loads the same files; another master (a restart, an adoption) does not count.
export interface KnownState {
  masterPid: number;
  generation: number;
  state: AppliedState;
}

// What the applier remembers between passes.
export interface ApplierState {
  /** the inputs' hash once settled: live in HAProxy, or refused by the checks */
  settledHash: string | null;
  /** the snapshot `current` was last moved to for a change, and that change's hash */
  switched: { generation: number; hash: string } | null;
  /** what the running worker runs, when known (null: the next change reloads) */
  known: KnownState | null;
  /** what `switched`'s snapshot runs, known once HAProxy is seen running it: prepareInitial's, for the first
   * pass after the start, or a reload's that was not confirmed in time (live-after-start.ts) */
  startState: { generation: number; state: AppliedState } | null;
}

// The fields a step changed, with their new values (a field left out keeps its value).
export type StateChange = Partial<ApplierState>;

// A step of the pass: yields each change of the state at the moment it happens (so a step that throws
// later leaves the state exactly as far as it got), returns what the pass leaves behind.
export type PassSteps = AsyncGenerator<StateChange, PassOutcome, void>;

// What one pass leaves behind: nothing to do until the files change, or a retry (and why): of inputs not
// settled yet, of a change that is `waiting` for a silent master (retried sooner), or of a reload `held`
// while too many old workers run (old-workers-cap.ts: asked again, no failure).
export type PassOutcome =
  { retry: null } | { retry: string; unsettled?: boolean; waiting?: boolean; held?: boolean };

// The outcome of a pass with nothing left to do.
export const DONE: PassOutcome = { retry: null };

// sha256 of the base config: a different base needs a reload.
export function hashBase(base: Buffer): string {
  return createHash("sha256").update(base).digest("hex");
}

// The state before the first pass.
export function initialState(): ApplierState {
  return { settledHash: null, switched: null, known: null, startState: null };
}

// The state with a step's change written into it (a field the change leaves out keeps its value).
export function withChange(state: ApplierState, change: StateChange): ApplierState {
  const { settledHash, switched, known, startState } = change;
  return {
    settledHash: settledHash === undefined ? state.settledHash : settledHash,
    switched: switched === undefined ? state.switched : switched,
    known: known === undefined ? state.known : known,
    startState: startState === undefined ? state.startState : startState,
  };
}
