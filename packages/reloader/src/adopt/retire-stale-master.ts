// A master of this state dir that is alive but does not answer its CLI cannot be supervised: stop it
// (SIGTERM, SIGKILL after a grace period) before a new one is started on the same ports.
import type { Logger } from "@rancher-haproxy/core";
import { isSameProcessAlive } from "./process-table.js";

// Resolves once the process is gone (or after the SIGKILL grace period, whatever happened); the grace
// periods run on the monotonic clock, so a wall clock stepped back does not stretch them.
export async function retireStaleMaster(
  pid: number,
  startTime: string,
  logger: Logger,
  graceMs = 3000,
): Promise<void> {
  logger.warn(
    { event: "haproxy.stale", pid },
    "an HAProxy master of this state dir runs but does not answer its master CLI: stopping it",
  );
  for (const signal of ["SIGTERM", "SIGKILL"] as const) {
    if (!isSameProcessAlive(pid, startTime)) return;
    try {
      process.kill(pid, signal);
    } catch {
      return;
    }
    const deadline = performance.now() + graceMs;
    while (performance.now() < deadline && isSameProcessAlive(pid, startTime))
      await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
