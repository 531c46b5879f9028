// Which HAProxy masters serve a state dir, by /proc: how the adoption tests prove there is exactly one
// master before and after a reloader is killed, whoever its parent is (a reloader, or tini once orphaned).
import { listProcesses, type ProcessInfo } from "../pair/process-tree.js";

// What one look at /proc found: the masters' pids, or that an HAProxy was caught inside an exec.
export type MastersSeen = { masters: number[] } | { inExec: number };

// Live HAProxy processes of this state dir (run with its master socket) whose parent is not an HAProxy.
// A reloading master re-executes itself: between the kernel's swap of its memory and the new program's
// arguments, its command line reads empty. Its workers then seem parentless by command line, so parents
// are judged by the kernel's name (holding "haproxy": wrappers in tests are named so), and a live HAProxy
// with an empty command line means "look again".
export function findHaproxyMasters(processes: readonly ProcessInfo[], stateDir: string): MastersSeen {
  const socket = `${stateDir}/master.sock`;
  const haproxy = processes.filter((proc) => proc.name.includes("haproxy") && proc.state !== "Z");
  const caught = haproxy.find((proc) => proc.command === "");
  if (caught) return { inExec: caught.pid };
  const pids = new Set(haproxy.map((proc) => proc.pid));
  const masters = haproxy.filter((proc) => !pids.has(proc.ppid) && proc.command.includes(socket));
  return { masters: masters.map((proc) => proc.pid) };
}

// The masters of a state dir now, looking again (up to 1 s) while an HAProxy is caught inside an exec.
export function haproxyMasters(stateDir: string): number[] {
  for (let attempt = 0; ; attempt++) {
    const seen = findHaproxyMasters(listProcesses(), stateDir);
    if ("masters" in seen) return seen.masters;
    if (attempt >= 100) throw new Error(`HAProxy pid ${seen.inExec} kept an empty command line for 1 s`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
  }
}
