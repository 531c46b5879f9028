// The graceful stop of a master this reloader did not start (one a killed reloader left running), shared
// by a failed start's clean-up and a stop that came before the start.
import type { Logger } from "@rancher-haproxy/core";
import { stopHaproxy } from "../haproxy/stop-haproxy.js";
import type { HaproxyExit } from "../haproxy/spawn-haproxy.js";
import { adoptedMaster } from "./adopted-master.js";

// Soft-stops master `pid` (this incarnation: `startTime`), SIGTERM after `timeoutMs`, then SIGKILL. SIGUSR1
// goes again once its master CLI answers, and for each new worker it lists (stopHaproxy): one silent as
// it re-executes for the killed reloader's reload loses the first (HAProxy 2.6), and one that takes a
// reload queued before the stop (that reloader's) forks a new worker after it; either would serve until
// the SIGTERM.
export function stopAdoptedMaster(
  master: { pid: number; startTime: string },
  masterSocket: string,
  timeoutMs: number,
  logger: Logger,
): Promise<HaproxyExit> {
  const child = adoptedMaster(master.pid, master.startTime, 50);
  // No worker is known to be settled: the killed reloader may have sent a reload the master has not taken.
  return stopHaproxy(child, timeoutMs, logger, masterSocket, null);
}
