// A stop that came before this start (RELOADER_STOP_UNDER_WAY: the entrypoint started this reloader again
// during a container's stop). All it needs is the master a killed reloader left: no metadata read, no
// `haproxy -c`, no HAProxy started. A start then stop read metadata (agent_ip, certificates) and ran
// `haproxy -c` on the stop's budget (with the image's 6 s, ≈ 10.5 s in all when the first reloader died
// 5 s into its stop: past Docker's 10 s grace), and often reloaded the soft-stopped master first.
import { readFile } from "node:fs/promises";
import type { Logger, ProcInfo } from "@rancher-haproxy/core";
import { findRunningMaster } from "../adopt/find-running-master.js";
import { findOurMaster } from "../adopt/process-table.js";
import { stopAdoptedMaster } from "../adopt/stop-adopted-master.js";
import { stopLeftMaster } from "../adopt/stop-left-master.js";
import { logHaproxyLine } from "../haproxy/log-haproxy-line.js";
import { logAdopted } from "../haproxy/report-adopted.js";
import { openStdoutFifo } from "../haproxy/stdout-fifo.js";
import type { ReloaderOptions } from "../options/reloader-options.js";
import { stateLayout, type StateLayout } from "../output/snapshot-layout.js";
import { StartStoppedError } from "./abortable-step.js";
import { lockStateDir } from "./lock-state-dir.js";
import { prepareStateDir } from "./prepare-state-dir.js";

// Adopts the running master of the state dir without a reload (adopt.reload-skipped) and soft-stops it
// within --stop-timeout from `since` (this process's start: the entrypoint gave it what is left of the
// stop's budget); one alive but silent on its master CLI is stopped the same way, and soft-stopped again
// once it answers (a re-execution may have lost the first SIGUSR1). The master's pid, or null when none
// runs (nothing to stop). Throws StartupError (the state dir unusable, or locked by a live reloader) as a
// start does, once a master no live reloader supervises is stopped all the same.
export async function stopBeforeStart(
  options: ReloaderOptions,
  logger: Logger,
  since: number,
): Promise<number | null> {
  const layout = stateLayout(options.stateDir);
  try {
    return await stopInStateDir(options, logger, since, layout);
  } catch (error) {
    // As a start that fails (main.ts): the master left running is not left serving unsupervised until
    // the container's end SIGKILLs it (one a live reloader holds the lock for is that reloader's).
    await stopLeftMaster(layout, leftOf(options, since), logger);
    throw error;
  }
}

// What is left of --stop-timeout counted from `since`, in ms.
function leftOf(options: ReloaderOptions, since: number): number {
  return Math.max(0, Math.round(since + options.stopTimeoutMs - performance.now()));
}

async function stopInStateDir(
  options: ReloaderOptions,
  logger: Logger,
  since: number,
  layout: StateLayout,
): Promise<number | null> {
  await prepareStateDir(layout.dir, [options.backendConfig, options.domainMap]);
  const lock = await lockStateDir(layout.lockFile, layout.dir);
  try {
    const master = await masterToStop(layout, options, logger);
    if (master === null) {
      logger.info({ event: "stop.nothing-running" }, "no HAProxy of this state dir runs: nothing to stop");
      return null;
    }
    if (master.info !== null) logAdopted(logger, master.pid, master.info);
    logger.info(
      { event: "adopt.reload-skipped", pid: master.pid },
      "a stop came before this start: the running HAProxy is stopped without a reload first",
    );
    // Its access logs (SYSLOG_HOST=stdout) still reach the log while it drains.
    const stdoutFifo = await openStdoutFifo(
      layout.stdoutFifo,
      (line) => logHaproxyLine(logger, "stdout", line),
      logger,
    );
    try {
      // A silent one may be re-executing for the killed reloader's reload, and one that answers may still
      // take a reload that reloader queued: SIGUSR1 again once it answers and for each new worker.
      await stopAdoptedMaster(master, layout.masterSocket, leftOf(options, since), logger);
    } finally {
      stdoutFifo?.close();
    }
    return master.pid;
  } finally {
    lock.release();
  }
}

// The master to stop: one that answers on the master CLI (asked once, as an adoption does), else one of
// ours /proc shows alive but silent (re-executing for a reload when its reloader was killed; no `show
// proc` answer: info null), else none.
async function masterToStop(
  layout: StateLayout,
  options: ReloaderOptions,
  logger: Logger,
): Promise<{ pid: number; startTime: string; info: ProcInfo | null } | null> {
  const asked = new AbortController();
  asked.abort();
  try {
    const found = await findRunningMaster(layout, options.reloadTimeoutMs, logger, asked.signal);
    if (found.kind === "none") return null;
    return { pid: found.pid, startTime: found.startTime, info: found.kind === "running" ? found.info : null };
  } catch (error) {
    if (!(error instanceof StartStoppedError)) throw error;
    const pidFile = await readFile(layout.pidFile, "utf8").catch(() => null);
    const silent = findOurMaster(pidFile, layout.masterSocket);
    return silent === null ? null : { pid: silent.pid, startTime: silent.startTime, info: null };
  }
}
