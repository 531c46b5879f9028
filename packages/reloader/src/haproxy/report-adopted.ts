// What the reloader says of a master it adopted: the status, the pid file and the log line.
import { currentWorker, writeFileAtomic, type Logger, type ProcInfo } from "@rancher-haproxy/core";
import type { HaproxyChild } from "./spawn-haproxy.js";
import type { SupervisorOptions } from "./supervisor-options.js";

// The status names the adopted master and its worker (what it runs: unknown), the pid file names the
// master (a failed write is not fatal), then haproxy.adopted.
export async function reportAdopted(
  child: HaproxyChild,
  info: ProcInfo,
  options: Pick<SupervisorOptions, "layout" | "logger" | "status">,
): Promise<void> {
  const { layout, logger, status } = options;
  status.haproxyStarted(child.pid);
  const worker = currentWorker(info);
  if (worker) status.workerConfirmed(worker.pid, info.reloads, "unknown");
  await writeFileAtomic(layout.pidFile, `${child.pid}\n`).catch(() => undefined);
  logAdopted(logger, child.pid, info);
}

// The haproxy.adopted line for master `pid`, as `show proc` described it (also a stop before the start's).
export function logAdopted(logger: Logger, pid: number, info: ProcInfo): void {
  const worker = currentWorker(info);
  logger.info(
    { event: "haproxy.adopted", pid, workerPid: worker?.pid ?? null, reloads: info.reloads },
    "adopted the HAProxy master a previous reloader left running",
  );
}
