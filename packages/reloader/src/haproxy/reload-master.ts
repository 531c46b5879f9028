// One reload of a running master-worker HAProxy: `reload` on the master CLI, confirmed by `show proc`
// (`kill -USR2` and the reload command itself report success even when the new worker fails).
import { sendMasterCommand } from "@rancher-haproxy/core";
import { confirmReload, readProc, type Verdict } from "./confirm-reload.js";
import type { HaproxyChild } from "./spawn-haproxy.js";

// Send `reload` and wait until show proc confirms a new worker (or says why not); never throws.
export async function reloadMaster(
  child: HaproxyChild,
  masterSocket: string,
  timeoutMs: number,
): Promise<Verdict> {
  if (!child.isAlive()) return { ok: false, kind: "exited", reason: "HAProxy is not running", info: null };
  const before = await readProc(masterSocket);
  if (!before)
    return { ok: false, kind: "timeout", reason: "the master CLI does not answer show proc", info: null };
  try {
    await sendMasterCommand(masterSocket, "reload", timeoutMs);
  } catch (error) {
    // The master re-executes on reload: a reset connection is expected, a refused one is not.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "ECONNRESET" && code !== "EPIPE")
      return { ok: false, kind: "timeout", reason: `reload not sent: ${String(error)}`, info: before };
  }
  return confirmReload({ socketPath: masterSocket, timeoutMs, isAlive: () => child.isAlive() }, before);
}
