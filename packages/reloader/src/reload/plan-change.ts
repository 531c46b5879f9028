// The planning step of the applier's pass for inputs the contract accepted: runtime steps when the
// plan allows (model/plan-update.ts), else a reload onto a freshly staged and checked gen-<n>.
import { planUpdate } from "../model/plan-update.js";
import type { ApplierOptions } from "./applier-options.js";
import { hashBase, type KnownState } from "./applier-state.js";
import { knownWorker } from "./known-worker.js";
import { CheckStoppedError } from "./check-stopped-error.js";
import { heldReason, MAX_OLD_WORKERS } from "./old-workers-cap.js";
import type { RuntimeChange } from "./apply-runtime-plan.js";
import type { ReloadTarget } from "./reload-to.js";

// What to do with the change: runtime steps, a reload, or nothing (`haproxy -c` refused the snapshot);
// `waiting` for a silent master, `held` while MAX_OLD_WORKERS old workers run (old-workers-cap.ts). Those
// two stage nothing, so they report what the read left out for a section of the base config themselves
// (SnapshotStore.reportClashes; staging reports it otherwise), unless the staging's slot cap will refuse
// the table when they end. `replan`: the master answered while the change was planned, see below.
export type PlannedChange =
  | { kind: "runtime"; change: RuntimeChange }
  | { kind: "reload"; target: ReloadTarget }
  | { kind: "refused"; reason: string }
  | { kind: "waiting"; reason: string }
  | { kind: "held"; reason: string }
  | { kind: "replan" };

// A reload waits while the master has not answered since a reload timed out (or could not be sent):
// staged and checked now, it could only wait in switchTo (and each retry would stage and check it again
// while a slow master re-executes).
const WAITING = "the master has not answered since a reload timed out: current is not moved until it does";

// Plan the `accepted` table against what the running worker runs (`known`, if still that worker).
export async function planChange(
  accepted: Omit<RuntimeChange, "plan" | "workerPid">,
  known: KnownState | null,
  options: Pick<
    ApplierOptions,
    "logger" | "status" | "store" | "onRunning" | "slotsPerBlock" | "runtimeUpdates" | "supervisor"
  >,
): Promise<PlannedChange> {
  const { logger, status, store } = options;
  const { files, table, started, since } = accepted;
  const next = { baseHash: hashBase(files.base), table };
  // Unsettled now, the plan is made without knowing what the worker runs (a reload, for state-unknown).
  const unsettled = !options.supervisor.isSettled();
  const running = knownWorker(known, status, options.supervisor);
  const plan = planUpdate(running?.state ?? null, next, {
    slotsPerBlock: options.slotsPerBlock,
    runtimeUpdates: options.runtimeUpdates,
    lastSlots: store.lastAssignment(),
  });
  // onRunning (the TCP-port report) hears of the backends going live: a runtime change's here (no
  // haproxy -c to wait for), a reload's once HAProxy took its snapshot (reload-to.ts), never a refused one's.
  if (plan.kind === "runtime") {
    // planUpdate plans runtime steps only from a known state
    if (running === null) throw new Error("a runtime plan without a known worker");
    options.onRunning?.(table.backends);
    return { kind: "runtime", change: { ...accepted, plan, workerPid: running.workerPid } };
  }
  if (!(await options.supervisor.settled())) {
    const reason = options.supervisor.waitingReason() ?? WAITING;
    logger.warn(
      { event: "reload.waiting", generation: null, reason },
      `not staging the change yet: ${reason}; it is retried`,
    );
    store.reportClashes(table, plan.slots);
    return { kind: "waiting", reason };
  }
  // The master answered since (settled() took its verdict on the reload that timed out): if that went
  // live, what the worker runs is known again and the change may be runtime steps, so the pass plans it
  // again. Until 2026-12-06 the reload planned while it was silent went ahead: a second reload, for
  // state-unknown, that cut every long-lived connection again (seen once in a whole test run).
  if (unsettled) return { kind: "replan" };
  // Not staged or checked while held: the pass that reloads reads the files again, whatever came
  // meanwhile. The master is asked only when the last `show proc` read listed that many (no extra
  // round trip before an ordinary reload).
  if ((options.supervisor.oldWorkersSeen() ?? 0) >= MAX_OLD_WORKERS) {
    const oldWorkers = await options.supervisor.oldWorkers();
    if (oldWorkers !== null && oldWorkers >= MAX_OLD_WORKERS) {
      store.reportClashes(table, plan.slots);
      return { kind: "held", reason: heldReason(oldWorkers, store.hardStopAfter(files.base)) };
    }
  }
  logger.info(
    { event: "reload.planned", reason: plan.reason, detail: plan.detail },
    `the change needs a reload: ${plan.detail}`,
  );
  let checked = await store.stageChecked(files, table, plan.slots);
  if (!checked.ok && checked.generation !== null) {
    // A check that fails for the environment's sake gives no verdict on these bytes: retried, not refused.
    const environment = await store.currentFailsToo();
    if (environment !== null) throw new CheckStoppedError(checked.generation, environment);
    // The running snapshot passes: the bytes are bad, or the environment recovered between the two
    // checks (a refusal then would hold them until the files change): they are checked once more.
    logger.info(
      { event: "check.again", generation: checked.generation },
      "the running snapshot passes haproxy -c: checking the new one once more before refusing it",
    );
    // The same assignment as the first check's: one made afresh over the cap is not made (and said) again.
    checked = await store.stageChecked(files, table, checked.slots ?? plan.slots);
  }
  if (!checked.ok) return { kind: "refused", reason: checked.reason };
  const { generation, check } = checked;
  const state = { ...next, slots: checked.slots };
  return {
    kind: "reload",
    target: { generation, hash: files.hash, check, state, reason: plan.reason, started, since },
  };
}
