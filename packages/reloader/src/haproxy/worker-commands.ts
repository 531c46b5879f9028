// Runtime-API commands for the current worker, sent through the master CLI on a fresh connection per
// batch and addressed by pid (`@!<pid>`): a long-lived worker socket would stay on the old worker after a
// reload, and `@1` could reach a worker that started after the batch was planned. One line carries the
// whole batch (batch-lines.ts) and its answer is split back per command (split-batch-answers.ts).
import { sendMasterCommand, currentWorker, parseShowProc } from "@rancher-haproxy/core";
import { batchLines } from "./batch-lines.js";
import { readProc } from "./confirm-reload.js";
import { batchAnswerEnded, procAnswerEnded, splitBatchAnswers } from "./split-batch-answers.js";

// One command's answer, as the worker printed it (trailing blank line removed).
export interface WorkerAnswer {
  command: string;
  answer: string;
}

// The outcome of a batch: every answer, or why the batch could not be sent (no worker, timeout, error, a
// stop of HAProxy that began before a line was written).
export type WorkerBatch =
  { ok: true; workerPid: number; answers: WorkerAnswer[] } | { ok: false; reason: string };

// The pid of the current worker (the one `show proc` lists under `# workers`), which must be `expectedPid`
// when given.
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

// Send the commands, in order, to worker `expectedPid` (or, without it, to the current worker read from
// `show proc` first): one master-CLI connection per batch line of at most MAX_BATCH_BYTES (one for a
// scale event), then, once its answer ended, `show proc` on a connection of its own. The batch fails when
// that pid is unknown to the master (the master drops the rest of the line), when the answers do not split
// into one per command, and when `show proc` fails or names another current worker (the line reached an
// old one). `timeoutMs` bounds each line and its `show proc` together; a connection answered in full
// that the master left open fails too, and says so. `stopping`, asked right before each line is written
// (the stop's SIGUSR1 is not on the supervisor's lock): true, that line and the rest are not sent (a
// soft-stopped worker still takes runtime-API commands).
export async function sendWorkerCommands(
  masterSocket: string,
  commands: readonly string[],
  options: { timeoutMs?: number; expectedPid?: number; stopping?: () => boolean } = {},
): Promise<WorkerBatch> {
  const timeoutMs = options.timeoutMs ?? 2000;
  let pid = options.expectedPid;
  if (pid === undefined) {
    const worker = await findCurrentWorker(masterSocket, timeoutMs);
    if (!worker.ok) return worker;
    pid = worker.pid;
  }
  const batches = batchLines(commands, pid);
  if (!batches.ok) return batches;
  const answers: WorkerAnswer[] = [];
  for (const batch of batches.lines) {
    const what = `a batch of ${batch.commands.length} commands`;
    if (options.stopping?.() === true)
      return { ok: false, reason: `${what} not sent: HAProxy is being stopped` };
    const started = performance.now();
    let text: string;
    try {
      // HAProxy 2.6.12 leaves a connection open after the whole answer, and holds it until it
      // re-executes (10 such and its master CLI answers no more), about 1 line in 2 000 when large
      // answers (50 KB–1.5 MB) and its own `show proc` share the line: hence `show proc` apart. A line
      // left open is still a failure (its fallback reload re-executes the master, which frees it), named
      // as such by batchAnswerEnded instead of "no complete answer".
      text = await sendMasterCommand(
        masterSocket,
        batch.line,
        timeoutMs,
        batchAnswerEnded(batch.commands.length),
      );
    } catch (error) {
      return { ok: false, reason: `${what}: ${String(error)}` };
    }
    const split = splitBatchAnswers(text, batch.commands.length);
    if (!split.ok) return split;
    // Sent once the line's answer ended (its commands ran): a worker that is not current any more then
    // was an old one when they ran, or a reload came since; either way the batch fails.
    let procText: string;
    try {
      const left = Math.max(1, Math.ceil(timeoutMs - (performance.now() - started)));
      procText = await sendMasterCommand(masterSocket, "show proc", left, procAnswerEnded);
    } catch (error) {
      return { ok: false, reason: `the show proc after ${what}: ${String(error)}` };
    }
    const proc = parseShowProc(procText);
    if (!proc)
      return {
        ok: false,
        reason: `the show proc after ${what}: not a show proc answer: ${JSON.stringify(procText.slice(0, 160))}`,
      };
    const current = currentWorker(proc)?.pid ?? null;
    if (current !== pid)
      return {
        ok: false,
        reason: `the batch reached worker ${pid}, but the current worker is ${current ?? "none"}`,
      };
    for (const [index, command] of batch.commands.entries())
      answers.push({ command, answer: split.answers[index] ?? "" });
  }
  return { ok: true, workerPid: pid, answers };
}
