// Which HAProxy masters serve a state dir, by /proc: how the adoption tests prove there is exactly one
// master before and after a reloader is killed, whoever its parent is (a reloader, or tini once orphaned).
import { listProcesses } from "../pair/process-tree.js";

// Live HAProxy processes of this state dir (run with its master socket) whose parent is not one of them.
export function haproxyMasters(stateDir: string): number[] {
  const socket = `${stateDir}/master.sock`;
  // A zombie's command line is empty, so only live processes match.
  const ours = listProcesses().filter(
    (proc) => proc.command.split(" ")[0]?.includes("haproxy") && proc.command.includes(socket),
  );
  const pids = new Set(ours.map((proc) => proc.pid));
  return ours.filter((proc) => !pids.has(proc.ppid)).map((proc) => proc.pid);
}
