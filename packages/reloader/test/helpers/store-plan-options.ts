import type { Logger } from "@rancher-haproxy/core";
import type { ApplierOptions } from "../../src/reload/applier-options.ts";
import type { SnapshotStore } from "../../src/reload/snapshot-store.ts";
import { ReloaderStatus } from "../../src/state/reloader-status.ts";

/** What planChange reads of the applier's options */
export type PlanOptions = Pick<
  ApplierOptions,
  "logger" | "status" | "store" | "onRunning" | "slotsPerBlock" | "runtimeUpdates" | "supervisor"
>;

// A settled HAProxy with no old workers counted: planChange stages and checks at once.
export const SETTLED = { isSettled: () => true, settled: async () => true, oldWorkersSeen: () => null };

// planChange's options around a real `store` (runtime updates on, a fresh status), with `supervisor`
// standing in for HAProxy's state (settled, silent, or holding old workers), for the store's own tests.
export function storePlanOptions(
  logger: Logger,
  store: SnapshotStore,
  slotsPerBlock: number,
  supervisor: object = SETTLED,
): PlanOptions {
  return {
    logger,
    status: new ReloaderStatus(),
    store,
    slotsPerBlock,
    runtimeUpdates: true,
    supervisor,
  } as unknown as PlanOptions;
}
