// The supervisor's graceful stop of its HAProxy master, escalating so a stuck HAProxy cannot keep the
// reloader (and the container) from exiting.
import type { Logger } from "@rancher-haproxy/core";
import { within } from "./describe-start-failure.js";
import type { HaproxyChild, HaproxyExit } from "./spawn-haproxy.js";

// Soft-stop (SIGUSR1: stop listening, finish in-flight requests), then SIGTERM after `timeoutMs`, then
// SIGKILL after 3 s more; resolves with how the master exited.
export async function stopHaproxy(
  child: HaproxyChild,
  timeoutMs: number,
  logger: Logger,
): Promise<HaproxyExit> {
  logger.info({ event: "haproxy.stopping", pid: child.pid, timeoutMs }, "soft-stopping HAProxy");
  child.signal("SIGUSR1");
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
    exit = await heldOpen(child.exited);
  }
  logger.info(
    { event: "haproxy.stopped", pid: child.pid, code: exit.code, signal: exit.signal },
    "HAProxy stopped",
  );
  return exit;
}

// `promise`, with a timer keeping node's event loop alive until it settles: an adopted master's end is seen
// by an unref'd poll (adopted-master.ts), which alone let node end with the wait unsettled (exit 13, no
// `haproxy.stopped`) when a failed or abandoned start had nothing else left to wait for.
async function heldOpen<T>(promise: Promise<T>): Promise<T> {
  const hold = setInterval(() => undefined, 60_000);
  try {
    return await promise;
  } finally {
    clearInterval(hold);
  }
}
