// The emergency stop of a second signal during the start: the master this state dir's reloader runs (or
// is starting) is SIGKILLed, synchronously, just before the process exits. Before, a second SIGTERM
// while the start was still waiting for HAProxy exited with no reloader to kill it, and the master
// (spawned detached) kept serving with nobody supervising it. Only a master of ours (-W and this state
// dir's socket, checked in /proc) is killed: the pid file may be stale and its pid reused. It is killed
// with its process group, as a master of our own is (spawn-haproxy.ts): killed by its pid only, a
// `program` or check script it started ran on with nobody to stop it.
import { readFileSync } from "node:fs";
import type { StateLayout } from "../output/snapshot-layout.js";
import { findOurMaster, killProcessGroup, leadsProcessGroup } from "./process-table.js";

// Kills the master of `layout` when one runs; returns its pid, or null when none was found.
export function killOurMaster(layout: StateLayout): number | null {
  let pidFile: string | null;
  try {
    pidFile = readFileSync(layout.pidFile, "utf8");
  } catch {
    pidFile = null;
  }
  const master = findOurMaster(pidFile, layout.masterSocket);
  if (!master) return null;
  if (leadsProcessGroup(master.pid) && killProcessGroup(master.pid)) return master.pid;
  try {
    process.kill(master.pid, "SIGKILL");
    return master.pid;
  } catch {
    return null;
  }
}
