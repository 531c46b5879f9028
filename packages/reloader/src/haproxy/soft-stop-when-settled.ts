// The stop's soft stop again once a reload that timed out during it has settled: the master may still
// have been re-executing when the reload ended (HAProxy 2.6 loses a SIGUSR1 then), and its new worker
// would listen and serve through the stop until its SIGTERM.
import type { ProcInfo } from "@rancher-haproxy/core";
import { judgeReload, readProc } from "./confirm-reload.js";
import type { HaproxyChild } from "./spawn-haproxy.js";

// How often the master is asked (show proc) until it answers with its verdict on the reload.
const POLL_MS = 100;

// SIGUSR1 to `child` once its master CLI answers show proc with a verdict on the reload sent after
// `before` (null: not known, its first answer); never throws, ends with the master.
export async function softStopWhenSettled(
  child: HaproxyChild,
  masterSocket: string,
  before: ProcInfo | null,
): Promise<void> {
  while (child.isAlive()) {
    const info = await readProc(masterSocket);
    if (info !== null && (before === null || judgeReload(before, info) !== null)) {
      child.signal("SIGUSR1");
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS).unref());
  }
}
