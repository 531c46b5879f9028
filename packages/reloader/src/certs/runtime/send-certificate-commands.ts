// Send certificate commands (some with a PEM payload) to the current worker through the master CLI,
// addressed `@!<pid>`, one fresh connection each; stops at the first answer that is not the expected
// one and aborts an open transaction. Answers are never logged whole (they could echo a payload).
import { sendMasterCommand } from "@rancher-haproxy/core";
import { findCurrentWorker } from "../../haproxy/worker-commands.js";
import type { CertificateCommand } from "../model/plan-certificate-commands.js";

// All answered as expected, or the first that did not (command only, answer cut to one short line).
export type CertificateCommandsOutcome =
  { ok: true; workerPid: number; sent: number } | { ok: false; reason: string };

// Send `commands` in order; `timeoutMs` bounds each one.
export async function sendCertificateCommands(
  masterSocket: string,
  commands: readonly CertificateCommand[],
  timeoutMs = 5000,
): Promise<CertificateCommandsOutcome> {
  const worker = await findCurrentWorker(masterSocket, timeoutMs);
  if (!worker.ok) return worker;
  const send = (line: string) => sendMasterCommand(masterSocket, `@!${worker.pid} ${line}`, timeoutMs);
  let open: string | null = null;
  for (const step of commands) {
    if (/[\n;]/.test(step.command)) return { ok: false, reason: "refused a command with a newline or ;" };
    // The payload ends at the empty line sendMasterCommand's final newline makes.
    const line =
      step.payload === undefined ? step.command : `${step.command} <<\n${step.payload.trimEnd()}\n`;
    let answer: string;
    try {
      answer = await send(line);
    } catch (error) {
      // A timeout or a broken connection after `set ssl cert`: the transaction may still be open.
      if (open !== null) await send(`abort ssl cert ${open}`).catch(() => undefined);
      return { ok: false, reason: `"${step.command}": ${String(error)}` };
    }
    if (!step.expect.test(answer)) {
      if (open !== null) await send(`abort ssl cert ${open}`).catch(() => undefined);
      const first = answer.trim().split("\n")[0]?.slice(0, 160) ?? "";
      return { ok: false, reason: `"${step.command}" answered ${JSON.stringify(first)}` };
    }
    if (step.command.startsWith("set ssl cert ")) open = step.command.slice("set ssl cert ".length);
    else if (step.command.startsWith("commit ssl cert ")) open = null;
  }
  return { ok: true, workerPid: worker.pid, sent: commands.length };
}
