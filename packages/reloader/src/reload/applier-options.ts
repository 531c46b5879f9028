// What the config applier (config-applier.ts) and the steps of its pass work with.
import type { Logger, SharedBackend } from "@rancher-haproxy/core";
import type { HaproxySupervisor } from "../haproxy/haproxy-supervisor.js";
import type { InputPaths } from "../sources/read-inputs.js";
import type { ReloaderStatus } from "../state/reloader-status.js";
import type { SnapshotStore } from "./snapshot-store.js";

// What the applier works with.
export interface ApplierOptions {
  store: SnapshotStore;
  inputs: InputPaths;
  logger: Logger;
  status: ReloaderStatus;
  supervisor: HaproxySupervisor;
  /** first re-read delay of inputs that are not settled yet (the debounce) */
  retryMs: number;
  /** apply changes within existing backends through the runtime API (false: every change reloads) */
  runtimeUpdates: boolean;
  /** server slots per backend block */
  slotsPerBlock: number;
  /** how long one runtime-API command may take before the change falls back to a reload */
  runtimeTimeoutMs?: number;
  /** sees the backends file (or its parsed backends) HAProxy runs, or starts from: the start's, each
   * runtime change's, each reload's HAProxy took (the TCP port and HTTPS reports) */
  onRunning?: (backends: Buffer | readonly SharedBackend[]) => void;
}
