// A master of this state dir that is alive but does not answer its CLI cannot be supervised: stop it
// (SIGTERM, SIGKILL after a grace period) before a new one is started on the same ports. The SIGKILL
// goes to its process group, and what is left of the group once it is gone is killed too, as for a master
// of our own (spawn-haproxy.ts): signalled by its pid only, a `program` or check script it started that
// ignored SIGTERM ran on beside the new master.
import type { Logger } from "@rancher-haproxy/core";
import {
  isSameProcessAlive,
  killLeftoverGroup,
  killProcessGroup,
  leadsProcessGroup,
} from "./process-table.js";

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
  const group = isSameProcessAlive(pid, startTime) && leadsProcessGroup(pid);
  for (const signal of ["SIGTERM", "SIGKILL"] as const) {
    if (!isSameProcessAlive(pid, startTime)) break;
    try {
      if (signal === "SIGKILL" && group) killProcessGroup(pid);
      else process.kill(pid, signal);
    } catch {
      break;
    }
    const deadline = performance.now() + graceMs;
    while (performance.now() < deadline && isSameProcessAlive(pid, startTime))
      await new Promise((resolve) => setTimeout(resolve, 50));
  }
  killLeftoverGroup(pid, group);
}
