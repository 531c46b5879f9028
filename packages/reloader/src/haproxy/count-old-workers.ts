// How many old workers a `show proc` lists: earlier generations still finishing their connections.
import { currentWorker, type ProcInfo } from "@rancher-haproxy/core";

// The workers of `info` but the current one (a second non-current line under `# workers`, during a
// switch, counts as old), plus those under `# old workers`; what the reload hold counts
// (reload/old-workers-cap.ts).
export function countOldWorkers(info: ProcInfo): number {
  const current = currentWorker(info) === null ? 0 : 1;
  return info.workers.length - current + info.oldWorkers.length;
}
