// What startReloader hands back (startSupervised builds it).
import type { ReloaderStatus } from "../state/reloader-status.js";

// A running reloader: its status, a promise that rejects if HAProxy cannot be kept up, and stop().
export interface RunningReloader {
  readonly status: ReloaderStatus;
  readonly failed: Promise<never>;
  /** a graceful stop within --stop-timeout, timed from `since` (performance.now() of the stop's signal:
   * a start the signal came during completes first) or from now */
  stop(since?: number): Promise<void>;
  /** synchronous last resort on process exit: SIGKILL HAProxy if it still runs */
  killNow(): void;
}
