// The CPU time a running process has used so far, for per-request CPU figures that, unlike req/s, do
// not drop when other processes take the shared cores.
import { readdirSync, readFileSync } from "node:fs";

// Nanoseconds on the CPU summed over the threads of `pid` (/proc/<pid>/task/*/schedstat), null where
// that is not readable (not Linux, no schedstats, the process gone).
export function processCpuNs(pid: number): number | null {
  try {
    return readdirSync(`/proc/${pid}/task`).reduce(
      (sum, task) => sum + Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, "utf8").split(" ")[0]),
      0,
    );
  } catch {
    return null;
  }
}
