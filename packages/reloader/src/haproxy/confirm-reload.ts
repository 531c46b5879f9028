// Confirm through `show proc` that HAProxy started or reloaded: a USR2/`reload` is accepted even when
// the new configuration fails to load, so the master's counters are the only proof.
import { currentWorker, parseShowProc, sendMasterCommand, type ProcInfo } from "@rancher-haproxy/core";

// The proof, or why there is none (`exited`: the master died meanwhile; `rejected`: it kept the old workers;
// `sent: false`: a `timeout` whose reload never reached the master, its CLI did not answer or connect;
// `stopping`: not sent, as a stop of HAProxy began: a soft-stopped master that takes a reload serves again).
export type Verdict =
  | { ok: true; info: ProcInfo; workerPid: number }
  | {
      ok: false;
      kind: "exited" | "rejected" | "timeout" | "stopping";
      reason: string;
      info: ProcInfo | null;
      sent?: false;
    };

// How long to wait and how to tell the master is still alive.
export interface ConfirmOptions {
  socketPath: string;
  timeoutMs: number;
  isAlive: () => boolean;
  pollMs?: number;
  /** the master expected on the socket (waitUntilReady): another one answering there is not it */
  masterPid?: number;
}

// Read and parse `show proc` once (null when the master does not answer, e.g. while it re-executes).
export async function readProc(socketPath: string, timeoutMs = 2000): Promise<ProcInfo | null> {
  try {
    return parseShowProc(await sendMasterCommand(socketPath, "show proc", timeoutMs));
  } catch {
    return null;
  }
}

// Wait until a freshly spawned master (options.masterPid, when given) lists a current worker; an answer
// from another master on the socket path (one left running, one of another reloader) is not it.
export function waitUntilReady(options: ConfirmOptions): Promise<Verdict> {
  return poll(options, (info) => {
    if (options.masterPid !== undefined && info.masterPid !== options.masterPid) return null;
    const worker = currentWorker(info);
    return worker ? { ok: true, info, workerPid: worker.pid } : null;
  });
}

// Wait until the master counted one more reload and a new current worker replaced `before`'s.
export function confirmReload(options: ConfirmOptions, before: ProcInfo): Promise<Verdict> {
  return poll(options, (info) => judgeReload(before, info));
}

// The verdict `show proc` (`info`) gives on the reload sent after `before`, or null while there is none:
// one more reload counted and a new current worker, or the master's [failed] count.
export function judgeReload(before: ProcInfo, info: ProcInfo): Verdict | null {
  if (info.reloads <= before.reloads) return null;
  if (info.failed > 0)
    return {
      ok: false,
      kind: "rejected",
      reason: `the master reports the reload failed ([failed: ${info.failed}]); the old workers keep serving`,
      info,
    };
  const worker = currentWorker(info);
  const previous = before.workers.some((old) => old.pid === worker?.pid);
  return worker && !previous ? { ok: true, info, workerPid: worker.pid } : null;
}

// How long one `show proc` of a poll waits for its answer. A master answers at once; a connection queued
// on the listener of a master that re-executes is reset, but never answered when a `program` of a
// --config inherited that listener and holds it open. Waited for 2 s, that one connection made every start
// and reload with a `program` 2 s slower, and a --reload-timeout of 2 s failed the start.
const ATTEMPT_TIMEOUT_MS = 500;

// Polls until `judge` decides or the timeout passes, on the monotonic clock (a wall clock stepped back by
// NTP kept a master that never answered polled for the size of the step).
async function poll(options: ConfirmOptions, judge: (info: ProcInfo) => Verdict | null): Promise<Verdict> {
  const deadline = performance.now() + options.timeoutMs;
  let last: ProcInfo | null = null;
  for (;;) {
    if (!options.isAlive()) return { ok: false, kind: "exited", reason: "HAProxy exited", info: last };
    const info = await readProc(options.socketPath, ATTEMPT_TIMEOUT_MS);
    if (info) {
      last = info;
      const verdict = judge(info);
      if (verdict) return verdict;
    }
    if (performance.now() >= deadline)
      return {
        ok: false,
        kind: "timeout",
        reason: `not confirmed by show proc within ${options.timeoutMs} ms`,
        info: last,
      };
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 20));
  }
}
