// What the HAProxy supervisor is built from (haproxy-supervisor.ts).
import type { Logger } from "@rancher-haproxy/core";
import type { StateLayout } from "../output/snapshot-layout.js";
import type { ReloaderStatus } from "../state/reloader-status.js";
import type { StdoutFifo } from "./stdout-fifo.js";

// What the supervisor needs.
export interface SupervisorOptions {
  bin: string;
  layout: StateLayout;
  reloadTimeoutMs: number;
  maxRestarts: number;
  logger: Logger;
  status: ReloaderStatus;
  /** where HAProxy's stdout goes (null: a pipe to this process) */
  stdoutFifo: StdoutFifo | null;
  /** called once when restarts keep failing: the reloader should exit 1 */
  onGiveUp: (error: Error) => void;
  /** hears of the snapshot a late refusal pointed `current` back at (settleLateReload) */
  onPointedBack?: (generation: number) => Promise<void>;
  /** asked before HAProxy loads `current` outside the applier's passes (a restart of its master, a
   * reload for the certificates), which resolves once `current` holds what HAProxy can load now (never
   * rejects): ConfigApplier.refreshCurrent */
  beforeLoad?: () => Promise<void>;
}
