// Is an HAProxy master of this state dir still running (the reloader was killed and restarted)? The
// master CLI is asked first (`show proc`), the pid file second, and /proc confirms it is ours.
import { readFile } from "node:fs/promises";
import type { StateLayout } from "../output/snapshot-layout.js";
import { readProc } from "../haproxy/confirm-reload.js";
import type { ProcInfo } from "@rancher-haproxy/core";
import { isOurMaster, viewProcess } from "./process-table.js";

// `running`: it answers on the master CLI, adopt it. `stale`: it is alive but does not answer (retire
// it before starting another on the same ports). `none`: nothing to adopt.
export type FoundMaster =
  | { kind: "running"; pid: number; startTime: string; info: ProcInfo }
  | { kind: "stale"; pid: number; startTime: string }
  | { kind: "none" };

// Look for the master; `attempts` tries of show proc, `retryMs` apart, before calling it stale.
export async function findRunningMaster(
  layout: StateLayout,
  attempts = 3,
  retryMs = 1000,
): Promise<FoundMaster> {
  const fromPidFile = await readPidFile(layout.pidFile);
  const candidate = fromPidFile === null ? null : viewProcess(fromPidFile);
  const ours = candidate && isOurMaster(candidate, layout.masterSocket) ? candidate : null;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const info = await readProc(layout.masterSocket);
    const view = info ? viewProcess(info.masterPid) : null;
    if (info && view && isOurMaster(view, layout.masterSocket))
      return { kind: "running", pid: view.pid, startTime: view.startTime, info };
    // Nobody listens on the socket and the pid file names no live master of ours: nothing to wait for.
    if (!ours) return { kind: "none" };
    if (attempt < attempts) await new Promise((resolve) => setTimeout(resolve, retryMs));
  }
  return ours ? { kind: "stale", pid: ours.pid, startTime: ours.startTime } : { kind: "none" };
}

async function readPidFile(path: string): Promise<number | null> {
  try {
    const pid = Number((await readFile(path, "utf8")).trim());
    return Number.isSafeInteger(pid) && pid > 1 ? pid : null;
  } catch {
    return null;
  }
}
