// The old workers the master listed in the last `show proc` the supervisor read: what the reload hold
// counts (reload/old-workers-cap.ts).
import type { ProcInfo } from "@rancher-haproxy/core";
import { countOldWorkers } from "./count-old-workers.js";

// The count of the last `show proc` read (a reload's confirmation, a probe); null: none read yet.
export class OldWorkerCount {
  private oldWorkerCount: number | null = null;

  // The count last noted (null: no show proc read yet).
  seen(): number | null {
    return this.oldWorkerCount;
  }

  // Note the count of `info` (null: the master did not answer, the count stays); returns it.
  note(info: ProcInfo | null): number | null {
    if (info === null) return null;
    this.oldWorkerCount = countOldWorkers(info);
    return this.oldWorkerCount;
  }
}
