// A start that fails leaves no HAProxy of this state dir serving with nobody supervising it: a master a
// killed reloader left running (found for adoption, or not looked for yet: a state dir gone read-only
// fails the start before that) is stopped gracefully, as a failed start's own HAProxy is. Found by a
// review: the reloader exited 1 and the master served on, unsupervised, its routing frozen; in the image
// the container's end then SIGKILLed it, cutting the requests in flight. A master whose state dir's lock a
// live reloader holds is that reloader's, and is left alone.
import { readFile } from "node:fs/promises";
import type { Logger } from "@rancher-haproxy/core";
import type { StateLayout } from "../output/snapshot-layout.js";
import { judge, readLock } from "../setup/lock-file.js";
import { findOurMaster } from "./process-table.js";
import { stopAdoptedMaster } from "./stop-adopted-master.js";

// Stops the master of `layout` no live reloader supervises (soft stop, again once it answers, then SIGTERM
// after `timeoutMs`, then SIGKILL); returns its pid, or null when there was none. Never throws.
export async function stopLeftMaster(
  layout: StateLayout,
  timeoutMs: number,
  logger: Logger,
): Promise<number | null> {
  try {
    const lock = await readLock(layout.lockFile);
    if (lock !== null && judge(lock) !== "stale") return null;
    const pidFile = await readFile(layout.pidFile, "utf8").catch(() => null);
    const master = findOurMaster(pidFile, layout.masterSocket);
    if (master === null) return null;
    logger.warn(
      { event: "start.stopping-haproxy", pid: master.pid },
      `the start failed while HAProxy master ${master.pid} of this state dir runs with no reloader: stopping it gracefully`,
    );
    // It may be re-executing for the killed reloader's reload (a start abandoned while it was silent):
    // SIGUSR1 again once it answers (twice to one that answers: harmless), as for every master a killed
    // reloader left: no worker of it counts as reached by the first (settled-workers.ts).
    await stopAdoptedMaster(master, layout.masterSocket, timeoutMs, logger);
    return master.pid;
  } catch (error) {
    logger.error({ event: "reloader.stop-error", err: String(error) }, "error while stopping HAProxy");
    return null;
  }
}
