// The supervisor's graceful stop of its HAProxy master, escalating so a stuck HAProxy cannot keep the
// reloader (and the container) from exiting.
import type { Logger } from "@rancher-haproxy/core";
import { within } from "./describe-start-failure.js";
import type { Settled } from "./settled-workers.js";
import { softStopNewWorkers } from "./soft-stop-new-workers.js";
import type { HaproxyChild, HaproxyExit } from "./spawn-haproxy.js";

// How long a SIGKILLed master's end is waited for: a process killed ends within ms, unless the kernel
// holds it (uninterruptible sleep: a hung disk or NFS, a frozen cgroup), when no wait would see it end.
const KILL_WAIT_MS = 3000;

// Soft-stop (SIGUSR1: stop listening, finish in-flight requests; again for each worker the master at
// `masterSocket` lists but `settled`, or after one more reload, softStopNewWorkers), then SIGTERM after
// `timeoutMs`, then SIGKILL after 3 s more, whose end is waited for 3 s at most; resolves with how the
// master exited. `settled`: the workers and reload count of a master known to be in its loop now
// (settled-workers.ts), else null.
export async function stopHaproxy(
  child: HaproxyChild,
  timeoutMs: number,
  logger: Logger,
  masterSocket: string,
  settled: Settled | null,
): Promise<HaproxyExit> {
  logger.info({ event: "haproxy.stopping", pid: child.pid, timeoutMs }, "soft-stopping HAProxy");
  child.signal("SIGUSR1");
  // Not awaited: it ends with the master.
  void softStopNewWorkers(child, masterSocket, logger, settled);
  let exit = await within(child.exited, timeoutMs);
  if (!exit) {
    logger.warn(
      { event: "haproxy.stop-timeout", pid: child.pid, timeoutMs },
      "HAProxy did not stop in time: SIGTERM",
    );
    child.signal("SIGTERM");
    exit = await within(child.exited, 3000);
  }
  if (!exit) {
    child.signal("SIGKILL");
    // A ref'd timer (within's) holds node's event loop open meanwhile: an adopted master's end is seen by
    // an unref'd poll (adopted-master.ts), which alone let node end with the wait unsettled (exit 13, no
    // `haproxy.stopped`) when a failed or abandoned start had nothing else left to wait for.
    exit = await within(child.exited, KILL_WAIT_MS);
  }
  if (!exit) {
    logger.error(
      { event: "haproxy.kill-timeout", pid: child.pid, timeoutMs: KILL_WAIT_MS },
      "HAProxy still runs after SIGKILL (held by the kernel: uninterruptible sleep, a frozen cgroup): not waited for",
    );
    return { code: null, signal: null, error: `still running ${KILL_WAIT_MS} ms after SIGKILL` };
  }
  logger.info(
    { event: "haproxy.stopped", pid: child.pid, code: exit.code, signal: exit.signal },
    "HAProxy stopped",
  );
  return exit;
}
