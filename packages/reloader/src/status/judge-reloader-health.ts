// /healthz's verdict for the reloader: HAProxy runs (a master with a confirmed worker) and the files
// on disk are the ones it runs; a change still inside its apply window (debounce + check + reload) is
// "applying", not a failure.
import type { StatusSnapshot } from "../state/reloader-status.js";
import type { AppliedState } from "./read-applied-state.js";

// The answer: healthy or not, and a JSON body saying why.
export interface ReloaderHealth {
  healthy: boolean;
  body: {
    status: "ok" | "applying" | "failing";
    reason: string;
    haproxy: { running: boolean; pid: number | null; workerPid: number | null; workerGeneration: number };
    /** the gen-<n> the running worker was confirmed with */
    runningGeneration: number | null;
    inputsApplied: boolean;
    inputsChangedSecondsAgo: number | null;
    lastError: string | null;
  };
}

// Judges at `now`; `graceMs` is how long a changed input may wait to be applied.
export function judgeReloaderHealth(
  status: StatusSnapshot,
  applied: AppliedState,
  now: number,
  graceMs: number,
): ReloaderHealth {
  const running = status.haproxyPid !== null && status.workerPid !== null;
  const sinceChange = applied.changedAt === null ? null : Math.max(0, now - applied.changedAt);
  const body = {
    haproxy: {
      running,
      pid: status.haproxyPid,
      workerPid: status.workerPid,
      workerGeneration: status.masterReloads,
    },
    runningGeneration: status.runningGeneration,
    inputsApplied: applied.applied,
    inputsChangedSecondsAgo: sinceChange === null ? null : Math.round(sinceChange / 100) / 10,
    lastError: status.lastError,
  };
  const lastError = status.lastError ? ` (last error: ${status.lastError})` : "";
  if (!running)
    return {
      healthy: false,
      body: { status: "failing", reason: `HAProxy is not running${lastError}`, ...body },
    };
  if (applied.applied)
    return {
      healthy: true,
      body: {
        status: "ok",
        reason: `HAProxy runs the current files (gen-${body.runningGeneration})`,
        ...body,
      },
    };
  if (sinceChange !== null && sinceChange <= graceMs && applied.problem === null)
    return {
      healthy: true,
      body: { status: "applying", reason: "the files changed and are being applied", ...body },
    };
  const what = applied.problem ?? "the files on disk differ from the ones HAProxy runs";
  return {
    healthy: false,
    body: {
      status: "failing",
      reason: `${what}; HAProxy keeps running gen-${body.runningGeneration ?? "?"}${lastError}`,
      ...body,
    },
  };
}
