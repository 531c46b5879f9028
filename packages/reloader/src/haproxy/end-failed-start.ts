// What a first start that was not confirmed ready leaves behind, cleared before HaproxySupervisor.start
// throws: no HAProxy, no pid file.
import { rm } from "node:fs/promises";
import type { HaproxyChild, HaproxyExit } from "./spawn-haproxy.js";

// Kill the master that did not become ready (if one was spawned), wait for its exit and its last output
// lines, and remove the pid file; its exit (null: none was spawned) is for the failure message.
export async function endFailedStart(
  child: HaproxyChild | null,
  pidFile: string,
): Promise<HaproxyExit | null> {
  let exit: HaproxyExit | null = null;
  if (child) {
    child.signal("SIGKILL");
    exit = await child.exited;
    await new Promise((resolve) => setImmediate(resolve)); // its last output lines
  }
  await rm(pidFile, { force: true });
  return exit;
}
