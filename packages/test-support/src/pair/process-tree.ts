// Which processes descend from a pid, and whether one still runs a given program (Linux /proc): how the
// demo and its test prove that no HAProxy outlives a stop, by pid rather than by process name.
import { readdirSync, readFileSync } from "node:fs";

// One process: its pid, parent, command line (NUL-separated arguments joined by spaces), the kernel's
// name for it (comm: the program's file name, kept across an exec of the same program) and its state letter.
export interface ProcessInfo {
  pid: number;
  ppid: number;
  command: string;
  name: string;
  state: string;
  /** its process group */
  group: number;
}

// Every process now visible in /proc (those that vanish while reading are left out).
export function listProcesses(): ProcessInfo[] {
  const processes: ProcessInfo[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const info = readProcess(Number(entry));
    if (info) processes.push(info);
  }
  return processes;
}

// The process, or null when it is gone.
export function readProcess(pid: number): ProcessInfo | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ")".
    const close = stat.lastIndexOf(")");
    const name = stat.slice(stat.indexOf("(") + 1, close);
    const [state = "", ppid, group] = stat.slice(close + 2).split(" ");
    const command = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
    return { pid, ppid: Number(ppid), command, name, state, group: Number(group) };
  } catch {
    return null;
  }
}

// The children, grandchildren … of `pid` (not `pid` itself).
export function descendants(pid: number): ProcessInfo[] {
  const all = listProcesses();
  const found: ProcessInfo[] = [];
  const parents = new Set([pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const proc of all)
      if (parents.has(proc.ppid) && !parents.has(proc.pid)) {
        parents.add(proc.pid);
        found.push(proc);
        grew = true;
      }
  }
  return found;
}

// Whether `pid` is alive and still runs a command containing `program` (a recycled pid does not count;
// a zombie, whose command line is empty, neither).
export function stillRuns(pid: number, program: string): boolean {
  const info = readProcess(pid);
  return info !== null && info.command.includes(program);
}
