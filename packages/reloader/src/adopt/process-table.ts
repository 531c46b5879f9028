// What /proc says about one process: alive or not (a zombie is not), its start time (so a reused pid is
// told apart) and its command line. Used for an HAProxy master that is not our child.
import { readdirSync, readFileSync } from "node:fs";

// One process as /proc shows it.
export interface ProcessView {
  pid: number;
  /** `state` field of /proc/<pid>/stat: R, S, D, Z... */
  state: string;
  ppid: number;
  /** field 22 of /proc/<pid>/stat, clock ticks since boot: unique per pid incarnation */
  startTime: string;
  argv: string[];
}

// The fields of /proc/<pid>/stat this module reads (`pgrp`: its process group); throws when it cannot be read.
function readStat(pid: number): Pick<ProcessView, "state" | "ppid" | "startTime"> & { pgrp: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name is in parentheses and may hold spaces: the fields after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return {
    state: fields[0] ?? "?",
    ppid: Number(fields[1]),
    pgrp: Number(fields[2]),
    startTime: fields[19] ?? "",
  };
}

// The process, or null when there is none (or only its zombie, or /proc cannot be read).
export function viewProcess(pid: number): ProcessView | null {
  try {
    const { state, ppid, startTime } = readStat(pid);
    if (state === "Z" || state === "X") return null;
    const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
    return { pid, state, ppid, startTime, argv };
  } catch {
    return null;
  }
}

// True while the same incarnation (pid and start time) of a process is alive and not a zombie.
export function isSameProcessAlive(pid: number, startTime: string): boolean {
  return viewProcess(pid)?.startTime === startTime;
}

// True only on proof that this incarnation ended: /proc has no such pid, shows a zombie, or another
// start time. A read that failed for another reason (EMFILE, ENFILE: a passing shortage) proves nothing:
// taken as "gone", it made the supervisor start a second master beside the adopted one.
export function isSameProcessGone(pid: number, startTime: string): boolean {
  try {
    const stat = readStat(pid);
    return stat.state === "Z" || stat.state === "X" || stat.startTime !== startTime;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === "ENOENT" || code === "ESRCH";
  }
}

// True when the process leads its own process group, as a master a reloader spawned (detached) does.
export function leadsProcessGroup(pid: number): boolean {
  try {
    return readStat(pid).pgrp === pid;
  } catch {
    return false;
  }
}

// SIGKILL the process group `pid` leads: the master and what it started (workers, a `program` of a
// --config, an external check script), also once the master is gone; false when none of it is left.
export function killProcessGroup(pid: number): boolean {
  try {
    return process.kill(-pid, "SIGKILL");
  } catch {
    return false;
  }
}

// SIGKILL what is left of the group a master that led one (`led`) started, once it is gone: only while no
// other process has its pid (gone, or its zombie), so the group is still its own.
export function killLeftoverGroup(pid: number, led: boolean): void {
  if (led && viewProcess(pid) === null) killProcessGroup(pid);
}

// True when the process is an HAProxy master-worker run on this master socket (one of ours).
export function isOurMaster(view: ProcessView, masterSocket: string): boolean {
  const bin = view.argv[0] ?? "";
  const socketArg = view.argv[view.argv.indexOf("-S") + 1] ?? "";
  // (Not the binary's name: `--haproxy-bin` may name it anything, and -W with this private socket is ours.)
  return (
    bin !== "" &&
    view.argv.includes("-W") &&
    (socketArg === masterSocket || socketArg.startsWith(`${masterSocket},`))
  );
}

// The master of ours /proc shows: the one the pid file names (`pidFileText`, null when there is none)
// when it is ours, else one found by findOurMasterInProc.
export function findOurMaster(pidFileText: string | null, masterSocket: string): ProcessView | null {
  const pid = pidFileText === null ? NaN : Number(pidFileText.trim());
  const named = Number.isSafeInteger(pid) && pid > 1 ? viewProcess(pid) : null;
  return named && isOurMaster(named, masterSocket) ? named : findOurMasterInProc(masterSocket);
}

// A master of ours that /proc shows, when the pid file does not name one: a reloader killed between
// spawning a master and writing its pid file left it, still parsing its config (its CLI silent), and the
// next reloader started a second master on the same ports. Its workers have the same command line, so a
// process whose parent is one of ours is not a master; the oldest of several is taken.
function findOurMasterInProc(masterSocket: string): ProcessView | null {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return null;
  }
  const ours: ProcessView[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const view = viewProcess(Number(entry));
    if (view && isOurMaster(view, masterSocket)) ours.push(view);
  }
  const pids = new Set(ours.map((view) => view.pid));
  // (A master re-executing for a reload shows an empty command line for a moment: its name still says it.)
  const masters = ours.filter(
    (view) => !pids.has(view.ppid) && !nameHolds(view.ppid, "haproxy") && view.pid !== process.pid,
  );
  masters.sort((a, b) => Number(a.startTime) - Number(b.startTime));
  return masters[0] ?? null;
}

// Whether the kernel's name of a process (comm) contains `text`.
function nameHolds(pid: number, text: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").includes(text);
  } catch {
    return false;
  }
}
