// HAProxy's own proof of reloads: the master's reload counter and the current worker's pid from
// `show proc` on <state>/master.sock. A runtime-API update changes neither; every reload changes both.
import { join } from "node:path";
import { currentWorker, parseShowProc, sendMasterCommand } from "@rancher-haproxy/core";

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
  const text = await sendMasterCommand(join(stateDir, "master.sock"), "show proc", timeoutMs);
  const info = parseShowProc(text);
  if (!info) throw new Error(`not a show proc answer: ${text.slice(0, 200)}`);
  const current = currentWorker(info);
  const old = [...info.workers.filter((worker) => worker !== current), ...info.oldWorkers];
  return {
    masterPid: info.masterPid,
    reloads: info.reloads,
    failed: info.failed,
    workerPid: current?.pid ?? null,
    oldWorkerPids: old.map((worker) => worker.pid),
  };
}
