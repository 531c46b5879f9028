// The runtime-update path of the applier's pass: stage the change, point `current` at it, run the
// runtime steps with their read-back (apply-runtime.ts), report them (report-runtime.ts), and reload
// from that snapshot (reload-to.ts) when the runtime API does not confirm them.
import type { SharedTable } from "@rancher-haproxy/core";
import type { AppliedState, UpdatePlan } from "../model/plan-update.js";
import type { InputFiles } from "../sources/read-inputs.js";
import type { ApplierOptions } from "./applier-options.js";
import { DONE, type KnownState, type PassSteps } from "./applier-state.js";
import { applyRuntime } from "./apply-runtime.js";
import { knownWorker } from "./known-worker.js";
import { reloadTo } from "./reload-to.js";
import { reportRuntime } from "./report-runtime.js";

// The change to apply at runtime; `started` (the pass) and `since` (the first file event) are
// performance.now() times.
export interface RuntimeChange {
  plan: Extract<UpdatePlan, { kind: "runtime" }>;
  /** the worker the plan was made against (the known state's master, running its generation) */
  workerPid: number;
  files: InputFiles;
  table: SharedTable;
  started: number;
  since: number | null;
}

// Stage the change as gen-<n>, point `current` at it, then the runtime steps and their read-back on
// the `known` worker; an unexpected answer, a timeout or a read-back difference points `current` back
// and reloads onto that snapshot. A stop of HAProxy that began first ends the pass there, `current` on
// what the workers ran (runtime.skipped-stopping): no check, no reload, no failure counted.
export async function* applyRuntimePlan(
  change: RuntimeChange,
  known: KnownState | null,
  services: Pick<
    ApplierOptions,
    "logger" | "status" | "supervisor" | "store" | "runtimeTimeoutMs" | "onRunning"
  >,
): PassSteps {
  const { plan, files, table, started, since } = change;
  const { logger, status, supervisor, store } = services;
  if (known === null) throw new Error("a runtime plan without a known state");
  const state: AppliedState = { baseHash: known.state.baseHash, table, slots: plan.slots };
  const generation = await store.stage(files, table, plan.slots);
  yield { settledHash: null, switched: null };
  // `current` moves on the supervisor's lock with the steps, and back when they fail: the fallback
  // reload below then keeps the running snapshot if the master refuses it (switchTo points back).
  const pointAt = async (to: number) => {
    await store.makeCurrent(to);
    status.currentIs(to);
  };
  const outcome = await applyRuntime(plan, table, {
    supervisor,
    masterSocket: store.layout.masterSocket,
    workerPid: change.workerPid,
    // A reload of `known`'s snapshot since the plan (the certificates') started another worker running it.
    worker: () => knownWorker(known, status, supervisor)?.workerPid ?? null,
    timeoutMs: services.runtimeTimeoutMs ?? 2000,
    current: { point: () => pointAt(generation), restore: () => pointAt(known.generation) },
  });
  reportRuntime(outcome, { generation, inputsHash: files.hash, started, since, logger, status }, Date.now());
  if (!outcome.ok && outcome.stopping === true) {
    // Part of the steps may have gone before the stop: what the stopping worker runs is not known. The
    // next start loads `current` (applyRuntime left it on known's snapshot), and this change after it.
    yield { known: null };
    await store.prune();
    return { retry: `HAProxy is being stopped: gen-${generation} is not applied` };
  }
  if (outcome.ok) {
    yield {
      known: { ...known, generation, state },
      switched: { generation, hash: files.hash },
      settledHash: files.hash,
    };
    await store.prune();
    return DONE;
  }
  yield { known: null };
  const check = await store.check(generation).catch(async (error: unknown) => {
    await pointAt(known.generation); // no verdict (CheckStoppedError): the pass fails and is retried
    await revertWorker(known.generation, String(error), services);
    throw error;
  });
  if (!check.ok) {
    await pointAt(known.generation); // again, in case pointing back on the lock failed
    status.reloadEnded("check-failed", null, null, check.reason);
    await revertWorker(known.generation, check.reason, services);
    return { retry: check.reason };
  }
  const target = { generation, hash: files.hash, check: check.check, state, started, since };
  return yield* reloadTo({ ...target, reason: "runtime-fallback" }, services);
}

// After steps that failed and a fallback snapshot haproxy -c refused, or gave no verdict on (timed out,
// killed): the worker may run part of the steps
// (HAProxy runs every command of a line whatever the one before answered), so it is reloaded onto
// `current` again, the snapshot it ran before, and runs what a restart would load. Its state stays
// unknown (the pass yielded `known: null`): the next change reloads. Not sent once a stop of HAProxy began
// (the supervisor logs reload.skipped-stopping; the worker is stopping).
async function revertWorker(
  generation: number,
  refused: string,
  { logger, supervisor }: Pick<ApplierOptions, "logger" | "supervisor">,
): Promise<void> {
  const verdict = await supervisor.reload("runtime-fallback"); // counted there, by reason and result
  if (!verdict.ok && verdict.kind === "stopping") return;
  const fields = { event: "runtime.reverted", generation, ok: verdict.ok, refused };
  if (verdict.ok)
    logger.warn(
      { ...fields, workerPid: verdict.workerPid },
      `the fallback snapshot did not pass its check (${refused}): reloaded onto gen-${generation} again, which the worker ran before the steps`,
    );
  else
    logger.error(
      { ...fields, reason: verdict.reason },
      `the fallback snapshot did not pass its check (${refused}), and reloading onto gen-${generation} again failed: ${verdict.reason}`,
    );
}
