// The reload path of the applier's pass: switch `current` to a checked gen-<n>, reload onto it, report
// the switch (report-switch.ts) and say what HAProxy runs afterwards.
import type { CheckResult } from "../haproxy/check-config.js";
import type { AppliedState, ReloadReason } from "../model/plan-update.js";
import type { ApplierOptions } from "./applier-options.js";
import { DONE, type PassSteps, type StateChange } from "./applier-state.js";
import { reportSwitch } from "./report-switch.js";

// The checked snapshot to reload onto; `started` (the pass) and `since` (the first file event) are
// performance.now() times.
export interface ReloadTarget {
  generation: number;
  /** the hash of the inputs the snapshot was staged from */
  hash: string;
  check: CheckResult;
  /** what the worker runs once the reload is confirmed */
  state: AppliedState;
  reason: ReloadReason;
  started: number;
  since: number | null;
}

// Switch `current` to a checked gen-<n> and reload onto it; a confirmed reload makes `state` known.
export async function* reloadTo(
  target: ReloadTarget,
  services: Pick<ApplierOptions, "logger" | "status" | "supervisor" | "store" | "onRunning">,
): PassSteps {
  const { generation, hash, check, state, reason, started, since } = target;
  const { logger, status, supervisor, store } = services;
  // Until this switch is confirmed, what HAProxy runs is not known for sure (a reload that timed out
  // may still have loaded it): the next pass reloads even the files it ran before.
  yield { settledHash: null, switched: null, known: null };
  const reloadStarted = performance.now();
  const result = await supervisor.switchTo(generation);
  // Counted once a reload was sent (or HAProxy starts from the snapshot): not while it waits for the
  // master, nor when a stop of HAProxy began (none is sent then).
  if (result.kind !== "waiting" && result.kind !== "stopping") status.reloadFor(reason);
  const live = reportSwitch(result, {
    generation,
    inputsHash: hash,
    started,
    reloadStarted,
    since,
    check,
    reason,
    logger,
    status,
  });
  const change: StateChange = {};
  const masterPid = status.snapshot().haproxyPid;
  if (result.kind === "reloaded" && result.verdict.ok && masterPid !== null)
    change.known = { masterPid, generation, state };
  if (
    result.kind === "deferred" ||
    (result.kind === "reloaded" && (result.verdict.ok || result.verdict.kind === "exited"))
  ) {
    change.switched = { generation, hash };
    // HAProxy runs it, or starts from it: not a refused one (the old workers keep the backends reported).
    services.onRunning?.(state.table.backends);
  }
  // Not confirmed in time, but it may still go live: once the master's late verdict says it did, the next
  // pass finds HAProxy running this snapshot, with this state (live-after-start.ts), and reloads nothing
  // (for other files that came meanwhile, it plans from this state: runtime steps where it can).
  if (result.kind === "reloaded" && !result.verdict.ok && result.verdict.kind === "timeout") {
    change.switched = { generation, hash };
    change.startState = { generation, state };
  }
  if (live === null) change.settledHash = hash;
  yield change;
  await store.prune();
  if (live === null) return DONE;
  return result.kind === "waiting" ? { retry: live, waiting: true } : { retry: live };
}
