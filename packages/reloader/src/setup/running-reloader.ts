// What startReloader hands back (startSupervised builds it).
import type { ReloaderStatus } from "../state/reloader-status.js";

// A running reloader: its status, a promise that rejects if HAProxy cannot be kept up, and stop().
export interface RunningReloader {
  readonly status: ReloaderStatus;
  readonly failed: Promise<never>;
  stop(): Promise<void>;
  /** synchronous last resort on process exit: SIGKILL HAProxy if it still runs */
  killNow(): void;
}
