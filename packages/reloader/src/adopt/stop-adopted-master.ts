// The graceful stop of a master this reloader did not start (one a killed reloader left running), shared
// by a failed start's clean-up and a stop that came before the start.
import type { Logger } from "@rancher-haproxy/core";
import { softStopWhenSettled } from "../haproxy/soft-stop-when-settled.js";
import { stopHaproxy } from "../haproxy/stop-haproxy.js";
import type { HaproxyExit } from "../haproxy/spawn-haproxy.js";
import { adoptedMaster } from "./adopted-master.js";

// Soft-stops master `pid` (this incarnation: `startTime`), SIGTERM after `timeoutMs`, then SIGKILL. With
// `resend`, SIGUSR1 again once its master CLI answers: one silent because it re-executes for the killed
// reloader's reload loses the first (HAProxy 2.6), and its new worker would serve until the SIGTERM. The
// resend is not awaited: it ends with the master, and the reloader exits after the stop.
export function stopAdoptedMaster(
  master: { pid: number; startTime: string },
  masterSocket: string,
  timeoutMs: number,
  logger: Logger,
  resend: boolean,
): Promise<HaproxyExit> {
  const child = adoptedMaster(master.pid, master.startTime, 50);
  const stopped = stopHaproxy(child, timeoutMs, logger);
  if (resend) void softStopWhenSettled(child, masterSocket, null);
  return stopped;
}
