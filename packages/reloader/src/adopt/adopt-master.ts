// Take over the HAProxy master a killed reloader left running, instead of starting a second one on the
// same ports: supervise it (by polling, it is not our child) and reload it once, confirmed, so it runs
// exactly the snapshot this reloader just checked and pointed `current` at.
import type { Logger } from "@rancher-haproxy/core";
import type { Verdict } from "../haproxy/confirm-reload.js";
import type { HaproxySupervisor } from "../haproxy/haproxy-supervisor.js";
import { adoptedMaster } from "./adopted-master.js";
import type { FoundMaster } from "./find-running-master.js";

// Adopt and reload. A failed reload leaves the adopted workers serving.
export async function adoptMaster(
  found: Extract<FoundMaster, { kind: "running" }>,
  supervisor: HaproxySupervisor,
  logger: Logger,
): Promise<Verdict> {
  await supervisor.adopt(adoptedMaster(found.pid, found.startTime), found.info);
  const verdict = await supervisor.reload();
  if (verdict.ok)
    logger.info(
      {
        event: "adopt.reloaded",
        pid: found.pid,
        workerPid: verdict.workerPid,
        reloads: verdict.info.reloads,
      },
      "the adopted HAProxy now runs the current snapshot",
    );
  else
    logger.error(
      { event: "adopt.reload-failed", pid: found.pid, kind: verdict.kind, reason: verdict.reason },
      "the adopted HAProxy did not take the current snapshot: its workers keep serving",
    );
  return verdict;
}
