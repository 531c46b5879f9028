// Runtime-API commands for the current worker, sent through the master CLI on a fresh connection per
// batch and addressed by pid (`@!<pid>`): a long-lived worker socket would stay on the old worker after a
// reload, and `@1` could reach a worker that started after the batch was planned.
import { sendMasterCommand, currentWorker } from "@rancher-haproxy/core";
import { readProc } from "./confirm-reload.js";

/** HAProxy silently drops runtime-API payloads over 16 KB: a batch is cut well below that */
export const MAX_BATCH_BYTES = 12 * 1024;

// One command's answer, as the worker printed it (trailing blank line removed).
export interface WorkerAnswer {
  command: string;
  answer: string;
}

// The outcome of a batch: every answer, or why the batch could not be sent (no worker, timeout, error).
export type WorkerBatch =
  { ok: true; workerPid: number; answers: WorkerAnswer[] } | { ok: false; reason: string };

// The pid of the current worker (reloads 0 in `show proc`), which must be `expectedPid` when given.
export async function findCurrentWorker(
  masterSocket: string,
  timeoutMs: number,
  expectedPid?: number,
): Promise<{ ok: true; pid: number } | { ok: false; reason: string }> {
  const info = await readProc(masterSocket, timeoutMs);
  const worker = info ? currentWorker(info) : null;
  if (!worker) return { ok: false, reason: "no current worker in show proc" };
  if (expectedPid !== undefined && worker.pid !== expectedPid)
    return { ok: false, reason: `the current worker is ${worker.pid}, not ${expectedPid}` };
  return { ok: true, pid: worker.pid };
}

// Send each command to the current worker, one master-CLI connection per command (≈ 0.2 ms each on
// loopback; one connection per command keeps answers apart without parsing separators). The worker
// pid is read once from `show proc`; `expectedPid`, when given, must match it.
export async function sendWorkerCommands(
  masterSocket: string,
  commands: readonly string[],
  options: { timeoutMs?: number; expectedPid?: number } = {},
): Promise<WorkerBatch> {
  const timeoutMs = options.timeoutMs ?? 2000;
  const worker = await findCurrentWorker(masterSocket, timeoutMs, options.expectedPid);
  if (!worker.ok) return worker;
  const answers: WorkerAnswer[] = [];
  for (const command of commands) {
    if (/[\n;]/.test(command) || Buffer.byteLength(command) > MAX_BATCH_BYTES)
      return { ok: false, reason: `refused to send a command with a newline, ";" or over the size limit` };
    try {
      const raw = await sendMasterCommand(masterSocket, `@!${worker.pid} ${command}`, timeoutMs);
      answers.push({ command, answer: raw.replace(/\n+$/, "") });
    } catch (error) {
      return { ok: false, reason: `"${command.slice(0, 80)}": ${String(error)}` };
    }
  }
  return { ok: true, workerPid: worker.pid, answers };
}
