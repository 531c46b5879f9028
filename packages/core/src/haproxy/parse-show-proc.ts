// Parse the master CLI's `show proc`: the master's reload and failure counters and its workers.

// One HAProxy process; `reloads` is how many reloads it has survived (0: the current generation).
export interface ProcEntry {
  pid: number;
  reloads: number;
}

// The master's view: `failed` counts failed reloads since the last successful one.
export interface ProcInfo {
  masterPid: number;
  reloads: number;
  failed: number;
  workers: ProcEntry[];
  oldWorkers: ProcEntry[];
}

// null when the text has no master line (not a `show proc` answer).
export function parseShowProc(text: string): ProcInfo | null {
  let info: ProcInfo | null = null;
  let section: "workers" | "oldWorkers" | "other" = "other";
  const entries: Record<"workers" | "oldWorkers", ProcEntry[]> = { workers: [], oldWorkers: [] };
  for (const line of text.split("\n")) {
    const trimmed = line.trim();
    if (trimmed === "# workers") section = "workers";
    else if (trimmed === "# old workers") section = "oldWorkers";
    else if (trimmed.startsWith("#")) section = "other";
    const master = /^(\d+)\s+master\s+(\d+)(?:\s+\[failed:\s*(\d+)\])?/.exec(trimmed);
    if (master) {
      info = {
        masterPid: Number(master[1]),
        reloads: Number(master[2]),
        failed: Number(master[3] ?? 0),
        workers: [],
        oldWorkers: [],
      };
      continue;
    }
    const worker = /^(\d+)\s+worker\s+(\d+)/.exec(trimmed);
    if (worker && section !== "other")
      entries[section].push({ pid: Number(worker[1]), reloads: Number(worker[2]) });
  }
  if (!info) return null;
  return { ...info, workers: entries.workers, oldWorkers: entries.oldWorkers };
}

// The worker of the current generation (reloads 0), if one is running.
export function currentWorker(info: ProcInfo): ProcEntry | null {
  return info.workers.find((worker) => worker.reloads === 0) ?? null;
}
