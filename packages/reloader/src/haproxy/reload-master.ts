// One reload of a running master-worker HAProxy: `reload` on the master CLI, confirmed by `show proc`
// (`kill -USR2` and the reload command itself report success even when the new worker fails).
import { sendMasterCommand, type ProcInfo } from "@rancher-haproxy/core";
import { confirmReload, readProc, type Verdict } from "./confirm-reload.js";
import type { HaproxyChild } from "./spawn-haproxy.js";

// A reload's verdict, and `show proc` before it (null: the master did not answer, no reload was sent).
export interface ReloadAttempt {
  verdict: Verdict;
  before: ProcInfo | null;
}

// Send `reload` and wait until show proc confirms a new worker (or says why not); never throws.
// `beforeSend` gets show proc just before `reload` is sent. `stopping`, asked right before it is sent
// (the stop's SIGUSR1 is not on the supervisor's lock): true, none is sent (HAProxy 2.6 takes a reload of a
// soft-stopped master as any other: its new worker binds the listeners again and serves).
export async function reloadMaster(
  child: HaproxyChild,
  masterSocket: string,
  timeoutMs: number,
  beforeSend: (before: ProcInfo) => void = () => undefined,
  stopping: () => boolean = () => false,
): Promise<ReloadAttempt> {
  if (!child.isAlive())
    return {
      verdict: { ok: false, kind: "exited", reason: "HAProxy is not running", info: null },
      before: null,
    };
  const before = await readProc(masterSocket);
  if (!before)
    return {
      verdict: {
        ok: false,
        kind: "timeout",
        reason: "reload not sent: the master CLI does not answer show proc",
        info: null,
        sent: false,
      },
      before,
    };
  if (stopping()) return { verdict: refusedByStop(before), before }; // the stop began during show proc
  beforeSend(before);
  try {
    await sendMasterCommand(masterSocket, "reload", timeoutMs);
  } catch (error) {
    // The master re-executes on reload: a reset connection is expected, a refused one is not. Not sent,
    // but held like a timeout (settleLateReload): another client's reload may have reached the master.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "ECONNRESET" && code !== "EPIPE") {
      const reason = `reload not sent: ${String(error)}`;
      return { verdict: { ok: false, kind: "timeout", reason, info: before, sent: false }, before };
    }
  }
  const isAlive = () => child.isAlive();
  return { verdict: await confirmReload({ socketPath: masterSocket, timeoutMs, isAlive }, before), before };
}

// The verdict on a reload a stop of HAProxy refused: not sent (`info`: show proc read first, if any).
export function refusedByStop(info: ProcInfo | null): Verdict {
  return {
    ok: false,
    kind: "stopping",
    reason: "reload not sent: HAProxy is being stopped",
    info,
    sent: false,
  };
}
