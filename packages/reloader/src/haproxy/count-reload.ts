// How the supervisor counts a reload it sends for a caller (HaproxySupervisor.reload) in
// reloader_reloads_total.
import type { ReloadReason } from "../model/plan-update.js";
import type { ReloaderStatus } from "../state/reloader-status.js";
import type { Verdict } from "./confirm-reload.js";

// A reload sent outside a change's own switch (the revert of runtime steps, the certificates' fallback),
// counted by reason and result; one not confirmed in time is counted when the master answers again.
export function countReload(status: ReloaderStatus, reason: ReloadReason, verdict: Verdict): void {
  status.reloadFor(reason);
  if (verdict.ok) status.reloadCounted("applied");
  else if (verdict.kind !== "timeout")
    status.reloadCounted(verdict.kind === "exited" ? "interrupted" : "rejected");
}
