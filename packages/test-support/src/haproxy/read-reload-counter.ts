// HAProxy's own proof of reloads: the master's reload counter and the current worker's pid from
// `show proc` on <state>/master.sock. A runtime-API update changes neither; every reload changes both.
import { join } from "node:path";
import { sendMasterCli } from "./send-master-cli.js";

// What `show proc` says about the master and its current worker (reloads 0 in the worker list).
export interface ReloadCounter {
  masterPid: number;
  /** reloads since the master started (HAProxy counts the first start as well) */
  reloads: number;
  /** failed reloads since the last successful one */
  failed: number;
  /** the current worker, null while none runs */
  workerPid: number | null;
  /** workers of earlier generations still finishing connections */
  oldWorkerPids: number[];
}

// Reads `show proc` of the master serving `stateDir`; rejects when it does not answer or is not a master.
export async function readReloadCounter(stateDir: string, timeoutMs = 5000): Promise<ReloadCounter> {
  const text = await sendMasterCli(join(stateDir, "master.sock"), "show proc", timeoutMs);
  const counter = parseProc(text);
  if (!counter) throw new Error(`not a show proc answer: ${text.slice(0, 200)}`);
  return counter;
}

function parseProc(text: string): ReloadCounter | null {
  let counter: ReloadCounter | null = null;
  let section = "";
  for (const line of text.split("\n").map((raw) => raw.trim())) {
    if (line.startsWith("#")) section = line;
    const master = /^(\d+)\s+master\s+(\d+)(?:\s+\[failed:\s*(\d+)\])?/.exec(line);
    if (master) {
      counter = {
        masterPid: Number(master[1]),
        reloads: Number(master[2]),
        failed: Number(master[3] ?? 0),
        workerPid: null,
        oldWorkerPids: [],
      };
      continue;
    }
    const worker = /^(\d+)\s+worker\s+(\d+)/.exec(line);
    if (!worker || !counter) continue;
    if (section === "# workers" && Number(worker[2]) === 0) counter.workerPid = Number(worker[1]);
    else if (section === "# workers" || section === "# old workers")
      counter.oldWorkerPids.push(Number(worker[1]));
  }
  return counter;
}
