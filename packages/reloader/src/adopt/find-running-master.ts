// Is an HAProxy master of this state dir still running (the reloader was killed and restarted)? The
// master CLI is asked first (`show proc`), the pid file second (/proc confirms it is ours), then /proc
// for a master of ours the pid file does not name (a reloader killed before writing it).
import { readFile } from "node:fs/promises";
import type { StateLayout } from "../output/snapshot-layout.js";
import { readProc } from "../haproxy/confirm-reload.js";
import type { Logger, ProcInfo } from "@rancher-haproxy/core";
import { abortableStep, stopIfAsked } from "../setup/abortable-step.js";
import { findOurMaster, isOurMaster, isSameProcessAlive, viewProcess } from "./process-table.js";

// `running`: it answers on the master CLI, adopt it. `stale`: it is alive but does not answer (retire
// it before starting another on the same ports). `none`: nothing to adopt.
export type FoundMaster =
  | { kind: "running"; pid: number; startTime: string; info: ProcInfo }
  | { kind: "stale"; pid: number; startTime: string }
  | { kind: "none" };

// How long past the reload timeout a master of ours that is alive may stay silent before it is stale.
const ADOPT_SLACK_MS = 5000;

// The stage a stop during the wait for a silent master abandons the start at (`start.abandoned`).
export const SILENT_MASTER_STAGE = "silent master";

// Look for the master. One that is alive (/proc: the same pid and start time) but silent may be
// re-executing for a reload (it parses the whole config, seconds at thousands of backends, before its
// CLI answers again): ask every `retryMs` for up to `reloadTimeoutMs` + ADOPT_SLACK_MS before calling
// it stale. The wait is logged once (`adopt.waiting`), as it can hold the start for seconds. A `stop` does
// not skip the first question (a master that answers is adopted, then stopped gracefully), but once that
// one went unanswered it ends the wait at once: StartStoppedError (stage SILENT_MASTER_STAGE), as the
// start's other reads; it waited out the whole wait (15 s by default, beyond Docker's 10 s stop grace).
export async function findRunningMaster(
  layout: StateLayout,
  reloadTimeoutMs: number,
  logger: Logger,
  stop?: AbortSignal,
  retryMs = 500,
): Promise<FoundMaster> {
  const pidFile = await readFile(layout.pidFile, "utf8").catch(() => null);
  const ours = findOurMaster(pidFile, layout.masterSocket);
  const deadline = performance.now() + reloadTimeoutMs + ADOPT_SLACK_MS;
  let waiting = false;
  for (;;) {
    const asking = readProc(layout.masterSocket);
    const info = await (waiting ? abortableStep(asking, stop, SILENT_MASTER_STAGE) : asking);
    const view = info ? viewProcess(info.masterPid) : null;
    if (info && view && isOurMaster(view, layout.masterSocket))
      return { kind: "running", pid: view.pid, startTime: view.startTime, info };
    // Nobody answers and the pid file names no live master of ours (or it is gone): nothing to wait for.
    if (!ours || !isSameProcessAlive(ours.pid, ours.startTime)) return { kind: "none" };
    stopIfAsked(stop, SILENT_MASTER_STAGE);
    if (performance.now() >= deadline) return { kind: "stale", pid: ours.pid, startTime: ours.startTime };
    if (!waiting) {
      waiting = true;
      const waitMs = Math.round(deadline - performance.now());
      logger.warn(
        { event: "adopt.waiting", pid: ours.pid, waitMs },
        `HAProxy master ${ours.pid} is alive but its master CLI does not answer (reloading?): asking again for up to ${waitMs} ms`,
      );
    }
    await abortableStep(new Promise((resolve) => setTimeout(resolve, retryMs)), stop, SILENT_MASTER_STAGE);
  }
}
