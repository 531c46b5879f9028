// The stop's soft stop, again for each worker its master lists that the first SIGUSR1 may have missed.
// HAProxy 2.6 loses a SIGUSR1 that comes while the master re-executes for a reload (before the new worker
// is forked, and after: it re-executes once more; seen losing one 120 ms after the fork), and a reload
// queued before the stop's SIGUSR1 (one a killed reloader sent) is taken after it. Either way, until
// 2026-12-06 the reload's new worker listened and served through the stop until its SIGTERM at the end of
// --stop-timeout (`haproxy.stop-timeout`).
import type { Logger } from "@rancher-haproxy/core";
import { readProc } from "./confirm-reload.js";
import type { Settled } from "./settled-workers.js";
import type { HaproxyChild } from "./spawn-haproxy.js";

// How often the master is asked (show proc), and how long one answer is waited for.
const POLL_MS = 150;
const ATTEMPT_TIMEOUT_MS = 500;

// Until `child` ends: asks its master `show proc` every 150 ms and sends it SIGUSR1 again (the master
// passes it on to its workers) whenever an answer lists a worker that neither `settled` (the workers the
// first SIGUSR1 surely reached, settled-workers.ts; null: none known, the first answer's are resent to)
// nor an earlier answer did, or counts more reloads than the last answer (or `settled`): a re-execution
// after the last SIGUSR1, a refused one too, which keeps the same workers, may have lost it. A master that
// answers is in its loop, where the signal is not lost; twice to a soft-stopped worker is harmless. Each
// resend logged; never throws.
export async function softStopNewWorkers(
  child: HaproxyChild,
  masterSocket: string,
  logger: Logger,
  settled: Settled | null,
): Promise<void> {
  const signalled = new Set<number>(settled?.pids ?? []);
  let reloads = settled?.reloads ?? null;
  while (child.isAlive()) {
    const info = await readProc(masterSocket, ATTEMPT_TIMEOUT_MS);
    if (info !== null && info.masterPid === child.pid) {
      const fresh = info.workers.filter((worker) => !signalled.has(worker.pid)).map((worker) => worker.pid);
      const reloaded = reloads !== null && info.reloads !== reloads;
      reloads = info.reloads;
      if ((fresh.length > 0 || reloaded) && child.isAlive()) {
        for (const pid of fresh) signalled.add(pid);
        child.signal("SIGUSR1");
        logger.info(
          { event: "haproxy.soft-stop-again", pid: child.pid, workers: fresh, reloads: info.reloads },
          fresh.length > 0
            ? `soft-stopping HAProxy again: its master lists worker(s) ${fresh.join(", ")} the stop may have missed`
            : `soft-stopping HAProxy again: its master re-executed (reload ${info.reloads}) since the last SIGUSR1, which it may have lost`,
        );
      }
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS).unref());
  }
}
