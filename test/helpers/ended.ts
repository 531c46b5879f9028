// A wait for a logged child's end that fails with what is known instead of hanging the file until the
// runner's timeout (300 s): `exited` waits for "close", so a process still running under the child, or
// an orphan left holding its output pipes, kept it waiting forever.
import { descendants, readProcess, tailLogs, type LoggedChild } from "@rancher-haproxy/test-support";

// The child's exit, or an error after timeoutMs naming what still runs under it and its last lines.
export async function ended(
  child: LoggedChild,
  label: string,
  timeoutMs = 60_000,
): Promise<Awaited<LoggedChild["exited"]>> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      const self = readProcess(child.pid);
      const how = self && self.state !== "Z" ? "still runs" : "exited, but its output is still held open";
      const under = descendants(child.pid).map((proc) => `${proc.pid} ${proc.state} ${proc.command}`);
      const running = under.length > 0 ? `; under it: ${under.join("; ")}` : "";
      reject(
        new Error(
          `${label} did not end within ${timeoutMs} ms: it ${how}${running}\n${tailLogs(child.logs)}`,
        ),
      );
    }, timeoutMs);
  });
  try {
    return await Promise.race([child.exited, late]);
  } finally {
    clearTimeout(timer);
  }
}
