// One `reload` sent to a running master and confirmed by show proc: the I/O of the supervisor's reload
// once HAProxy runs and the master has answered since any reload that timed out.
import type { ProcInfo } from "@rancher-haproxy/core";
import { clearKept, noteReloadSent } from "../output/kept-link.js";
import type { Verdict } from "./confirm-reload.js";
import type { OldWorkerCount } from "./old-worker-count.js";
import { reloadMaster } from "./reload-master.js";
import { sentOf, type LateReload } from "./settle-late-reload.js";
import type { HaproxyChild } from "./spawn-haproxy.js";
import type { SupervisorOptions } from "./supervisor-options.js";

// Reload `child`'s master, noting its old workers; `late`: the reload to settle when the master answers
// again (one that timed out), else null. `kept`: the snapshot `current` named before a switch sent it.
// `stopping`: a stop of HAProxy began (reloadMaster asks it right before `reload` goes out).
export async function sendReload(
  child: HaproxyChild,
  kept: number | null,
  oldWorkers: OldWorkerCount,
  options: Pick<SupervisorOptions, "layout" | "reloadTimeoutMs" | "status">,
  stopping: () => boolean,
): Promise<{ verdict: Verdict; late: LateReload | null }> {
  const { layout, reloadTimeoutMs, status } = options;
  // Noted for a reloader killed before the verdict (kept-link.ts).
  const note = (info: ProcInfo) => noteReloadSent(layout, info);
  const socket = layout.masterSocket;
  const { verdict, before } = await reloadMaster(child, socket, reloadTimeoutMs, note, stopping);
  oldWorkers.note(verdict.info ?? before);
  if (verdict.ok) {
    status.workerConfirmed(verdict.workerPid, verdict.info.reloads);
    await clearKept(layout);
  }
  const late = !verdict.ok && verdict.kind === "timeout" ? { before, kept, ...sentOf(verdict) } : null;
  return { verdict, late };
}
