// Parse the master CLI's `show proc`: the master's reload and failure counters and its workers.

// One HAProxy process; `reloads` is how many reloads the master made since it started (refused ones too).
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
  let section: "workers" | "oldWorkers" | "other" | "header" = "header";
  const entries: Record<"workers" | "oldWorkers", ProcEntry[]> = { workers: [], oldWorkers: [] };
  for (const line of text.split("\n")) {
    const trimmed = line.trim();
    if (trimmed === "# workers") section = "workers";
    else if (trimmed === "# old workers") section = "oldWorkers";
    else if (trimmed.startsWith("# ")) section = "other";
    // Only above the sections: under `# programs`, a `program master` of a --config lists as "master".
    const master =
      section === "header" ? /^(\d+)\s+master\s+(\d+)(?:\s+\[failed:\s*(\d+)\])?/.exec(trimmed) : null;
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
    if (worker && (section === "workers" || section === "oldWorkers"))
      entries[section].push({ pid: Number(worker[1]), reloads: Number(worker[2]) });
  }
  if (!info) return null;
  return { ...info, workers: entries.workers, oldWorkers: entries.oldWorkers };
}

// The worker serving the current generation, if one is running: the one `show proc` lists under
// `# workers` (the old ones it lists under `# old workers`). Its reload count is 0 after a successful
// reload, but a refused reload counts on it too: taking "reloads 0" for "current" found none after any
// refused reload, and every runtime update failed against the worker that was serving.
export function currentWorker(info: ProcInfo): ProcEntry | null {
  let current: ProcEntry | null = null;
  for (const worker of info.workers)
    if (current === null || worker.reloads < current.reloads) current = worker;
  return current;
}
