// What /proc says about one process: alive or not (a zombie is not), its start time (so a reused pid is
// told apart) and its command line. Used for an HAProxy master that is not our child.
import { readFileSync } from "node:fs";

// One process as /proc shows it.
export interface ProcessView {
  pid: number;
  /** `state` field of /proc/<pid>/stat: R, S, D, Z... */
  state: string;
  /** field 22 of /proc/<pid>/stat, clock ticks since boot: unique per pid incarnation */
  startTime: string;
  argv: string[];
}

// The process, or null when there is none (or only its zombie, or /proc cannot be read).
export function viewProcess(pid: number): ProcessView | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name is in parentheses and may hold spaces: the fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const state = fields[0] ?? "?";
    const startTime = fields[19] ?? "";
    if (state === "Z" || state === "X") return null;
    const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
    return { pid, state, startTime, argv };
  } catch {
    return null;
  }
}

// True while the same incarnation (pid and start time) of a process is alive and not a zombie.
export function isSameProcessAlive(pid: number, startTime: string): boolean {
  return viewProcess(pid)?.startTime === startTime;
}

// True when the process is an HAProxy master-worker run on this master socket (one of ours).
export function isOurMaster(view: ProcessView, masterSocket: string): boolean {
  const bin = view.argv[0] ?? "";
  const socketArg = view.argv[view.argv.indexOf("-S") + 1] ?? "";
  return (
    bin.includes("haproxy") &&
    view.argv.includes("-W") &&
    (socketArg === masterSocket || socketArg.startsWith(`${masterSocket},`))
  );
}
